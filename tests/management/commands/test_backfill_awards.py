"""backfill_awards: certificates issued before the course carried its credits are awarded."""

import pytest
from django.core.management import call_command
from lms.djangoapps.certificates.models import GeneratedCertificate
from openedx_events.learning.signals import CERTIFICATE_CHANGED, CERTIFICATE_CREATED

from credits_plugin import api
from credits_plugin.awards.models import AwardedCredit
from tests.awards.conftest import COURSE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_backfill_awards_certificates_issued_before_the_credits(course, learner, ethics, capsys):
    CERTIFICATE_CREATED.disable()
    CERTIFICATE_CHANGED.disable()
    try:
        certificate = GeneratedCertificate.objects.create(
            user=learner, course_id=api.parse_course_key(COURSE), status="downloadable", verify_uuid="v1"
        )
        GeneratedCertificate.objects.create(
            user=UserFactory(), course_id=api.parse_course_key(COURSE), status="notpassing"
        )
    finally:
        CERTIFICATE_CREATED.enable()
        CERTIFICATE_CHANGED.enable()
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)

    call_command("backfill_awards", "--dry-run")
    assert not AwardedCredit.objects.exists()
    call_command("backfill_awards", "--course", COURSE)
    call_command("backfill_awards")

    award = AwardedCredit.objects.get()
    assert (award.user, award.certificate_id, award.issued_at) == (learner, "v1", certificate.created_date)
    assert "1 credit(s) awarded" in capsys.readouterr().out
