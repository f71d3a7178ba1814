"""Who may see whose wallet, and that asking never tells who exists."""

import pytest
from rest_framework.test import APIClient

from credits_plugin import api
from credits_plugin.exceptions import UnknownUser, WalletNotVisible
from credits_plugin.wallets.models import Organisation, OrganisationMember
from tests.factories import UserFactory, operator

pytestmark = pytest.mark.django_db
BASE = "/api/credits_plugin/v1"
ENDPOINTS = [f"{BASE}/wallet/", f"{BASE}/wallet/history/"]


@pytest.fixture
def people():
    alice = UserFactory(username="alice", email="alice@example.com")
    bob = UserFactory(username="bob", email="bob@example.com")
    api.grant(account=api.user_wallet(bob), amount=700, idempotency_key="fund-bob")
    org = Organisation.objects.create(key="HealthU", name="Health U")
    boss = UserFactory(username="boss")
    OrganisationMember.objects.create(organisation=org, user=boss, role="admin")
    member = UserFactory(username="member", email="member@example.com")
    OrganisationMember.objects.create(organisation=org, user=member)
    return {"alice": alice, "bob": bob, "boss": boss, "member": member}


def answer(user, endpoint, who):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(endpoint, {"username": who})
    return response.status_code, response.json()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("viewer", ["alice", "boss", "plain_staff"])
def test_an_unknown_user_and_a_hidden_one_look_the_same(people, endpoint, viewer):
    user = operator("staffer") if viewer == "plain_staff" else people[viewer]
    bob = people["bob"]
    answers = {
        who: answer(user, endpoint, who)
        for who in ("bob", "bob@example.com", str(bob.pk), "nobody", "nobody@example.com", "999999")
    }
    hidden = (
        403,
        {"error_code": "wallet_not_visible", "developer_message": str(WalletNotVisible.default_message)},
    )
    assert {who: a for who, a in answers.items() if a != hidden} == {}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_organisation_admins_see_their_members_by_username_email_or_id(people, endpoint):
    member = people["member"]
    for who in ("member", "member@example.com", str(member.pk)):
        status, _body = answer(people["boss"], endpoint, who)
        assert status == 200, who


def test_everyone_sees_their_own_wallet_however_they_name_themselves(people):
    alice = people["alice"]
    for who in ("", "alice", "alice@example.com", str(alice.pk)):
        assert answer(alice, f"{BASE}/wallet/", who) == (
            200,
            {
                "username": "alice",
                "unit": "credits",
                "balance": 0,
                "held": 0,
                "available": 0,
                "overdraft_limit": 0,
                "enabled": False,
            },
        )


def test_holders_of_view_account_see_anyone_and_learn_who_does_not_exist(people):
    auditor = operator("auditor", "credits_plugin.view_account")
    assert answer(auditor, f"{BASE}/wallet/", "bob")[1]["available"] == 700
    status, body = answer(auditor, f"{BASE}/wallet/", "nobody")
    assert (status, body["error_code"]) == (404, "unknown_user")


class TestWalletOwnerService:
    """The rule lives behind credits_plugin.api, not in the REST module."""

    def test_the_rule(self, people):
        bob, boss, member = people["bob"], people["boss"], people["member"]
        assert api.wallet_owner(viewer=bob, identifier=None) == bob
        assert api.wallet_owner(viewer=boss, identifier="member@example.com") == member
        with pytest.raises(WalletNotVisible):
            api.wallet_owner(viewer=boss, identifier="bob")
        with pytest.raises(WalletNotVisible):
            api.wallet_owner(viewer=boss, identifier="ghost")
        with pytest.raises(WalletNotVisible):
            api.wallet_owner(viewer=member, identifier="boss")
        auditor = operator("auditor", "credits_plugin.view_account")
        assert api.wallet_owner(viewer=auditor, identifier=str(bob.pk)) == bob
        with pytest.raises(UnknownUser):
            api.wallet_owner(viewer=auditor, identifier="ghost")

    def test_the_rest_module_does_not_query_memberships(self):
        from credits_plugin.rest_api.v1 import wallets

        assert not hasattr(wallets, "OrganisationMember")
