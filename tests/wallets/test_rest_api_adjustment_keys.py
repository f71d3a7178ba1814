"""The adjustment endpoint's idempotency key belongs to the caller: it can neither replay nor
block a transfer of anyone else, nor a key the plugin derives or the demo seed uses."""

import pytest
from rest_framework.test import APIClient

from credits_plugin import api
from credits_plugin.ledger.models import Transfer
from tests.factories import UserFactory, available

pytestmark = pytest.mark.django_db
BASE = "/api/credits_plugin/v1"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def adjust(staff, username, balance, key):
    return client_for(staff).post(
        f"{BASE}/wallets/{username}/adjustment/",
        {"balance": balance, "comment": "Correction", "idempotency_key": key},
        format="json",
    )


@pytest.fixture
def alice():
    user = UserFactory(username="alice")
    api.grant(account=api.user_wallet(user), amount=5_000, idempotency_key="seed_demo:alice:grant:welcome")
    return user


@pytest.fixture
def staff():
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    "key", ["seed_demo:alice:grant:welcome", "checkout:1:course-v1:A+B+C:verified:0", "earned:1:1:x"]
)
def test_a_client_key_never_reaches_a_key_the_plugin_uses(alice, staff, key):
    if key.startswith("checkout:"):
        api.charge(account=api.user_wallet(alice), amount=100, idempotency_key=key)
    response = adjust(staff, "alice", 1_200, key)
    assert response.status_code == 200, response.json()
    assert response.json()["available"] == 1_200
    adjustment = Transfer.objects.latest("pk")
    assert adjustment.kind == "adjustment" and adjustment.idempotency_key != key


def test_two_operators_with_the_same_key_do_not_replay_each_other(alice, staff):
    bob = UserFactory(username="bob")
    other_staff = UserFactory(username="operator2", is_staff=True, is_superuser=True)
    assert adjust(staff, "alice", 1_200, "fix-1").status_code == 200
    assert adjust(other_staff, "bob", 300, "fix-1").status_code == 200
    assert (available(alice), available(bob)) == (1_200, 300)


def test_the_same_key_for_another_request_is_a_409_and_the_same_request_replays(alice, staff):
    assert adjust(staff, "alice", 1_200, "fix-1").status_code == 200
    api.charge(account=api.user_wallet(alice), amount=200, idempotency_key="spend")
    replay = adjust(staff, "alice", 1_200, "fix-1")
    assert replay.status_code == 200 and replay.json()["available"] == 1_000  # nothing moved again
    bob = UserFactory(username="bob")
    for username, balance in (("alice", 900), ("bob", 1_200)):
        response = adjust(staff, username, balance, "fix-1")
        assert response.status_code == 409
        assert response.json()["error_code"] == "idempotency_conflict"
    assert (available(alice), available(bob)) == (1_000, 0)
