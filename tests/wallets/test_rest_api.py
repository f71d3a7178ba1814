"""REST API for wallets: who sees what, operator actions, and clear 4xx answers on bad input."""

import pytest
from edx_toggles.toggles.testutils import override_waffle_switch
from rest_framework.test import APIClient

from credits_plugin import api
from credits_plugin.ledger.models import Transfer
from credits_plugin.toggles import CREDITS_ENABLED
from credits_plugin.wallets.models import Organisation, OrganisationMember
from tests.factories import UserFactory, operator

pytestmark = pytest.mark.django_db
BASE = "/api/credits_plugin/v1"


@pytest.fixture
def learner():
    user = UserFactory(username="alice")
    api.grant(account=api.user_wallet(user), amount=5_000, idempotency_key="fund-alice")
    return user


@pytest.fixture
def staff():
    return operator(
        "operator",
        "credits_plugin.give_credits",
        "credits_plugin.undo_batch",
        "credits_plugin.view_grantbatch",
        "credits_plugin.view_account",
    )


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


class TestWallet:
    def test_anonymous_is_refused(self):
        assert client_for().get(f"{BASE}/wallet/").status_code == 401

    def test_learner_sees_own_balance(self, learner):
        body = client_for(learner).get(f"{BASE}/wallet/").json()
        assert body == {
            "username": "alice",
            "unit": "credits",
            "balance": 5_000,
            "held": 0,
            "available": 5_000,
            "overdraft_limit": 0,
            "enabled": False,
        }

    def test_balance_says_whether_wallet_credits_are_switched_on(self, learner):
        # The MFE widgets hide the balance when credits are off, as the server pages do.
        with override_waffle_switch(CREDITS_ENABLED, active=True):
            assert client_for(learner).get(f"{BASE}/wallet/").json()["enabled"] is True
        with override_waffle_switch(CREDITS_ENABLED, active=False):
            assert client_for(learner).get(f"{BASE}/wallet/").json()["enabled"] is False

    def test_learner_cannot_see_another_wallet(self, learner):
        UserFactory(username="bob")
        response = client_for(learner).get(f"{BASE}/wallet/", {"username": "bob"})
        assert response.status_code == 403

    def test_staff_and_organisation_admin_see_members(self, learner, staff):
        assert client_for(staff).get(f"{BASE}/wallet/", {"username": "alice"}).json()["available"] == 5_000
        org = Organisation.objects.create(key="HealthU", name="Health U")
        boss = UserFactory(username="boss")
        OrganisationMember.objects.create(organisation=org, user=boss, role="admin")
        OrganisationMember.objects.create(organisation=org, user=learner)
        assert client_for(boss).get(f"{BASE}/wallet/", {"username": "alice"}).status_code == 200

    def test_unknown_user_is_404(self, staff):
        response = client_for(staff).get(f"{BASE}/wallet/", {"username": "nobody"})
        assert response.status_code == 404
        assert response.json()["error_code"] == "unknown_user"

    def test_history_lists_transfers_and_lots(self, learner):
        api.charge(account=api.user_wallet(learner), amount=1_000, idempotency_key="c")
        body = client_for(learner).get(f"{BASE}/wallet/history/").json()
        assert [(r["kind"], r["amount"]) for r in body["results"]] == [("charge", -1_000), ("grant", 5_000)]
        assert [lot["remaining"] for lot in body["lots"]] == [4_000]
        assert client_for(learner).get(f"{BASE}/wallet/history/", {"before": "x"}).status_code == 400


class TestOperatorEndpoints:
    def test_learners_cannot_grant(self, learner):
        response = client_for(learner).post(
            f"{BASE}/batches/",
            {"action": "grant", "target": "all", "amount": 100, "comment": "x"},
            format="json",
        )
        assert response.status_code == 403
        assert Transfer.objects.count() == 1

    def test_preview_then_grant_then_undo(self, learner, staff, django_capture_on_commit_callbacks):
        client = client_for(staff)
        payload = {
            "action": "grant",
            "target": "user",
            "target_value": "alice",
            "amount": 250,
            "comment": "Bonus",
            "idempotency_key": "bonus-1",
        }
        preview = client.post(f"{BASE}/batches/", {**payload, "preview": True}, format="json").json()
        assert preview == {"users": 1, "total": 250}
        with django_capture_on_commit_callbacks(execute=True):
            created = client.post(f"{BASE}/batches/", payload, format="json")
        assert created.status_code == 201
        batch_id = created.json()["id"]
        assert client.get(f"{BASE}/batches/{batch_id}/").json()["status"] == "done"
        assert api.balance(api.user_wallet(learner)).available == 5_250
        with django_capture_on_commit_callbacks(execute=True):
            undo = client.post(f"{BASE}/batches/{batch_id}/undo/")
        assert undo.status_code == 202 and undo.json()["id"] == batch_id
        body = client.get(f"{BASE}/batches/{batch_id}/").json()
        assert (body["status"], body["undo_reversed"], body["undo_problems"]) == ("undone", 1, [])
        assert api.balance(api.user_wallet(learner)).available == 5_000

    @pytest.mark.parametrize(
        ("payload", "code"),
        [
            ({"action": "grant", "target": "all", "amount": 0, "comment": "x"}, "invalid_amount"),
            ({"action": "grant", "target": "all", "amount": -1, "comment": "x"}, "invalid_amount"),
            ({"action": "grant", "target": "all", "amount": "ten", "comment": "x"}, "invalid_amount"),
            (
                {"action": "grant", "target": "user", "target_value": "ghost", "amount": 1, "comment": "x"},
                "unknown_user",
            ),
            (
                {"action": "grant", "target": "group", "target_value": "none", "amount": 1, "comment": "x"},
                "unknown_target",
            ),
            ({"action": "fly", "target": "all", "amount": 1, "comment": "x"}, "invalid_request"),
            ({"action": "grant", "target": "all", "amount": 1}, "invalid_request"),
        ],
    )
    def test_bad_batches_get_a_clear_4xx_and_change_nothing(self, learner, staff, payload, code):
        response = client_for(staff).post(
            f"{BASE}/batches/", {**payload, "idempotency_key": "k"}, format="json"
        )
        assert 400 <= response.status_code < 500
        assert response.json()["error_code"] == code
        assert Transfer.objects.count() == 1

    def test_adjustment_sets_the_balance(self, learner, staff):
        response = client_for(staff).post(
            f"{BASE}/wallets/alice/adjustment/", {"balance": 1_200, "comment": "Correction"}, format="json"
        )
        assert response.status_code == 200 and response.json()["available"] == 1_200
        adjustment = Transfer.objects.latest("pk")
        assert (adjustment.kind, adjustment.reason, adjustment.actor) == ("adjustment", "Correction", staff)
        missing_comment = client_for(staff).post(
            f"{BASE}/wallets/alice/adjustment/", {"balance": 5}, format="json"
        )
        assert missing_comment.status_code == 400


class TestCheckoutInputErrors:
    def test_invalid_course_key(self, learner):
        response = client_for(learner).post(
            f"{BASE}/checkout/", {"course_id": "not a key", "mode": "verified"}
        )
        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_course_key"

    def test_prices_of_an_invalid_course_key(self, learner):
        assert client_for(learner).get(f"{BASE}/courses/nonsense/prices/").status_code == 400


def test_openapi_schema_documents_the_wallet_api(learner):
    response = client_for(learner).get(f"{BASE}/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for expected in ("/wallet/", "/batches/", "/checkout/", "/checkout/quote/"):
        assert f"{BASE}{expected}" in paths
