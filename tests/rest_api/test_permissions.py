"""Every REST write (and the operator reads) needs a named permission, never is_staff alone."""

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from credits_plugin.awards.models import CourseCredit
from tests.factories import UserFactory, grant_permissions, operator
from tests.objects import COURSE, snapshot

pytestmark = pytest.mark.django_db
BASE = "/api/credits_plugin/v1"


@dataclass
class Call:
    method: str
    url: str
    needs: str
    data: dict | None = None

    def __call__(self, client: APIClient):
        return getattr(client, self.method)(self.url, self.data, format="json")

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.url}"


def calls(objects) -> list[Call]:
    batch = objects["grantbatch"].pk
    credit_type = objects["credittype"].pk
    credit = objects["credit"].pk
    grant = {"action": "grant", "target": "user", "target_value": "alice", "amount": 100, "comment": "x"}
    return [
        Call("get", f"{BASE}/batches/", "credits_plugin.view_grantbatch"),
        Call("get", f"{BASE}/batches/{batch}/", "credits_plugin.view_grantbatch"),
        Call("post", f"{BASE}/batches/", "credits_plugin.give_credits", {**grant, "preview": True}),
        Call("post", f"{BASE}/batches/", "credits_plugin.give_credits", {**grant, "idempotency_key": "g"}),
        Call(
            "post",
            f"{BASE}/batches/",
            "credits_plugin.give_credits",
            {**grant, "action": "reset", "idempotency_key": "r"},
        ),
        Call(
            "post",
            f"{BASE}/wallets/alice/adjustment/",
            "credits_plugin.give_credits",
            {"balance": 1_000, "comment": "Correction"},
        ),
        Call("post", f"{BASE}/batches/{batch}/undo/", "credits_plugin.undo_batch"),
        Call("post", f"{BASE}/credit-types/", "credits_plugin.add_credittype", {"name": "CME"}),
        Call(
            "patch",
            f"{BASE}/credit-types/{credit_type}/",
            "credits_plugin.change_credittype",
            {"description": "Continuing education"},
        ),
        Call(
            "post",
            f"{BASE}/credits/",
            "credits_plugin.add_credit",
            {"type": credit_type, "name": "Audit", "reference_number": "CPE-2"},
        ),
        Call("patch", f"{BASE}/credits/{credit}/", "credits_plugin.change_credit", {"unit_label": "points"}),
    ]


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_staff_without_permissions_get_403_and_change_nothing(every_object):
    staff = client_for(operator("staffer"))
    before = snapshot()
    answers = {str(call): call(staff).status_code for call in calls(every_object)}
    assert {call: status for call, status in answers.items() if status != 403} == {}
    assert snapshot() == before


def test_learners_get_403_and_change_nothing(every_object):
    learner = client_for(every_object["account"].user)
    before = snapshot()
    answers = {str(call): call(learner).status_code for call in calls(every_object)}
    assert {call: status for call, status in answers.items() if status != 403} == {}
    assert snapshot() == before


def test_a_403_names_the_permission_to_ask_for(every_object):
    response = client_for(operator("staffer")).post(
        f"{BASE}/wallets/alice/adjustment/", {"balance": 1, "comment": "x"}, format="json"
    )
    assert "credits_plugin.give_credits" in response.json()["developer_message"]


def test_staff_with_exactly_the_needed_permission_are_allowed(every_object):
    refused = {}
    for number, call in enumerate(calls(every_object)):
        response = call(client_for(operator(f"op{number}", call.needs)))
        if not 200 <= response.status_code < 300:
            refused[str(call)] = (call.needs, response.status_code)
    assert refused == {}


def test_superusers_are_allowed(every_object):
    root = client_for(UserFactory(username="root", is_staff=True, is_superuser=True))
    refused = {
        str(c): r.status_code for c in calls(every_object) if not 200 <= (r := c(root)).status_code < 300
    }
    assert refused == {}


def test_inactive_holders_of_a_permission_are_refused(every_object):
    giver = operator("giver", "credits_plugin.give_credits", is_active=False)
    call = calls(every_object)[5]
    assert call.needs == "credits_plugin.give_credits"
    before = snapshot()
    assert call(client_for(giver)).status_code == 403
    assert snapshot() == before


class TestCourseCredits:
    """A course's credits: its authors as the platform says, or the plugin's model permissions."""

    url = f"{BASE}/courses/{quote(COURSE)}/credits/"

    def test_change_needs_change_coursecredit_and_delete_needs_delete(self, every_object):
        credit = every_object["credit"]
        changer = grant_permissions(UserFactory(username="changer"), "credits_plugin.change_coursecredit")
        put = client_for(changer).put(self.url, {"credit": credit.pk, "amount": 300}, format="json")
        assert put.status_code == 200
        assert CourseCredit.objects.get(credit=credit).amount == 300
        refused = client_for(changer).delete(f"{self.url}?credit={credit.pk}")
        assert refused.status_code == 403
        assert CourseCredit.objects.filter(credit=credit).exists()

        remover = grant_permissions(UserFactory(username="remover"), "credits_plugin.delete_coursecredit")
        assert client_for(remover).delete(f"{self.url}?credit={credit.pk}").status_code == 200
        assert not CourseCredit.objects.filter(credit=credit).exists()

    def test_course_staff_by_the_platform_write_and_others_do_not(self, every_object):
        credit = every_object["credit"]
        author = UserFactory(username="author")
        author.groups.add(Group.objects.create(name=f"course_staff:{COURSE}"))
        nobody = UserFactory(username="nobody")
        assert (
            client_for(nobody).put(self.url, {"credit": credit.pk, "amount": 5}, format="json").status_code
            == 403
        )
        assert CourseCredit.objects.get(credit=credit).amount == 150
        assert (
            client_for(author).put(self.url, {"credit": credit.pk, "amount": 5}, format="json").status_code
            == 200
        )
