"""Small SQL helpers for bulk setup that work on PostgreSQL, MariaDB and SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone


def vendor() -> str:
    return connection.vendor  # 'postgresql', 'mysql' or 'sqlite'


def run(sql: str, params: Sequence[Any] = ()) -> int:
    """Execute one statement through Django's cursor; ``%%`` is a literal percent sign."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def one(sql: str, params: Sequence[Any] = ()) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchone()


def rows(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def concat(*parts: str) -> str:
    """SQL that concatenates string and integer expressions."""
    if vendor() == "sqlite":
        return " || ".join(parts)
    return "CONCAT(" + ", ".join(parts) + ")"


def now() -> Any:
    """The current time as the backend's driver wants it for a datetime column."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def true() -> str:
    return "1" if vendor() != "postgresql" else "TRUE"


_seq_size = 0


def ensure_seq(n: int) -> None:
    """A table ``bench_seq(n)`` holding 1..n at least, to generate rows with INSERT ... SELECT."""
    global _seq_size
    if n <= _seq_size:
        return
    if _seq_size == 0:
        run("CREATE TABLE IF NOT EXISTS bench_seq (n BIGINT NOT NULL PRIMARY KEY)")
        _seq_size = one("SELECT COALESCE(MAX(n), 0) FROM bench_seq")[0]
        if n <= _seq_size:
            return
    start = _seq_size + 1
    if vendor() == "postgresql":
        run(
            "INSERT INTO bench_seq (n) SELECT g FROM generate_series(%s::bigint, %s::bigint) AS g", [start, n]
        )
    elif vendor() == "mysql":
        # MariaDB's SEQUENCE engine: the table seq_<from>_to_<to> exists without being created.
        run(f"INSERT INTO bench_seq (n) SELECT seq FROM seq_{int(start)}_to_{int(n)}")
    else:
        run(
            "INSERT INTO bench_seq (n) WITH RECURSIVE s(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM s "
            "WHERE n < %s) SELECT n FROM s",
            [start, n],
        )
    _seq_size = n
