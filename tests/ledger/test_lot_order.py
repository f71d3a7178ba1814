"""Lots are listed in exactly the order charges spend them, on every database.

The order (soonest expiry first with no-expiry last, then free before paid, then oldest) is
defined once in ``credits_plugin.ledger.lots``; the listing (``open_lots``, the My credits
page, the REST history) is checked against the lots that charges actually consume, on the fast
path (charges to the revenue account) and on the general path (transfers between wallets).
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from credits_plugin import api
from credits_plugin.constants import LotSource, TransferKind
from credits_plugin.ledger.lots import spend_order
from credits_plugin.ledger.models import Entry, Lot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner():
    return UserFactory()


@pytest.fixture
def lots(learner):
    """Lots that every naive ordering gets wrong somewhere (NULL placement, source names
    sorted as text, ties on expiry), created in this order, each with its own amount."""
    wallet = api.user_wallet(learner)
    soon = timezone.now() + timedelta(days=10)
    later = timezone.now() + timedelta(days=30)
    plan = [
        ("free-no-expiry-old", LotSource.GRANTED, None, 101),
        ("paid-no-expiry", LotSource.PURCHASED, None, 102),
        ("earned-no-expiry-new", LotSource.EARNED, None, 103),
        ("paid-soon", LotSource.PURCHASED, soon, 104),
        ("free-soon", LotSource.GRANTED, soon, 105),
        ("earned-later", LotSource.EARNED, later, 106),
    ]
    ids = {}
    for label, source, expires_at, amount in plan:
        grant = api.grant(
            account=wallet, amount=amount, idempotency_key=label, source=source, expires_at=expires_at
        )
        ids[label] = Lot.objects.get(transfer=grant).pk
    return wallet, ids


EXPECTED = [
    "free-soon",
    "paid-soon",
    "earned-later",
    "free-no-expiry-old",
    "earned-no-expiry-new",
    "paid-no-expiry",
]


def _labels(ids, lot_ids):
    by_id = {v: k for k, v in ids.items()}
    return [by_id[lot_id] for lot_id in lot_ids]


def test_the_listing_is_the_spending_order(lots):
    wallet, ids = lots
    assert _labels(ids, [lot.pk for lot in api.open_lots(wallet)]) == EXPECTED
    # The Python sort key (ORM path and MariaDB/SQLite fast path) agrees with the database.
    assert _labels(ids, [lot.pk for lot in spend_order(list(Lot.objects.filter(account=wallet)))]) == (
        EXPECTED
    )


@pytest.mark.parametrize("path", ["fast", "general"])
def test_charges_consume_lots_in_the_listed_order(lots, path):
    wallet, ids = lots
    listed = [(lot.pk, lot.remaining) for lot in api.open_lots(wallet)]
    other = api.user_wallet(UserFactory())
    consumed = []
    for i, (_, remaining) in enumerate(listed):
        if path == "fast":  # to the revenue account: the hand-written SQL
            spent = api.charge(account=wallet, amount=remaining, idempotency_key=f"c{i}")
        else:  # to another wallet: the ORM path
            spent = api.transfer(
                debit=wallet,
                credit=other,
                amount=remaining,
                kind=TransferKind.ADJUSTMENT,
                idempotency_key=f"t{i}",
            )
        (entry,) = Entry.objects.filter(transfer=spent, account=wallet)
        consumed.append(entry.lot_id)
    assert consumed == [lot_id for lot_id, _ in listed]
    assert _labels(ids, consumed) == EXPECTED
    assert api.verify_ledger().ok


def test_my_credits_page_and_rest_history_list_in_spending_order(client, learner, lots):
    _, ids = lots
    client.force_login(learner)
    page = client.get("/credits/")
    assert page.status_code == 200
    assert _labels(ids, [lot.pk for lot in page.context["lots"]]) == EXPECTED
    rest = APIClient()
    rest.force_authenticate(learner)
    body = rest.get("/api/credits_plugin/v1/wallet/history/").json()
    assert _labels(ids, [lot["id"] for lot in body["lots"]]) == EXPECTED
