"""What every benchmark measures with, once: the DEBUG guard, timing (one call, or two sides
interleaved and their medians), the ratio to the floor, the process's peak resident size, the
progress bar on stderr and the JSON line on stdout."""

from __future__ import annotations

import json
import resource
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, OutputWrapper
from django.db import connection, models


def require_debug(command: str) -> None:
    """Refuse to run with DEBUG off: a benchmark writes synthetic records, which a deployment's
    database must never hold."""
    if not settings.DEBUG:
        raise CommandError(
            f"{command} fills the database with synthetic records: it runs only with DJANGO_DEBUG=1, "
            "on a development or benchmark database."
        )


def elapsed_ms(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def interleaved_medians(sides: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """The median time in ms of each side over ``runs`` runs, the sides taking turns, so that
    none has the warmer cache throughout. Warm each side up before."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _run in range(runs):
        for name, function in sides.items():
            times[name].append(elapsed_ms(function))
    return {name: statistics.median(values) for name, values in times.items()}


def ratio(measured: float, floor: float) -> float | None:
    """``measured`` over ``floor`` to two places: how far from the fastest it could be."""
    return round(measured / floor, 2) if floor else None


def rows_per_s(rows: int, seconds: float) -> int | None:
    return round(rows / seconds) if seconds else None


def peak_rss_mb() -> float:
    """This process's peak resident size so far, in MB (``getrusage``: kilobytes on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def json_line(stream: OutputWrapper, figures: dict[str, Any]) -> None:
    """One benchmark's figures as one JSON line on ``stream`` (the command's stdout)."""
    stream.write(json.dumps(figures))


def vacuum_analyze(tables: Iterable[str]) -> None:
    """On PostgreSQL, what autovacuum does soon after a load: statistics for the planner and the
    visibility map that index-only scans need (and rolled-back rows cleared from the indexes).
    VACUUM cannot run inside a transaction (a test's), where ANALYZE alone is done."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")


def tables_of(*ledgers: type[models.Model]) -> list[str]:
    return [model._meta.db_table for model in ledgers]


class Console:
    """A benchmark's notes and progress bars on stderr, as ``--verbosity`` asks: none at 0, the
    bars and notes at 1, the figures too at 2. Stdout carries only the JSON lines."""

    def __init__(self, stderr: OutputWrapper, verbosity: int = 1):
        self.stderr, self.verbosity = stderr, verbosity

    def note(self, message: str, verbosity: int = 1) -> None:
        if self.verbosity >= verbosity:
            self.stderr.write(message, style_func=plain)

    def progress(self, label: str, total: int) -> Progress:
        return Progress(self.stderr if self.verbosity >= 1 else None, label, total)


class Progress:
    """A one-line progress bar on ``stream`` redrawn with a carriage return: label, bar,
    percentage, count. Silent without a stream (``--verbosity 0``, a child process)."""

    WIDTH = 30

    def __init__(self, stream: OutputWrapper | None, label: str, total: int):
        self.stream, self.label, self.total, self.done = stream, label, max(total, 1), 0
        self.draw()

    def advance(self, count: int) -> None:
        self.done += count
        self.draw()

    def draw(self) -> None:
        if self.stream is None:
            return
        share = min(self.done / self.total, 1)
        bar = "#" * round(share * self.WIDTH)
        line = f"\r{self.label:<22} [{bar:<{self.WIDTH}}] {share:4.0%} {self.done:>9,}/{self.total:,}"
        self.stream.write(line, style_func=plain, ending="")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("", style_func=plain)


def silent(label: str, total: int) -> Progress:
    """A progress bar that draws nothing."""
    return Progress(None, label, total)


def plain(text: str) -> str:
    return text
