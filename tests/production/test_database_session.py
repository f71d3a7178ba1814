"""The tests' database connections run as Open edX runs its own: on MySQL/MariaDB in strict
mode and READ COMMITTED (Tutor sets ``sql_mode`` STRICT_TRANS_TABLES; the isolation level is
Django's default for MySQL, made explicit in the demo host), on PostgreSQL READ COMMITTED."""

import importlib

import pytest
from django.db import connection


@pytest.mark.django_db
def test_session_mode_and_isolation_level():
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute("SELECT @@SESSION.sql_mode")
            (sql_mode,) = cursor.fetchone()
            # MySQL 8 and MariaDB 11.1+ name it transaction_isolation; MariaDB 10.x tx_isolation.
            variable = (
                "transaction_isolation" if _has_variable(cursor, "transaction_isolation") else "tx_isolation"
            )
            cursor.execute(f"SELECT @@SESSION.{variable}")
            (isolation,) = cursor.fetchone()
            assert "STRICT_TRANS_TABLES" in sql_mode.split(",")
            assert isolation == "READ-COMMITTED"
        elif connection.vendor == "postgresql":
            cursor.execute("SHOW transaction_isolation")
            assert cursor.fetchone() == ("read committed",)
        else:
            assert connection.vendor == "sqlite"
            # SQLite has one writer at a time; the demo host takes the write lock at BEGIN.
            assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
            cursor.execute("PRAGMA read_uncommitted")
            assert cursor.fetchone() == (0,)


def _has_variable(cursor, name: str) -> bool:
    cursor.execute("SHOW SESSION VARIABLES LIKE %s", [name])
    return cursor.fetchone() is not None


def test_the_mariadb_connection_is_configured_as_open_edx(monkeypatch):
    """The demo host's MariaDB settings, whatever database this run uses."""
    monkeypatch.setenv("CREDITS_DB", "mariadb")
    host_settings = importlib.import_module("host.settings")
    options = host_settings._database()["OPTIONS"]
    assert options["sql_mode"] == "STRICT_TRANS_TABLES"
    assert options["isolation_level"] == "read committed"
