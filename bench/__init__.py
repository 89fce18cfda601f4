"""Benchmarks: `make bench`. Measured here, never by timed tests.

Every benchmark runs in the environment ``bench.environment`` sets up (its own database, tasks
in-process), so it is set up here, before any of them is imported.
"""

from bench import environment  # noqa: F401
