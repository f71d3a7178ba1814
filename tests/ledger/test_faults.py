"""A fault in the middle of a ledger operation leaves nothing behind, and a fault after it
leaves it done once.

* **Rollback before commit**: the fault is injected with Django's ``execute_wrapper``: the
  chosen statement runs (its writes are made inside the transaction) and then the database call
  raises, as a lost connection or a crash between two statements would. Afterwards nothing of
  the operation may remain, the ledger verifies, and the same call with the same idempotency key
  succeeds exactly once.
* **Commit acknowledgement lost**: the operation commits, but the connection drops before the
  client hears so; the client, seeing only an error, retries with the same key. Exactly one
  transfer (or hold) results, and the retry returns the original. On PostgreSQL and MariaDB the
  operation runs on a second Django connection through :class:`CommitAckCutter`, a TCP proxy on
  127.0.0.1 that forwards the ``COMMIT`` to the real server, waits for the server's reply, drops
  it and closes the client's socket. On SQLite (no server, no socket) the connection's commit is
  patched to commit and then raise ``OperationalError``.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pytest
from django.db import DatabaseError, OperationalError, connection, connections

from credits_plugin import api
from credits_plugin.constants import HoldStatus
from credits_plugin.ledger.bulk import bulk_grant
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class InjectedFault(DatabaseError):
    pass


@contextmanager
def fault_after(fragment: str):
    """Raise right after the first statement whose SQL contains ``fragment`` has run."""
    seen = {"hit": False}

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not seen["hit"] and fragment.lower() in sql.lower():
            seen["hit"] = True
            raise InjectedFault(f"injected after: {sql[:60]}")
        return result

    with connection.execute_wrapper(wrapper):
        yield seen
    assert seen["hit"], f"no statement contained {fragment!r}: the fault was never injected"


def snapshot():
    return (
        list(Account.objects.order_by("pk").values_list("pk", "balance", "held")),
        list(Lot.objects.order_by("pk").values_list("pk", "remaining", "expired_amount")),
        list(Hold.objects.order_by("pk").values_list("pk", "status")),
        Transfer.objects.count(),
        Entry.objects.count(),
        Lot.objects.count(),
    )


def assert_ok():
    report = api.verify_ledger()
    assert report.ok, report.problems


def wallet(amount=1_000):
    w = api.user_wallet(UserFactory())
    if amount:
        api.grant(account=w, amount=amount, idempotency_key=f"fund:{w.pk}")
    return w


# The statement after which the fault strikes: the entries are the last rows a transfer writes,
# so by then every other row of it was written. On PostgreSQL a charge writes everything in one
# statement, so the fault follows the whole write, before the commit.
ENTRY = "credits_plugin_entry"


def test_charge():
    w = wallet()
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        api.charge(account=w, amount=300, idempotency_key="f-charge")
    assert snapshot() == before
    assert_ok()
    first = api.charge(account=w, amount=300, idempotency_key="f-charge")
    assert api.charge(account=w, amount=300, idempotency_key="f-charge").pk == first.pk
    assert api.balance(w).balance == 700
    assert_ok()


def test_grant_with_a_new_lot():
    w = wallet(0)
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        api.grant(account=w, amount=500, idempotency_key="f-grant")
    assert snapshot() == before
    api.grant(account=w, amount=500, idempotency_key="f-grant")
    api.grant(account=w, amount=500, idempotency_key="f-grant")
    assert api.balance(w).balance == 500
    assert Lot.objects.filter(account=w).count() == 1
    assert_ok()


def test_transfer_between_wallets():
    a, b = wallet(), wallet(0)
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        api.transfer(debit=a, credit=b, amount=250, kind="adjustment", idempotency_key="f-move")
    assert snapshot() == before
    api.transfer(debit=a, credit=b, amount=250, kind="adjustment", idempotency_key="f-move")
    assert (api.balance(a).balance, api.balance(b).balance) == (750, 250)
    assert_ok()


def test_hold_then_post():
    w = wallet()
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after("credits_plugin_hold"):
        api.place_hold(account=w, amount=400, idempotency_key="f-hold")
    assert snapshot() == before
    hold = api.place_hold(account=w, amount=400, idempotency_key="f-hold")
    assert api.balance(w).held == 400

    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        api.post_hold(hold=hold)
    assert snapshot() == before
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.PENDING
    api.post_hold(hold=hold)
    assert (api.balance(w).balance, api.balance(w).held) == (600, 0)
    assert_ok()


def test_refund():
    w = wallet()
    charge = api.charge(account=w, amount=300, idempotency_key="f-paid")
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        api.refund(transfer=charge, idempotency_key="f-refund")
    assert snapshot() == before
    api.refund(transfer=charge, idempotency_key="f-refund")
    assert api.balance(w).balance == 1_000
    assert_ok()


def test_bulk_grant_chunk():
    wallets = [wallet(0) for _ in range(5)]
    ids = [w.pk for w in wallets]
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        bulk_grant(account_ids=ids, amount=100, key_prefix="f-bulk")
    assert snapshot() == before
    assert bulk_grant(account_ids=ids, amount=100, key_prefix="f-bulk") == 5
    assert bulk_grant(account_ids=ids, amount=100, key_prefix="f-bulk") == 0
    assert [api.balance(w).balance for w in wallets] == [100] * 5
    assert_ok()


# --- The commit's acknowledgement is lost ---------------------------------------------------------


def _pg_messages(buffer: bytearray, state: dict) -> Iterator[tuple[bytes, bool]]:
    """Complete PostgreSQL frontend messages taken off ``buffer``, each with whether it asks the
    server to commit: a simple query ``COMMIT``, or the Sync after a Parse of ``COMMIT``."""
    while True:
        if not state.get("started"):  # startup, SSL and GSS requests: length, then payload, no type byte
            if len(buffer) < 8:
                return
            (length,) = struct.unpack("!I", buffer[:4])
            if len(buffer) < length:
                return
            code = struct.unpack("!I", buffer[4:8])[0]
            message = bytes(buffer[:length])
            del buffer[:length]
            if code not in (80877103, 80877104):  # SSLRequest, GSSENCRequest
                state["started"] = True
            yield message, False
            continue
        if len(buffer) < 5:
            return
        (length,) = struct.unpack("!I", buffer[1:5])
        if len(buffer) < 1 + length:
            return
        message = bytes(buffer[: 1 + length])
        del buffer[: 1 + length]
        kind, body = message[:1], message[5:]
        if kind == b"Q":
            yield message, body.rstrip(b"\0").strip().rstrip(b";").upper() == b"COMMIT"
        elif kind == b"P":
            query = body.split(b"\0")[1] if b"\0" in body else b""
            if query.strip().rstrip(b";").upper() == b"COMMIT":
                state["parsed_commit"] = True
            yield message, False
        elif kind == b"S":  # Sync: the extended query's statements run now
            yield message, state.pop("parsed_commit", False)
        else:
            yield message, False


def _mysql_messages(buffer: bytearray, state: dict) -> Iterator[tuple[bytes, bool]]:
    """Complete MySQL client packets taken off ``buffer``, each with whether it is COM_QUERY
    ``COMMIT`` (which is what libmysqlclient's and MariaDB Connector/C's mysql_commit() send)."""
    while len(buffer) >= 4:
        length = int.from_bytes(buffer[:3], "little")
        if len(buffer) < 4 + length:
            return
        packet = bytes(buffer[: 4 + length])
        del buffer[: 4 + length]
        payload = packet[4:]
        yield packet, payload[:1] == b"\x03" and payload[1:].strip().rstrip(b";").upper() == b"COMMIT"


class CommitAckCutter:
    """A TCP proxy between a client on 127.0.0.1 and the real database server.

    Once :meth:`arm` is called, the next ``COMMIT`` a client sends is forwarded to the server;
    the server's reply is read, dropped, and both sockets are closed: the transaction is
    committed, and the client never learns it.
    """

    def __init__(self, vendor: str, upstream: tuple[str, int]) -> None:
        self.parse = _pg_messages if vendor == "postgresql" else _mysql_messages
        self.upstream = upstream
        self.armed = threading.Event()
        self.cuts = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self) -> None:
        self.armed.set()

    def close(self) -> None:
        self.listener.close()
        for sock in self.sockets:
            _close(sock)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            cut = threading.Event()
            threading.Thread(target=self._to_server, args=(client, server, cut), daemon=True).start()
            threading.Thread(target=self._to_client, args=(server, client, cut), daemon=True).start()

    def _to_server(self, client: socket.socket, server: socket.socket, cut: threading.Event) -> None:
        buffer: bytearray = bytearray()
        state: dict = {}
        try:
            while data := client.recv(65536):
                buffer += data
                for message, commits in self.parse(buffer, state):
                    if commits and self.armed.is_set():
                        self.armed.clear()
                        self.cuts += 1
                        cut.set()  # before the server can answer
                    server.sendall(message)
        except OSError:
            pass
        _close(server)

    def _to_client(self, server: socket.socket, client: socket.socket, cut: threading.Event) -> None:
        try:
            while data := server.recv(65536):
                if cut.is_set():
                    break  # the reply to the COMMIT: the transaction is committed; drop it
                client.sendall(data)
        except OSError:
            pass
        _close(client)
        _close(server)


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@pytest.fixture
def commit_ack_lost() -> Iterator[Callable[[Callable[[], Any]], None]]:
    """``lose_ack(operation)`` runs ``operation`` on a connection whose next COMMIT succeeds on
    the server while the client gets a lost connection (a ``django.db.OperationalError``).

    Afterwards the same connection alias reconnects, as a client retrying would; the fixture's
    end puts the test's own connection back.
    """
    vendor = connection.vendor
    if vendor == "sqlite":
        yield _lose_ack_sqlite
        return
    settings = connection.settings_dict
    cutter = CommitAckCutter(vendor, (settings["HOST"] or "127.0.0.1", int(settings["PORT"])))
    options = {**settings["OPTIONS"], **({"sslmode": "disable"} if vendor == "postgresql" else {})}
    own = connections["default"]
    proxied = own.__class__({**settings, "HOST": "127.0.0.1", "PORT": str(cutter.port), "OPTIONS": options})
    connections["default"] = proxied

    def lose_ack(operation: Callable[[], Any]) -> None:
        cutter.arm()
        with pytest.raises(OperationalError):
            operation()
        assert cutter.cuts == 1, "the proxy saw no COMMIT: the fault was never injected"
        cutter.cuts = 0

    try:
        yield lose_ack
    finally:
        proxied.close()
        connections["default"] = own
        cutter.close()


def _lose_ack_sqlite(operation: Callable[[], Any]) -> None:
    wrapper = connections["default"]
    commit = wrapper._commit
    lost = {"hit": False}

    def commit_then_drop() -> None:
        commit()
        lost["hit"] = True
        raise OperationalError("connection lost after COMMIT was sent")

    wrapper._commit = commit_then_drop
    try:
        with pytest.raises(OperationalError):
            operation()
    finally:
        del wrapper._commit
    assert lost["hit"], "no commit: the fault was never injected"


def test_charge_committed_but_its_acknowledgement_lost(commit_ack_lost):
    """A charge (the fast path) commits, the answer is lost, the client retries with the key."""
    w = wallet()
    commit_ack_lost(lambda: api.charge(account=w.pk, amount=300, idempotency_key="ack-charge"))
    (committed,) = Transfer.objects.filter(idempotency_key="ack-charge")
    retry = api.charge(account=w.pk, amount=300, idempotency_key="ack-charge")
    assert retry.pk == committed.pk
    assert (retry.amount, retry.debit_account_id, retry.credit_account_id) == (
        300,
        w.pk,
        committed.credit_account_id,
    )
    assert Transfer.objects.filter(idempotency_key="ack-charge").count() == 1
    assert api.balance(w).balance == 700
    assert_ok()


def test_transfer_between_wallets_committed_but_its_acknowledgement_lost(commit_ack_lost):
    """A wallet-to-wallet transfer (the general path) commits, the answer is lost, the retry
    returns it."""
    a, b = wallet(), wallet(0)

    def move():
        return api.transfer(
            debit=a.pk, credit=b.pk, amount=250, kind="adjustment", idempotency_key="ack-move"
        )

    commit_ack_lost(move)
    (committed,) = Transfer.objects.filter(idempotency_key="ack-move")
    assert move().pk == committed.pk
    assert Transfer.objects.filter(idempotency_key="ack-move").count() == 1
    assert (api.balance(a).balance, api.balance(b).balance) == (750, 250)
    assert_ok()


def test_hold_placed_and_posted_with_both_acknowledgements_lost(commit_ack_lost):
    """A hold is placed and then posted; both commits succeed and both answers are lost. The
    retried placement returns the same hold, the retried post the same transfer."""
    w = wallet()
    commit_ack_lost(lambda: api.place_hold(account=w.pk, amount=400, idempotency_key="ack-hold"))
    (placed,) = Hold.objects.filter(idempotency_key="ack-hold")
    hold = api.place_hold(account=w.pk, amount=400, idempotency_key="ack-hold")
    assert (hold.pk, hold.status, hold.amount) == (placed.pk, HoldStatus.PENDING, 400)
    assert hold.allocations == placed.allocations
    assert (api.balance(w).balance, api.balance(w).held) == (1_000, 400)

    commit_ack_lost(lambda: api.post_hold(hold=hold.pk))
    (posted,) = Transfer.objects.filter(hold=hold)
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.POSTED
    retry = api.post_hold(hold=hold.pk)
    assert (retry.pk, retry.amount) == (posted.pk, 400)
    assert Transfer.objects.filter(hold=hold).count() == 1
    assert (api.balance(w).balance, api.balance(w).held) == (600, 0)
    assert_ok()


def test_refund_committed_but_its_acknowledgement_lost(commit_ack_lost):
    """A refund commits, the answer is lost; the retry under the same key returns the refund
    (not AlreadyReversed) and the wallet is credited once."""
    w = wallet()
    charge = api.charge(account=w.pk, amount=300, idempotency_key="ack-paid")
    commit_ack_lost(lambda: api.refund(transfer=charge.pk, idempotency_key="ack-refund"))
    (committed,) = Transfer.objects.filter(idempotency_key="ack-refund")
    assert api.refund(transfer=charge.pk, idempotency_key="ack-refund").pk == committed.pk
    assert Transfer.objects.filter(reverses=charge).count() == 1
    assert api.balance(w).balance == 1_000
    assert_ok()


def test_void_committed_but_its_acknowledgement_lost(commit_ack_lost):
    """A void commits, the answer is lost; the retried void returns the voided hold and the
    wallet's ``held`` is released once."""
    w = wallet()
    hold = api.place_hold(account=w.pk, amount=400, idempotency_key="ack-void")
    commit_ack_lost(lambda: api.void_hold(hold=hold.pk))
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.VOIDED
    retry = api.void_hold(hold=hold.pk)
    assert (retry.pk, retry.status) == (hold.pk, HoldStatus.VOIDED)
    assert (api.balance(w).balance, api.balance(w).held) == (1_000, 0)
    assert_ok()
