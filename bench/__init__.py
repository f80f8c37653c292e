"""Benchmarks of kb and the synthetic corpus they run on (results in bench/README.md)."""
