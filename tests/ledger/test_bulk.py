"""Bulk grants: one chunk, one transaction, a fixed number of statements, idempotent."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from credits_plugin import api, exceptions
from credits_plugin.constants import LotSource
from credits_plugin.ledger.bulk import bulk_grant
from credits_plugin.ledger.models import Account, Entry, Lot, Transfer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _wallets(n):
    return [api.user_wallet(UserFactory()) for _ in range(n)]


def test_grants_each_wallet_once_with_a_lot_and_balanced_entries():
    wallets = _wallets(5)
    expires = timezone.now() + timedelta(days=30)
    granted = bulk_grant(
        account_ids=[w.pk for w in wallets],
        amount=250,
        key_prefix="bulk-1",
        batch="b1",
        reason="welcome",
        expires_at=expires,
        source=LotSource.GRANTED,
    )
    assert granted == 5
    for w in wallets:
        assert api.balance(w).balance == 250
        lot = Lot.objects.get(account=w)
        assert (lot.amount, lot.remaining, lot.source) == (250, 250, LotSource.GRANTED)
        assert abs((lot.expires_at - expires).total_seconds()) < 1
        transfer = Transfer.objects.get(idempotency_key=f"bulk-1:{w.pk}")
        assert transfer.reason == "welcome" and transfer.batch == "b1"
        assert sum(e.amount for e in Entry.objects.filter(transfer=transfer)) == 0
    assert api.verify_ledger().ok


def test_replay_grants_nothing_twice():
    wallets = _wallets(3)
    ids = [w.pk for w in wallets]
    assert bulk_grant(account_ids=ids, amount=100, key_prefix="bulk-2") == 3
    extra = _wallets(1)[0]
    assert bulk_grant(account_ids=[*ids, extra.pk], amount=100, key_prefix="bulk-2") == 1
    assert [api.balance(w).balance for w in wallets] == [100, 100, 100]
    assert api.balance(extra).balance == 100
    assert Transfer.objects.filter(idempotency_key__startswith="bulk-2:").count() == 4
    assert api.verify_ledger().ok


def test_a_wallet_in_debt_pays_its_debt_before_getting_a_lot():
    debtor, other = _wallets(2)
    Account.objects.filter(pk=debtor.pk).update(overdraft_limit=1_000)
    api.charge(account=debtor.pk, amount=300, idempotency_key="debt")
    assert api.balance(debtor).balance == -300
    assert bulk_grant(account_ids=[debtor.pk, other.pk], amount=500, key_prefix="bulk-3") == 2
    assert api.balance(debtor).balance == 200
    assert Lot.objects.get(account=debtor, transfer__idempotency_key=f"bulk-3:{debtor.pk}").remaining == 200
    assert api.verify_ledger().ok

    # A debt larger than the grant: no lot at all, the debt shrinks.
    api.charge(account=debtor.pk, amount=900, idempotency_key="debt-2")
    assert bulk_grant(account_ids=[debtor.pk], amount=400, key_prefix="bulk-4") == 1
    assert api.balance(debtor).balance == -300
    assert not Lot.objects.filter(transfer__idempotency_key=f"bulk-4:{debtor.pk}").exists()
    assert api.verify_ledger().ok


def test_statements_do_not_grow_with_the_chunk(django_capture_on_commit_callbacks):
    from credits_plugin.ledger.services import system_account_id

    def count(n, prefix):
        ids = [w.pk for w in _wallets(n)]
        with django_capture_on_commit_callbacks(execute=True):  # shard ids are cached on commit
            for pk in ids:
                system_account_id("issuance", unit=api.balance(pk).unit, shard_key=pk)
        with CaptureQueriesContext(connection) as queries:
            bulk_grant(account_ids=ids, amount=1, key_prefix=prefix)
        return len(queries)

    assert count(3, "small") == count(40, "large")


def test_bad_input_changes_nothing():
    wallet = _wallets(1)[0]
    system = api.system_account("issuance", unit=api.balance(wallet).unit, shard_key=0)
    before = Transfer.objects.count()
    with pytest.raises(exceptions.InvalidAmount):
        bulk_grant(account_ids=[wallet.pk], amount=0, key_prefix="bad")
    with pytest.raises(exceptions.AccountNotFound):
        bulk_grant(account_ids=[wallet.pk, 10**9], amount=1, key_prefix="bad")
    with pytest.raises(exceptions.AccountInactive):
        bulk_grant(account_ids=[wallet.pk, system.pk], amount=1, key_prefix="bad")
    assert Transfer.objects.count() == before
    assert api.balance(wallet).balance == 0
