"""Awarded credits: the rules of the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from credits_plugin import api, exceptions
from credits_plugin.awards.models import AwardedCredit, CourseCredit, Credit, LearnerLicence
from tests.awards.conftest import COURSE, OTHER_COURSE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_set_course_credit_and_change_amount(course, ethics):
    first = api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    again = api.set_course_credit(course_id=COURSE, credit=ethics.pk, amount=200)

    assert first.pk == again.pk
    assert CourseCredit.objects.get().amount == 200
    assert [c.credit.name for c in api.course_credits(COURSE)] == ["Ethics"]


@pytest.mark.parametrize("amount", [0, -150, 1.5, "150", True, None])
def test_bad_amounts_are_refused(course, ethics, amount):
    with pytest.raises(exceptions.InvalidAmount):
        api.set_course_credit(course_id=COURSE, credit=ethics, amount=amount)
    assert not CourseCredit.objects.exists()


def test_invalid_and_unknown_course_keys(db, ethics):
    with pytest.raises(exceptions.InvalidCourseKey) as invalid:
        api.set_course_credit(course_id="not a key", credit=ethics, amount=100)
    with pytest.raises(exceptions.UnknownCourse) as unknown:
        api.set_course_credit(course_id="course-v1:Nobody+X+1", credit=ethics, amount=100)
    assert (invalid.value.status_code, unknown.value.status_code) == (400, 404)
    assert not CourseCredit.objects.exists()


def test_second_credit_of_a_single_credit_type_is_refused(course, cpe, ethics):
    tax = api.create_credit(type=cpe, name="Tax", reference_number="CPE-9")
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=100)

    with pytest.raises(exceptions.OneCreditPerType) as refused:
        api.set_course_credit(course_id=COURSE, credit=tax, amount=100)

    assert refused.value.status_code == 409
    assert CourseCredit.objects.count() == 1


def test_several_credits_of_a_type_that_allows_them(course, cle):
    for name in ("Ethics", "Skills"):
        api.set_course_credit(course_id=COURSE, credit=api.create_credit(type=cle, name=name), amount=100)
    assert CourseCredit.objects.count() == 2


def test_reference_number_required_on_create_and_on_course(course, cpe, cle):
    with pytest.raises(exceptions.ReferenceNumberRequired):
        api.create_credit(type=cpe, name="No reference")
    assert not Credit.objects.filter(name="No reference").exists()

    credit = api.create_credit(type=cle, name="Later CPE")
    # Moving it to a type that needs a reference number, without one, is refused too.
    with pytest.raises(exceptions.ReferenceNumberRequired):
        api.update_credit(credit, type=cpe)
    # A type switched to "reference required" while a credit lacks one is refused.
    with pytest.raises(exceptions.ReferenceNumberRequired):
        api.update_credit_type(cle, reference_required=True)
    # A credit whose type became strict later (e.g. in the admin) cannot go on a course.
    cle.reference_required = True
    cle.save()
    with pytest.raises(exceptions.ReferenceNumberRequired):
        api.set_course_credit(course_id=COURSE, credit=credit, amount=100)
    assert not CourseCredit.objects.exists()


def test_inactive_credit_cannot_go_on_a_course(course, ethics):
    api.update_credit(ethics, active=False)
    with pytest.raises(exceptions.CreditInactive):
        api.set_course_credit(course_id=COURSE, credit=ethics, amount=100)


def test_duplicate_type_name(db, cpe):
    with pytest.raises(exceptions.DuplicateName):
        api.create_credit_type(name="CPE")


def test_award_is_idempotent_and_snapshotted(course, learner, ethics):
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    issued = timezone.now() - timedelta(days=1)

    first = api.award_for_certificate(user=learner, course_id=COURSE, certificate_id="abc", issued_at=issued)
    again = api.award_for_certificate(user=learner, course_id=COURSE, certificate_id="abc")

    assert [a.pk for a in first] == [a.pk for a in again]
    award = AwardedCredit.objects.get()
    assert (award.amount, award.unit_label, award.credit_name, award.type_name) == (
        150,
        "hours",
        "Ethics",
        "CPE",
    )
    assert (award.reference_number, award.accrediting_body, award.certificate_id) == (
        "CPE-123",
        "NASBA",
        "abc",
    )
    assert award.issued_at == issued

    # Later changes of the course and the credit never change the award.
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=300)
    api.update_credit(ethics, name="Ethics II", reference_number="CPE-999")
    api.award_for_certificate(user=learner, course_id=COURSE, certificate_id="abc")
    award.refresh_from_db()
    assert (award.amount, award.credit_name, award.reference_number) == (150, "Ethics", "CPE-123")


def test_revoke_and_reissue_restores_without_duplicates(course, learner, ethics):
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    api.award_for_certificate(user=learner, course_id=COURSE, certificate_id="abc")

    assert api.revoke_for_certificate(user=learner, course_id=COURSE) == 1
    assert api.revoke_for_certificate(user=learner, course_id=COURSE) == 0
    award = AwardedCredit.objects.get()
    assert award.status == "revoked" and award.revoked_at is not None
    assert list(api.awards(user=learner)) == []

    api.award_for_certificate(user=learner, course_id=COURSE, certificate_id="abc")
    award.refresh_from_db()
    assert AwardedCredit.objects.count() == 1
    assert (award.status, award.revoked_at) == ("awarded", None)
    assert award.history.count() == 3


def test_inactive_credits_are_not_awarded(course, learner, ethics):
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    api.update_credit(ethics, active=False)
    assert api.award_for_certificate(user=learner, course_id=COURSE) == []


def test_learner_summary(course, other_course, learner, cpe, ethics, cle):
    skills = api.create_credit(type=cle, name="Skills", unit_label="credits")
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    api.set_course_credit(course_id=COURSE, credit=skills, amount=100)
    api.set_course_credit(course_id=OTHER_COURSE, credit=ethics, amount=225)
    api.award_for_certificate(user=learner, course_id=COURSE)
    api.award_for_certificate(user=learner, course_id=OTHER_COURSE)
    api.award_for_certificate(user=UserFactory(), course_id=COURSE)  # someone else's

    summary = api.learner_summary(user=learner)

    assert summary["by_type"] == [
        {"type_name": "CLE", "unit_label": "credits", "amount": 100},
        {"type_name": "CPE", "unit_label": "hours", "amount": 375},
    ]
    assert summary["by_credit"] == [
        {"type_name": "CLE", "credit_name": "Skills", "unit_label": "credits", "amount": 100},
        {"type_name": "CPE", "credit_name": "Ethics", "unit_label": "hours", "amount": 375},
    ]
    assert {c["course_id"]: len(c["credits"]) for c in summary["courses"]} == {COURSE: 2, OTHER_COURSE: 1}


def test_remove_course_credit_keeps_awards(course, learner, ethics):
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    api.award_for_certificate(user=learner, course_id=COURSE)

    assert api.remove_course_credit(course_id=COURSE, credit=ethics) is True
    assert api.remove_course_credit(course_id=COURSE, credit=ethics) is False
    assert AwardedCredit.objects.get().amount == 150


def test_licences_and_retirement(learner):
    api.set_licence(user=learner, accrediting_body="NASBA", licence_number="L-1")
    api.set_licence(user=learner, accrediting_body="NASBA", licence_number="L-2")
    assert [(x.accrediting_body, x.licence_number) for x in api.licences(user=learner)] == [("NASBA", "L-2")]
    with pytest.raises(exceptions.InvalidValue):
        api.set_licence(user=learner, accrediting_body=" ", licence_number="L-3")

    api.retire_user(user=learner)
    assert api.licences(user=learner) == []
    assert not LearnerLicence.history.filter(user_id=learner.pk).exists()


def test_course_name_falls_back_to_the_key(course):
    from credits_plugin.courses import course_name

    assert course_name(COURSE) == "Ethics for Accountants"
    assert course_name("course-v1:Gone+X1+2020") == "course-v1:Gone+X1+2020"
    assert course_name("not a key") == "not a key"
