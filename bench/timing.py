"""Timing helpers shared by the benchmarks."""

import statistics
import time

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from procurement.caching import data_changed


def page(client: Client, path: str, *, requests: int = 30) -> dict:
    """Median and 95th percentile server time (ms) and the query count of one page, built afresh
    each time: the cached pieces of pages (procurement/caching.py) are retired before every
    request, so the figures are the cost of building the page, not of reading the cache."""
    # A full query log (after seeding with DEBUG on) would make the count read as 0.
    reset_queries()
    data_changed()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    # Read the count now: the next request resets the connection's query log.
    count = len(queries)
    captured = list(queries.captured_queries)
    assert response.status_code == 200, (path, response.status_code)
    timings = []
    for _ in range(requests):
        data_changed()
        start = time.perf_counter()
        response = client.get(path)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "queries": count,
        "median": statistics.median(timings),
        "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
        "captured": captured,
    }


# Every table a benchmark prints, gathered for the summary at the end (bench/__main__.py).
SUMMARY: list[tuple[str, str, str]] = []
section = {"name": ""}


def sql_time(queries: list[dict], *, repeats: int = 30) -> float:
    """Median milliseconds to run ``queries``' SELECTs bare, on the same connection, fetching
    every row: what the page costs without the framework."""
    selects = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def line(measure: str, figures: str) -> None:
    """Print one benchmark's figures on a line of their own, and keep them for the summary."""
    SUMMARY.append((section["name"], measure, figures))
    print(f"{measure}: {figures}\n")


def table(rows: list[tuple], headings: tuple) -> None:
    for row in rows:
        figures = ", ".join(f"{h} {v}" for h, v in zip(headings[1:], row[1:], strict=True))
        SUMMARY.append((section["name"], str(row[0]), figures))
    widths = [max(len(str(x)) for x in column) for column in zip(headings, *rows, strict=True)]
    for row in (headings, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print()
