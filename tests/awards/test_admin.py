"""The admin pages of awarded credits: lists with search and filters, history, the rules."""

import pytest
from django.urls import reverse

from credits_plugin import api
from credits_plugin.awards.models import CourseCredit
from tests.awards.conftest import COURSE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["credittype", "credit", "coursecredit", "awardedcredit", "learnerlicence"])
def test_changelists_search_and_history(admin_client, course, learner, ethics, model):
    course_credit = api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    award = api.award_for_certificate(user=learner, course_id=COURSE)[0]
    licence = api.set_licence(user=learner, accrediting_body="NASBA", licence_number="L-1")
    objects = {
        "credittype": ethics.type,
        "credit": ethics,
        "coursecredit": course_credit,
        "awardedcredit": award,
        "learnerlicence": licence,
    }

    listing = admin_client.get(reverse(f"admin:credits_plugin_{model}_changelist"), {"q": "e"})
    history = admin_client.get(reverse(f"admin:credits_plugin_{model}_history", args=[objects[model].pk]))

    assert listing.status_code == 200
    assert history.status_code == 200


def test_course_credit_form_applies_the_rules(admin_client, course, cpe, ethics):
    tax = api.create_credit(type=cpe, name="Tax", reference_number="T-1")
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    url = reverse("admin:credits_plugin_coursecredit_add")

    second = admin_client.post(url, {"course_id": COURSE, "credit": tax.pk, "amount": 100})
    bad_key = admin_client.post(url, {"course_id": "nope", "credit": tax.pk, "amount": 100})
    negative = admin_client.post(url, {"course_id": COURSE, "credit": tax.pk, "amount": -5})

    assert second.status_code == bad_key.status_code == negative.status_code == 200  # the form again
    assert CourseCredit.objects.count() == 1


def test_credit_type_form_keeps_existing_credits_valid(admin_client, course, cle):
    api.create_credit(type=cle, name="No reference")
    for name in ("A", "B"):
        api.set_course_credit(
            course_id=COURSE, credit=api.create_credit(type=cle, name=name, reference_number="R"), amount=100
        )
    url = reverse("admin:credits_plugin_credittype_change", args=[cle.pk])

    strict = admin_client.post(
        url, {"name": "CLE", "reference_required": "on", "allow_multiple_per_course": "on"}
    )
    single = admin_client.post(url, {"name": "CLE"})

    assert strict.status_code == single.status_code == 200  # the form again, with the error
    assert "need a reference number" in strict.content.decode()
    assert "allows only one per course" in single.content.decode()
    cle.refresh_from_db()
    assert (cle.reference_required, cle.allow_multiple_per_course) == (False, True)
