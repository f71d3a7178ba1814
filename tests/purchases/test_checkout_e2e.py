"""Checkout end to end in the demo host: hold, real CourseEnrollment.enroll (filters + events),
post or void; retries, closed courses and insufficient balances."""

from datetime import timedelta

import pytest
from common.djangoapps.student.models import CourseEnrollment
from django.utils import timezone
from edx_toggles.toggles.testutils import override_waffle_switch
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview
from rest_framework.test import APIClient

from credits_plugin import api, exceptions
from credits_plugin.constants import HoldStatus, TransferKind
from credits_plugin.ledger.models import Hold, Transfer
from credits_plugin.pricing.models import CurrencyValue, ModePrice
from credits_plugin.purchases.models import Purchase
from credits_plugin.toggles import CREDITS_ENABLED
from tests.factories import UserFactory, confirm_form, make_paid_course

pytestmark = pytest.mark.django_db
KEY = CourseKey.from_string("course-v1:DemoX+Py101+2026")


@pytest.fixture(autouse=True)
def course():
    from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED, COURSE_UNENROLLMENT_COMPLETED

    COURSE_ENROLLMENT_CREATED.enable()
    COURSE_UNENROLLMENT_COMPLETED.enable()
    overview = make_paid_course(str(KEY), name="Python 101", verified_price=49)
    CurrencyValue.objects.create(currency="usd", credits_per_unit=100)
    with override_waffle_switch(CREDITS_ENABLED, active=True):
        yield overview


def funded(amount=10_000):
    user = UserFactory()
    api.grant(account=api.user_wallet(user), amount=amount, idempotency_key=f"fund:{user.pk}")
    return user


def test_checkout_holds_enrols_and_charges_once():
    user = funded()
    purchase = api.checkout(user=user, course_id=str(KEY), mode_slug="verified")
    assert purchase.status == Purchase.Status.COMPLETED and purchase.amount == 4_900
    assert CourseEnrollment.enrollment_mode_for_user(user, KEY) == ("verified", True)
    assert Hold.objects.get(pk=purchase.hold_id).status == HoldStatus.POSTED
    assert api.balance(api.user_wallet(user)).available == 5_100
    again = api.checkout(user=user, course_id=str(KEY), mode_slug="verified")  # a retry or double click
    assert again.pk == purchase.pk
    assert Transfer.objects.filter(kind=TransferKind.CHARGE).count() == 1
    assert api.verify_ledger().ok


def test_insufficient_balance_changes_nothing():
    user = funded(1_000)
    with pytest.raises(exceptions.InsufficientFunds):
        api.checkout(user=user, course_id=str(KEY), mode_slug="verified")
    assert not CourseEnrollment.is_enrolled(user, KEY)
    assert Purchase.objects.count() == 0 and Hold.objects.count() == 0


def test_refused_enrolment_voids_the_hold_and_says_why(course):
    CourseOverview.objects.filter(id=KEY).update(enrollment_end=timezone.now() - timedelta(days=1))
    user = funded()
    with pytest.raises(exceptions.EnrollmentFailed):
        api.checkout(user=user, course_id=str(KEY), mode_slug="verified")
    purchase = Purchase.objects.get()
    assert purchase.status == Purchase.Status.FAILED and purchase.failure_reason
    assert Hold.objects.get(pk=purchase.hold_id).status == HoldStatus.VOIDED
    assert api.balance(api.user_wallet(user)).available == 10_000


def test_unenrol_refunds_and_buying_again_is_a_new_purchase():
    user = funded()
    first = api.checkout(user=user, course_id=str(KEY), mode_slug="verified")
    CourseEnrollment.unenroll(user, KEY)
    first.refresh_from_db()
    assert first.status == Purchase.Status.REFUNDED
    assert api.balance(api.user_wallet(user)).available == 10_000
    second = api.checkout(user=user, course_id=str(KEY), mode_slug="verified")
    assert second.pk != first.pk and second.status == Purchase.Status.COMPLETED
    assert api.verify_ledger().ok


def test_credits_only_mode_cannot_be_entered_without_paying():
    ModePrice.objects.create(course_key=KEY, mode_slug="verified", price=3_000, credits_only=True)
    user = funded()
    from common.djangoapps.student.models import EnrollmentNotAllowed

    with pytest.raises(EnrollmentNotAllowed):
        CourseEnrollment.enroll(user, KEY, mode="verified")
    assert api.checkout(user=user, course_id=str(KEY), mode_slug="verified").amount == 3_000


def test_checkout_api_and_errors():
    user = funded()
    client = APIClient()
    client.force_authenticate(user)
    base = "/api/credits_plugin/v1"
    quote = client.get(f"{base}/checkout/quote/", {"course_id": str(KEY), "mode": "verified"}).json()
    assert (quote["price"], quote["balance"], quote["balance_after"], quote["can_pay"]) == (
        4_900,
        10_000,
        5_100,
        True,
    )
    assert client.post(f"{base}/checkout/", {"course_id": str(KEY), "mode": "verified"}).status_code == 201
    unknown = client.post(f"{base}/checkout/", {"course_id": "course-v1:No+Such+Course", "mode": "verified"})
    assert unknown.status_code == 404 and unknown.json()["error_code"] == "unknown_course"
    free = client.post(f"{base}/checkout/", {"course_id": str(KEY), "mode": "audit"})
    assert free.status_code == 400 and free.json()["error_code"] == "mode_not_for_sale"
    assert client.get(f"{base}/courses/{KEY}/prices/").json()[0]["price"] == 4_900


def test_checkout_page_shows_price_and_balances(client):
    user = funded()
    client.force_login(user)
    page = client.get(f"/credits/checkout/{KEY}/?mode=verified")
    assert page.status_code == 200
    assert b"49.00" in page.content and b"51.00" in page.content
    done = client.post(f"/credits/checkout/{KEY}/", confirm_form("verified", 4_900), follow=True)
    assert done.status_code == 200 and b"You are enrolled" in done.content
