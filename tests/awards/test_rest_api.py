"""REST API for awarded credits: permissions, bad input (clear 4xx, nothing changed), schema."""

from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from credits_plugin import api
from credits_plugin.awards.models import CourseCredit, Credit, CreditType
from tests.awards.conftest import COURSE
from tests.factories import UserFactory, operator

pytestmark = pytest.mark.django_db
BASE = "/api/credits_plugin/v1"
COURSE_CREDITS = f"{BASE}/courses/{quote(COURSE)}/credits/"


@pytest.fixture
def staff(db):
    """An operator of the credits catalogue: exactly the model permissions it writes with."""
    return operator(
        "operator",
        "credits_plugin.add_credittype",
        "credits_plugin.change_credittype",
        "credits_plugin.add_credit",
        "credits_plugin.change_credit",
        "credits_plugin.change_coursecredit",
        "credits_plugin.delete_coursecredit",
        "credits_plugin.view_awardedcredit",
    )


@pytest.fixture
def course_staff(db):
    user = UserFactory(username="author")
    user.groups.add(Group.objects.create(name=f"course_staff:{COURSE}"))
    return user


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def course_credit_rows():
    return list(CourseCredit.objects.values_list("course_id", "credit_id", "amount"))


class TestCatalogue:
    def test_anonymous_is_refused(self, db):
        assert client_for().get(f"{BASE}/credit-types/").status_code == 401

    def test_learners_read_staff_write(self, learner, staff, cpe, ethics):
        assert client_for(learner).get(f"{BASE}/credit-types/").json()[0]["name"] == "CPE"
        assert client_for(learner).get(f"{BASE}/credits/").json()[0]["reference_number"] == "CPE-123"
        refused = client_for(learner).post(f"{BASE}/credit-types/", {"name": "CME"}, format="json")
        assert refused.status_code == 403
        assert not CreditType.objects.filter(name="CME").exists()

        made = client_for(staff).post(
            f"{BASE}/credit-types/", {"name": "CME", "allow_multiple_per_course": True}, format="json"
        )
        assert made.status_code == 201
        credit = client_for(staff).post(
            f"{BASE}/credits/", {"type": made.json()["id"], "name": "Cardiology"}, format="json"
        )
        assert credit.status_code == 201
        assert credit.json()["type_name"] == "CME"
        patched = client_for(staff).patch(
            f"{BASE}/credits/{credit.json()['id']}/", {"unit_label": "points"}, format="json"
        )
        assert patched.json()["unit_label"] == "points"

    def test_missing_reference_number_is_a_400(self, staff, cpe):
        response = client_for(staff).post(
            f"{BASE}/credits/", {"type": cpe.pk, "name": "Audit"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["error_code"] == "reference_number_required"
        assert not Credit.objects.exists()

    def test_duplicate_type_and_unknown_type(self, staff, cpe):
        duplicate = client_for(staff).post(f"{BASE}/credit-types/", {"name": "CPE"}, format="json")
        unknown = client_for(staff).post(f"{BASE}/credits/", {"type": 999, "name": "X"}, format="json")
        assert (duplicate.status_code, duplicate.json()["error_code"]) == (409, "duplicate_name")
        assert (unknown.status_code, unknown.json()["error_code"]) == (404, "unknown_credit_type")


class TestCourseCredits:
    def test_read_by_anyone_signed_in(self, course, learner, ethics):
        api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
        body = client_for(learner).get(COURSE_CREDITS).json()
        assert body == [
            {
                "credit": ethics.pk,
                "type_name": "CPE",
                "credit_name": "Ethics",
                "unit_label": "hours",
                "reference_number": "CPE-123",
                "accrediting_body": "NASBA",
                "active": True,
                "amount": 150,
            }
        ]

    @pytest.mark.parametrize("who", ["staff", "course_staff"])
    def test_staff_and_course_staff_write(self, request, course, ethics, who):
        client = client_for(request.getfixturevalue(who))
        put = client.put(COURSE_CREDITS, {"credit": ethics.pk, "amount": 150}, format="json")
        assert put.status_code == 200
        assert course_credit_rows() == [(COURSE, ethics.pk, 150)]
        deleted = client.delete(f"{COURSE_CREDITS}?credit={ethics.pk}")
        assert (deleted.status_code, deleted.json()) == (200, [])

    def test_learner_and_staff_of_another_course_cannot_write(self, course, learner, ethics):
        other = UserFactory(username="other-author")
        other.groups.add(Group.objects.create(name="course_staff:course-v1:DemoX+Other+2026"))
        for user in (learner, other):
            response = client_for(user).put(
                COURSE_CREDITS, {"credit": ethics.pk, "amount": 150}, format="json"
            )
            assert response.status_code == 403
        assert course_credit_rows() == []

    @pytest.mark.parametrize(
        ("url", "payload", "status", "code"),
        [
            (f"{BASE}/courses/not-a-key/credits/", {"amount": 150}, 400, "invalid_course_key"),
            (
                f"{BASE}/courses/{quote('course-v1:No+Such+Course')}/credits/",
                {"amount": 150},
                404,
                "unknown_course",
            ),
            (COURSE_CREDITS, {"amount": -150}, 400, "invalid_amount"),
            (COURSE_CREDITS, {"amount": 0}, 400, "invalid_amount"),
            (COURSE_CREDITS, {"amount": 1.5}, 400, "invalid_amount"),
            (COURSE_CREDITS, {"amount": "150"}, 400, "invalid_amount"),
            (COURSE_CREDITS, {"amount": 150, "credit": 9999}, 404, "unknown_credit"),
        ],
    )
    def test_bad_input_is_a_clear_4xx_and_changes_nothing(
        self, course, staff, ethics, url, payload, status, code
    ):
        payload = {"credit": ethics.pk, **payload}
        response = client_for(staff).put(url, payload, format="json")
        assert response.status_code == status
        assert response.json()["error_code"] == code
        assert response.json()["developer_message"]
        assert course_credit_rows() == []

    def test_second_credit_of_a_single_credit_type(self, course, staff, cpe, ethics):
        tax = api.create_credit(type=cpe, name="Tax", reference_number="T-1")
        client_for(staff).put(COURSE_CREDITS, {"credit": ethics.pk, "amount": 150}, format="json")

        response = client_for(staff).put(COURSE_CREDITS, {"credit": tax.pk, "amount": 100}, format="json")

        assert (response.status_code, response.json()["error_code"]) == (409, "one_credit_per_type")
        assert course_credit_rows() == [(COURSE, ethics.pk, 150)]

    def test_credit_whose_type_now_requires_a_reference(self, course, staff, cle):
        credit = api.create_credit(type=cle, name="No ref")
        CreditType.objects.filter(pk=cle.pk).update(reference_required=True)
        response = client_for(staff).put(COURSE_CREDITS, {"credit": credit.pk, "amount": 100}, format="json")
        assert (response.status_code, response.json()["error_code"]) == (400, "reference_number_required")
        assert course_credit_rows() == []


class TestAwards:
    @pytest.fixture
    def awarded(self, course, learner, ethics):
        api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
        api.award_for_certificate(user=learner, course_id=COURSE, certificate_id="uuid-1")

    def test_own_awards_summary_and_transcript(self, awarded, learner):
        client = client_for(learner)
        awards = client.get(f"{BASE}/awards/").json()
        summary = client.get(f"{BASE}/awards/summary/").json()
        transcript = client.get(f"{BASE}/awards/transcript.csv")

        assert [(a["credit_name"], a["amount"], a["certificate_id"]) for a in awards] == [
            ("Ethics", 150, "uuid-1")
        ]
        assert summary["by_type"] == [{"type_name": "CPE", "unit_label": "hours", "amount": 150}]
        assert summary["courses"][0]["course_id"] == COURSE
        assert transcript.status_code == 200
        assert transcript["Content-Type"].startswith("text/csv")
        text = transcript.content.decode()
        assert "Ethics,1.50,hours,CPE-123,NASBA" in text

    def test_others_awards_need_view_awardedcredit(self, awarded, learner, staff):
        snoop = UserFactory(username="snoop")
        plain_staff = operator("plain_staff")
        for who in ("cora", "nobody"):
            refused = client_for(plain_staff).get(f"{BASE}/awards/summary/?username={who}")
            assert refused.status_code == 403, who
        assert client_for(snoop).get(f"{BASE}/awards/?username=cora").status_code == 403
        assert client_for(snoop).get(f"{BASE}/awards/transcript.csv?username=cora").status_code == 403
        assert client_for(snoop).get(f"{BASE}/awards/").json() == []
        assert len(client_for(staff).get(f"{BASE}/awards/?username=cora").json()) == 1
        missing = client_for(staff).get(f"{BASE}/awards/summary/?username=nobody")
        assert (missing.status_code, missing.json()["error_code"]) == (404, "unknown_user")


def test_schema_lists_the_endpoints(db):
    schema = client_for(UserFactory(is_staff=True)).get(f"{BASE}/schema/")
    text = schema.content.decode()
    for path in (
        "/credit-types/",
        "/credits/",
        "/courses/{course_id}/credits/",
        "/awards/summary/",
        "/awards/transcript.csv",
    ):
        assert path in text
