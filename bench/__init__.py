"""Benchmarks: `make bench`. Measured here, never by timed tests."""
