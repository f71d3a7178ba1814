"""Where each backend's benchmark database lives, and how a process loads Django for it."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BACKENDS = ("postgresql", "mariadb", "sqlite")
DEFAULT_DB_NAME = "credits_bench"


def backend_env(backend: str, db_name: str = DEFAULT_DB_NAME, *, pg_prepare: bool = False) -> dict[str, str]:
    """Environment that makes sandbox/host/settings.py use the benchmark database."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    return {
        "CREDITS_BENCH_PG_PREPARE": "1" if pg_prepare else "0",
        "CREDITS_DB": backend,
        "CREDITS_DB_NAME": db_name,
        "CREDITS_SQLITE_PATH": str(Path(tempfile.gettempdir()) / f"{db_name}.sqlite3"),
        # DEBUG would make Django keep every statement in memory and slow every query down.
        "DJANGO_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "host.settings",
    }


def setup_django(env: dict[str, str]) -> None:
    """Point this process at the benchmark database and load Django (once per process)."""
    os.environ.update(env)
    for path in (str(REPO), str(REPO / "sandbox")):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()
    if env.get("CREDITS_BENCH_PG_PREPARE") == "1" and env["CREDITS_DB"] == "postgresql":
        # --pg-prepare: psycopg's server-side binding, and prepared statements after 5 runs
        # (Django's defaults are client-side binding and no prepared statements).
        from django.conf import settings

        settings.DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
