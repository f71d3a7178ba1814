"""The admin's *Edit balance* form: the key it posts belongs to the operator, so a key posted
by hand cannot replay or block a transfer the plugin (or anyone else) made."""

import pytest
from django.urls import reverse

from credits_plugin import api
from credits_plugin.ledger.models import Transfer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_posted_key_cannot_reach_a_key_the_plugin_uses(client):
    learner = UserFactory(username="alice")
    wallet = api.user_wallet(learner)
    api.grant(account=wallet, amount=5_000, idempotency_key="seed_demo:alice:grant:welcome")
    operator = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(operator)
    url = reverse("admin:credits_plugin_account_set_balance", args=[wallet.pk])
    response = client.post(
        url,
        {"balance": "12.00", "comment": "Fix", "confirm": "1", "key": "seed_demo:alice:grant:welcome"},
    )
    assert response.status_code == 302
    assert api.balance(wallet).available == 1_200
    adjustment = Transfer.objects.latest("pk")
    assert adjustment.kind == "adjustment"
    assert adjustment.idempotency_key == f"admin-adjust:{operator.pk}:seed_demo:alice:grant:welcome"
    # Confirming twice (a double click) moves nothing more.
    client.post(
        url, {"balance": "12.00", "comment": "Fix", "confirm": "1", "key": "seed_demo:alice:grant:welcome"}
    )
    assert Transfer.objects.filter(kind="adjustment").count() == 1
