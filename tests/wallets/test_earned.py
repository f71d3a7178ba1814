"""Earned credits: given once per learner, course and rule, however often the event arrives."""

from datetime import UTC, datetime

import pytest
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import (
    CertificateData,
    CourseData,
    CoursePassingStatusData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import CERTIFICATE_CREATED, COURSE_PASSING_STATUS_UPDATED

from credits_plugin import api
from credits_plugin.constants import LotSource, TransferKind
from credits_plugin.ledger.models import Transfer
from credits_plugin.wallets.models import EarningRule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
COURSE = CourseKey.from_string("course-v1:DemoX+Py101+2026")
OTHER = CourseKey.from_string("course-v1:DemoX+Other+2026")


@pytest.fixture(autouse=True)
def _events_enabled():
    COURSE_PASSING_STATUS_UPDATED.enable()
    CERTIFICATE_CREATED.enable()


def user_data(user):
    return UserData(
        id=user.pk, is_active=True, pii=UserPersonalData(username=user.username, email=user.email)
    )


def passed(user, course=COURSE, passing=True):
    COURSE_PASSING_STATUS_UPDATED.send_event(
        course_passing_status=CoursePassingStatusData(
            is_passing=passing, course=CourseData(course_key=course), user=user_data(user)
        )
    )


def certificate(user, status="downloadable"):
    CERTIFICATE_CREATED.send_event(
        certificate=CertificateData(
            user=user_data(user),
            course=CourseData(course_key=COURSE),
            mode="verified",
            grade="0.9",
            current_status=status,
            download_url="https://example.com/cert",
            name=user.username,
        ),
        time=datetime.now(UTC),
    )


def test_passing_earns_once_whatever_the_number_of_events():
    EarningRule.objects.create(name="Finisher bonus", trigger="passed", amount=500, expires_after_days=90)
    user = UserFactory()
    for _ in range(3):
        passed(user)
    passed(user, passing=False)
    (earned,) = Transfer.objects.filter(kind=TransferKind.EARNED)
    assert (earned.amount, earned.reason, earned.reference) == (500, "Finisher bonus", str(COURSE))
    (lot,) = api.open_lots(api.user_wallet(user))
    assert lot.source == LotSource.EARNED and lot.expires_at is not None
    passed(user, course=OTHER)  # another course earns again
    assert Transfer.objects.filter(kind=TransferKind.EARNED).count() == 2
    assert api.verify_ledger().ok


def test_rules_for_one_course_and_inactive_rules():
    EarningRule.objects.create(name="Py101 only", trigger="passed", amount=300, course_key=str(COURSE))
    EarningRule.objects.create(name="Switched off", trigger="passed", amount=999, active=False)
    user = UserFactory()
    passed(user, course=OTHER)
    assert Transfer.objects.filter(kind=TransferKind.EARNED).count() == 0
    passed(user)
    assert api.balance(api.user_wallet(user)).available == 300


def test_certificate_rules_pay_on_a_passing_certificate_only():
    EarningRule.objects.create(name="Certified", trigger="certificate", amount=1_000)
    user = UserFactory()
    certificate(user, status="notpassing")
    assert api.balance(api.user_wallet(user)).available == 0
    certificate(user)
    certificate(user)
    assert api.balance(api.user_wallet(user)).available == 1_000
