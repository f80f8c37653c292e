"""Tests of kb.render: the static site."""
