"""Creating and dropping the benchmark database of each backend (never the project's own)."""

from __future__ import annotations

import os
from pathlib import Path


def _pg_params() -> dict:
    return {
        "host": os.environ.get("CREDITS_DB_HOST", "127.0.0.1"),
        "port": int(os.environ.get("CREDITS_DB_PORT", "5432")),
        "user": os.environ.get("CREDITS_DB_USER", "postgres"),
        "password": os.environ.get("CREDITS_DB_PASSWORD", ""),
        "dbname": "postgres",
        "connect_timeout": 3,
    }


def _my_params() -> dict:
    return {
        "host": os.environ.get("CREDITS_DB_HOST", "127.0.0.1"),
        "port": int(os.environ.get("CREDITS_DB_PORT", "3306")),
        "user": os.environ.get("CREDITS_DB_USER", "root"),
        "passwd": os.environ.get("CREDITS_DB_PASSWORD", ""),
        "connect_timeout": 3,
    }


def _check_name(name: str) -> None:
    if not name.replace("_", "").isalnum() or not name.startswith("credits_bench"):
        raise ValueError(f"refusing to touch database {name!r}: benchmark databases start with credits_bench")


def reachable(backend: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        if backend == "postgresql":
            import psycopg

            psycopg.connect(**_pg_params()).close()
        elif backend == "mariadb":
            import MySQLdb

            MySQLdb.connect(**_my_params()).close()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def recreate(backend: str, name: str, sqlite_path: str) -> None:
    """Drop the benchmark database if it exists and create it empty."""
    drop(backend, name, sqlite_path)
    _check_name(name)
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(**_pg_params(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    elif backend == "mariadb":
        import MySQLdb

        conn = MySQLdb.connect(**_my_params())
        try:
            conn.cursor().execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        finally:
            conn.close()


def drop(backend: str, name: str, sqlite_path: str) -> None:
    _check_name(name)
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(**_pg_params(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    elif backend == "mariadb":
        import MySQLdb

        conn = MySQLdb.connect(**_my_params())
        try:
            conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()
    else:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(sqlite_path + suffix).unlink(missing_ok=True)


def server_version(backend: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if backend == "sqlite":
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        else:
            cursor.execute("SELECT version()")
        return str(cursor.fetchone()[0])
