"""Ledger reads and the verification of the whole ledger (``credits_plugin.ledger.selectors``)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credits_plugin import api
from credits_plugin.ledger.models import Account, Entry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet():
    return api.user_wallet(UserFactory())


class TestReads:
    def test_balance_read_is_one_query(self, wallet):
        for i in range(30):
            api.grant(account=wallet, amount=10, idempotency_key=f"g{i}")
        with CaptureQueriesContext(connection) as queries:
            assert api.balance(wallet).balance == 300
        assert len(queries) == 1
        assert "SUM" not in queries[0]["sql"].upper()

    def test_history_newest_first_with_net_amounts(self, wallet):
        api.grant(account=wallet, amount=100, idempotency_key="g")
        api.charge(account=wallet, amount=30, idempotency_key="c")
        assert [(t.kind, t.net) for t in api.history(wallet)] == [("charge", -30), ("grant", 100)]

    def test_system_accounts_are_sharded_per_unit(self, wallet, settings):
        settings.CREDITS_PLUGIN_SYSTEM_ACCOUNT_SHARDS = 4
        users = [api.user_wallet(UserFactory()) for _ in range(8)]
        for i, account in enumerate(users):
            api.grant(account=account, amount=10, idempotency_key=f"g{i}")
        used = Account.objects.filter(holder="system:issuance", balance__lt=0)
        assert set(used.values_list("shard", flat=True)) == {0, 1, 2, 3}
        assert sum(Account.objects.filter(holder="system:issuance").values_list("balance", flat=True)) == -80


class TestVerifyLedger:
    def test_clean_ledger(self, wallet, capsys):
        api.grant(account=wallet, amount=100, idempotency_key="g")
        call_command("verify_ledger")
        assert "0 problem(s)" in capsys.readouterr().out

    def test_tampered_balance_is_reported_and_the_command_fails(self, wallet):
        from django.core.management.base import CommandError

        api.grant(account=wallet, amount=100, idempotency_key="g")
        Account.objects.filter(pk=wallet.pk).update(balance=90)
        report = api.verify_ledger()
        assert not report.ok
        assert any("cached balance 90 != sum of entries 100" in p for p in report.problems)
        assert any("balances add up to -10" in p for p in report.problems)
        with pytest.raises(CommandError):
            call_command("verify_ledger")

    def test_unbalanced_transfer_is_reported(self, wallet):
        grant = api.grant(account=wallet, amount=100, idempotency_key="g")
        Entry.objects.filter(transfer=grant, amount=-100).update(amount=-99)
        problems = api.verify_ledger().problems
        assert any(f"transfer {grant.pk}: entries add up to 1" in p for p in problems)
