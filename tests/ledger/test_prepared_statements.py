"""The hot path's statements are prepared on the server on PostgreSQL, once per connection;
the other databases (and PostgreSQL behind a transaction pooler) use Django's plain cursors."""

import pytest
from django.db import connection

from credits_plugin import api
from credits_plugin.ledger import sql
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


def _prepared_count() -> int:
    if not POSTGRESQL:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


def _charges(n: int, prefix: str) -> None:
    wallet = api.user_wallet(UserFactory())
    api.grant(account=wallet, amount=10_000, idempotency_key=f"{prefix}-grant")
    for i in range(n):
        api.charge(account=wallet, amount=100, idempotency_key=f"{prefix}-{i}")
    assert api.balance(wallet).balance == 10_000 - 100 * n


def test_charges_reuse_prepared_statements():
    assert sql._prepared(connection) is POSTGRESQL
    _charges(3, "prep")
    after_first = _prepared_count()
    if POSTGRESQL:
        assert after_first >= 2  # the lock and the write
    _charges(5, "prep-more")
    assert _prepared_count() == after_first  # the same statements, not one per call
    assert api.verify_ledger().ok


def test_prepared_statements_show_in_the_query_log():
    from django.test.utils import CaptureQueriesContext

    wallet = api.user_wallet(UserFactory())
    api.grant(account=wallet, amount=500, idempotency_key="log-grant")
    with CaptureQueriesContext(connection) as queries:
        api.charge(account=wallet, amount=100, idempotency_key="log-charge")
        api.charge(account=wallet, amount=100, idempotency_key="log-charge")  # a replay: the insert fails
    assert queries.captured_queries
    assert all(isinstance(q["sql"], str) and q["sql"] for q in queries.captured_queries)


def test_off_when_the_setting_says_so(settings):
    settings.CREDITS_PLUGIN_PREPARED_STATEMENTS = False
    assert not sql._prepared(connection)
    before = _prepared_count()
    _charges(3, "plain")
    assert _prepared_count() == before
    assert api.verify_ledger().ok


def test_off_behind_a_transaction_pooler(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    assert not sql._prepared(connection)
