"""Awards through the demo host's real certificate issue and revoke (the real events)."""

import pytest
from lms.djangoapps.certificates.generation import generate_course_certificate
from lms.djangoapps.certificates.models import GeneratedCertificate
from openedx_events.learning.signals import CERTIFICATE_CHANGED, CERTIFICATE_CREATED, CERTIFICATE_REVOKED

from credits_plugin import api
from credits_plugin.awards.models import AwardedCredit
from tests.awards.conftest import COURSE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def certificate_events():
    """The certificate events on: another test may have switched them off."""
    for signal in (CERTIFICATE_CHANGED, CERTIFICATE_CREATED, CERTIFICATE_REVOKED):
        signal.enable()


@pytest.fixture
def offered(course, ethics):
    return api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)


def issue(user, **kwargs):
    return generate_course_certificate(user, course_key=api.parse_course_key(COURSE), **kwargs)


def test_issue_awards_the_course_credits(offered, learner):
    certificate = issue(learner)

    award = AwardedCredit.objects.get()
    assert (award.user, award.course_id, award.amount, award.status) == (learner, COURSE, 150, "awarded")
    assert award.certificate_id == certificate.verify_uuid
    assert award.issued_at == certificate.created_date


def test_duplicate_events_award_once(offered, learner):
    certificate = issue(learner)
    certificate.save()  # sends CHANGED and CREATED again
    issue(learner)  # regenerated: same again

    assert AwardedCredit.objects.count() == 1


def test_revoke_then_reissue(offered, learner):
    certificate = issue(learner)

    certificate.invalidate(source="test")
    award = AwardedCredit.objects.get()
    assert award.status == "revoked"
    assert list(api.awards(user=learner)) == []

    issue(learner)
    award.refresh_from_db()
    assert AwardedCredit.objects.count() == 1
    assert award.status == "awarded"
    assert award.certificate_id == certificate.verify_uuid


@pytest.mark.parametrize("revoke", ["mark_notpassing", "mark_unverified"])
def test_other_revocations(offered, learner, revoke):
    certificate = issue(learner)
    if revoke == "mark_notpassing":
        certificate.mark_notpassing(mode="verified", grade="0.2")
    else:
        certificate.mark_unverified(mode="verified")
    assert AwardedCredit.objects.get().status == "revoked"


def test_not_passing_certificate_awards_nothing(offered, learner):
    GeneratedCertificate.objects.create(
        user=learner, course_id=api.parse_course_key(COURSE), status="notpassing"
    )
    assert not AwardedCredit.objects.exists()


def test_changed_event_with_non_passing_status_revokes(offered, learner):
    """A lost REVOKED event: the CHANGED event with a non-passing status is the safety net."""
    certificate = issue(learner)
    CERTIFICATE_REVOKED.disable()
    try:
        certificate.invalidate(source="test")
    finally:
        CERTIFICATE_REVOKED.enable()
    assert AwardedCredit.objects.get().status == "revoked"


def test_course_without_credits_awards_nothing(course, learner):
    issue(learner)
    assert not AwardedCredit.objects.exists()
