"""``python -m kb`` runs the command line."""

import sys

from kb.cli import console

if __name__ == "__main__":  # not when a worker process imports it (spawn)
    sys.exit(console())
