"""A worker process really killed (SIGKILL) in the middle of a bulk grant: the batch is then
resumed, or undone, and every user ends granted exactly once, or not at all.

The worker is a separate Python process (tests/wallets/batch_worker.py) on a database it shares
with this test: a file copy of the (migrated, empty) test database on SQLite, the test database
itself on PostgreSQL and MariaDB (hence ``transaction=True``: what the processes commit is
visible to each other). The resumption runs the real ``resume_credit_batches`` command.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection

from credits_plugin import api
from credits_plugin.wallets import tasks
from credits_plugin.wallets.models import GrantBatch
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("batch_worker.py")
USERS, CHUNK = 30, 3

pytestmark = pytest.mark.django_db(transaction=True)


def start_batch() -> str:
    """Users and their batch, recorded (committed) but not run: the test starts the worker."""
    for i in range(USERS):
        UserFactory(username=f"killed-{i}")
    with mock.patch.object(tasks.run_batch_task, "delay"):
        batch = api.start_batch(
            action="grant", target="all", amount=1_000, comment="Kill test", idempotency_key="kill"
        )
    return str(batch.pk)


@pytest.fixture
def shared_db(tmp_path):
    """A batch, the environment for child processes, and a way to read the batch's progress."""
    batch_id = start_batch()
    if connection.vendor == "sqlite":
        # The test database is in memory: copy it into a file the processes share.
        path = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        env = {**os.environ, "CREDITS_DB": "sqlite", "CREDITS_SQLITE_PATH": str(path)}

        def done_users(batch_id: str) -> int:
            with sqlite3.connect(path, timeout=20) as db:
                row = db.execute(
                    "SELECT done_users FROM credits_plugin_grantbatch WHERE id = ?",
                    [batch_id.replace("-", "")],
                ).fetchone()
            return row[0]
    else:
        env = {**os.environ, "CREDITS_DB_NAME": connection.settings_dict["NAME"]}

        def done_users(batch_id: str) -> int:
            return GrantBatch.objects.get(pk=batch_id).done_users

    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "sandbox")])
    return batch_id, env, done_users


def worker(env, *args) -> str:
    done = subprocess.run(  # noqa: S603 -- our own interpreter and script
        [sys.executable, str(WORKER), *args], env=env, check=True, timeout=300, capture_output=True, text=True
    )
    return done.stdout.strip()


def kill_after_first_chunk(env, done_users, batch_id: str) -> int:
    """Start the worker, SIGKILL it as soon as a chunk has committed, and return the progress."""
    process = subprocess.Popen(  # noqa: S603 -- our own interpreter and script
        [sys.executable, str(WORKER), "run", batch_id, str(CHUNK), "0.5"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while done_users(batch_id) == 0:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.02)
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -9  # killed, not finished
    return done_users(batch_id)


@pytest.mark.parametrize("then", ["resume", "undo"])
def test_a_killed_worker_leaves_nothing_half_done(shared_db, then):
    batch_id, env, done_users = shared_db

    done = kill_after_first_chunk(env, done_users, batch_id)

    result = json.loads(worker(env, then, batch_id))

    after_kill = result["before"]
    assert after_kill["status"] == "running"  # as the dead worker left it
    assert 0 < done < USERS and done % CHUNK == 0
    # Exactly the users of the committed chunks have their credits; the chunk being written
    # when the process died left nothing behind.
    assert after_kill["grants_per_user"] == [1] * done + [0] * (USERS - done)
    assert after_kill["available"] == [1_000] * done + [0] * (USERS - done)
    assert after_kill["ledger_ok"], after_kill["problems"]

    final = result["after"]
    if then == "resume":
        # manage.py resume_credit_batches finished it: every user granted exactly once.
        assert f"{batch_id}: done ({USERS}/{USERS} users)" in result["output"]
        assert (final["status"], final["done_users"], final["total_users"]) == ("done", USERS, USERS)
        assert final["grants_per_user"] == [1] * USERS
        assert final["available"] == [1_000] * USERS
    else:
        assert final["status"] == "undone"
        # Exactly what was granted is reversed, and nothing more is granted afterwards.
        assert final["undo_reversed"] == final["reversals"] == done
        assert final["grants_per_user"] == [1] * done + [0] * (USERS - done)
        assert final["available"] == [0] * USERS
    assert final["ledger_ok"], final["problems"]
