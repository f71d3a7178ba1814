"""The SQLite demo answers a double click on checkout with the purchase twice, not with a 500.

The demo settings open SQLite transactions as IMMEDIATE: a second checkout waits for the
first to commit (then replays it) instead of failing with "database is locked" when it upgrades
its read lock to write. The suite's own SQLite database is in memory, which locks differently,
so each case runs in a fresh process on a file (see ``sqlite_double_click.py``); the run
without the setting shows that the case is the one the setting fixes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _start(db: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "sandbox"), str(ROOT)])}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(  # noqa: S603 (this interpreter, a module of the repository)
        [sys.executable, "-m", "tests.sandbox.sqlite_double_click", str(db), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _result(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    (line,) = [line for line in out.splitlines() if line.startswith("RESULT ")]
    return json.loads(line.removeprefix("RESULT "))


def test_a_double_click_on_the_sqlite_demo_waits_its_turn(tmp_path):
    immediate = _start(tmp_path / "immediate.sqlite3")
    deferred = _start(tmp_path / "deferred.sqlite3", "--deferred")
    with_setting, without_setting = _result(immediate), _result(deferred)

    assert with_setting == {
        "answers": [{"status": 201}, {"status": 201}],  # the purchase, then its replay
        "purchases": ["completed"],
        "charges": 1,
        "available": 10_000 - 4_900,
        "ledger_ok": True,
    }
    # Without it (SQLite's default DEFERRED transactions) the same double click is a 500.
    assert without_setting["answers"] == [
        {"status": 201},
        {"status": 500, "error": "OperationalError('database is locked')"},
    ]
