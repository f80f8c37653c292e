"""``python -m kb`` runs the command line."""

import sys

from kb.cli import main

sys.exit(main())
