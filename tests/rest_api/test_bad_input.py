"""Bad input to the REST API is a 4xx with a message, never a server error, and changes nothing:
Unicode digits where ids or cursors go, and amounts beyond the ledger's range."""

import pytest
from rest_framework.test import APIClient

from credits_plugin import api
from credits_plugin.awards.models import CourseCredit
from credits_plugin.ledger.models import Transfer
from credits_plugin.wallets.models import CreditGroup, GrantBatch
from tests.factories import UserFactory, make_paid_course

pytestmark = pytest.mark.django_db
BASE = "/api/credits_plugin/v1"
COURSE = "course-v1:DemoX+Ethics+2026"
SUPERSCRIPT_TWO = "\u00b2"
ARABIC_123 = "\u0661\u0662\u0663"
RANGE = "(0.01 to 10,000,000,000,000.00)"
ID_MESSAGE = "An id is a whole number (digits 0-9) greater than zero."


@pytest.fixture
def learner():
    user = UserFactory(username="alice")
    api.grant(account=api.user_wallet(user), amount=5_000, idempotency_key="fund-alice")
    return user


@pytest.fixture
def staff():
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestUnicodeDigits:
    @pytest.mark.parametrize("username", [SUPERSCRIPT_TWO, ARABIC_123])
    def test_usernames_or_ids(self, staff, learner, username):
        """Other digits than 0-9 are no user id: looked up as a username, 404 when there is none."""
        wallet = client_for(staff).get(f"{BASE}/wallet/", {"username": username})
        adjust = client_for(staff).post(
            f"{BASE}/wallets/{username}/adjustment/", {"balance": 1, "comment": "x"}, format="json"
        )
        batch = client_for(staff).post(
            f"{BASE}/batches/",
            {
                "action": "grant",
                "target": "user",
                "target_value": username,
                "amount": 1,
                "comment": "x",
                "idempotency_key": "k",
            },
            format="json",
        )
        assert [r.status_code for r in (wallet, adjust, batch)] == [404, 404, 404]
        assert {r.json()["error_code"] for r in (wallet, adjust, batch)} == {"unknown_user"}
        assert Transfer.objects.count() == 1 and not GrantBatch.objects.exists()

    def test_a_unicode_digit_username_is_found(self, staff):
        UserFactory(username=ARABIC_123)
        response = client_for(staff).get(f"{BASE}/wallet/", {"username": ARABIC_123})
        assert (response.status_code, response.json()["username"]) == (200, ARABIC_123)

    @pytest.mark.parametrize("group", [SUPERSCRIPT_TWO, ARABIC_123])
    def test_group_names_or_ids(self, staff, group):
        CreditGroup.objects.create(name="Nurses")
        response = client_for(staff).post(
            f"{BASE}/batches/",
            {
                "action": "grant",
                "target": "group",
                "target_value": group,
                "amount": 1,
                "comment": "x",
                "idempotency_key": "k",
            },
            format="json",
        )
        assert (response.status_code, response.json()["error_code"]) == (404, "unknown_target")

    @pytest.mark.parametrize("before", [SUPERSCRIPT_TWO, ARABIC_123, "9" * 30, "-1", "1.5"])
    def test_history_cursor(self, learner, before):
        response = client_for(learner).get(f"{BASE}/wallet/history/", {"before": before})
        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_cursor"
        assert "0-9" in response.json()["developer_message"]

    def test_history_cursor_of_ascii_digits_pages(self, learner):
        newest = Transfer.objects.get().pk
        body = client_for(learner).get(f"{BASE}/wallet/history/", {"before": str(newest + 1)}).json()
        assert [r["id"] for r in body["results"]] == [newest]
        assert (
            client_for(learner).get(f"{BASE}/wallet/history/", {"before": str(newest)}).json()["results"]
            == []
        )

    @pytest.mark.parametrize("credit", [SUPERSCRIPT_TWO, ARABIC_123])
    def test_credit_ids(self, staff, credit):
        make_paid_course(COURSE)
        ethics = api.create_credit(type=api.create_credit_type(name="CPE"), name="Ethics")
        assert ethics.pk < 123
        url = f"{BASE}/courses/{COURSE}/credits/"
        client = client_for(staff)
        deleted = client.delete(f"{url}?credit={credit}")
        put = client.put(url, {"credit": credit, "amount": 150}, format="json")
        made = client.post(f"{BASE}/credits/", {"type": credit, "name": "X"}, format="json")
        assert (deleted.status_code, deleted.json()["error_code"]) == (400, "invalid_value")
        assert "0-9" in deleted.json()["developer_message"]
        assert (put.status_code, put.json()["field_errors"]["credit"]) == (400, [ID_MESSAGE])
        assert (made.status_code, list(made.json()["field_errors"])) == (400, ["type"])
        assert not CourseCredit.objects.exists()


class TestAmountRange:
    def test_course_credit_amount_beyond_the_ledger(self, staff):
        make_paid_course(COURSE)
        ethics = api.create_credit(type=api.create_credit_type(name="CPE"), name="Ethics")
        response = client_for(staff).put(
            f"{BASE}/courses/{COURSE}/credits/", {"credit": ethics.pk, "amount": 10**20}, format="json"
        )
        assert (response.status_code, response.json()["error_code"]) == (400, "invalid_amount")
        assert RANGE in response.json()["developer_message"]
        assert not CourseCredit.objects.exists()

    @pytest.mark.parametrize("preview", [False, True])
    def test_batch_amount_beyond_the_ledger_leaves_no_row(self, staff, learner, preview):
        response = client_for(staff).post(
            f"{BASE}/batches/",
            {
                "action": "grant",
                "target": "all",
                "amount": 10**20,
                "comment": "x",
                "preview": preview,
                "idempotency_key": "k",
            },
            format="json",
        )
        assert (response.status_code, response.json()["error_code"]) == (400, "invalid_amount")
        assert "to 10,000,000,000,000.00)" in response.json()["developer_message"]
        assert not GrantBatch.objects.exists() and Transfer.objects.count() == 1

    def test_batch_amount_from_python_beyond_the_ledger_leaves_no_row(self, learner):
        from credits_plugin import exceptions

        with pytest.raises(exceptions.InvalidAmount):
            api.start_batch(action="reset", target="all", amount=10**20, comment="x")
        assert not GrantBatch.objects.exists()

    def test_adjustment_beyond_the_ledger(self, staff, learner):
        response = client_for(staff).post(
            f"{BASE}/wallets/alice/adjustment/", {"balance": 10**20, "comment": "x"}, format="json"
        )
        assert (response.status_code, response.json()["error_code"]) == (400, "invalid_amount")
        assert Transfer.objects.count() == 1

    def test_the_maximum_is_accepted(self, staff):
        make_paid_course(COURSE)
        ethics = api.create_credit(type=api.create_credit_type(name="CPE"), name="Ethics")
        response = client_for(staff).put(
            f"{BASE}/courses/{COURSE}/credits/", {"credit": ethics.pk, "amount": 10**15}, format="json"
        )
        assert response.status_code == 200
        assert CourseCredit.objects.get().amount == 10**15
