"""The enrolment guard (real CourseEnrollmentStarted pipeline, configured by plugin_settings)
and the receivers (real openedx-events signals, connected by plugin_app's signals_config)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.learning.signals import (
    COURSE_ENROLLMENT_CHANGED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_UNENROLLMENT_COMPLETED,
)
from openedx_filters.learning.filters import CourseEnrollmentStarted

from credits_plugin import api
from credits_plugin.constants import HoldStatus, SystemAccount, TransferKind
from credits_plugin.ledger import services as ledger
from credits_plugin.ledger.models import Hold, Transfer
from credits_plugin.pricing.models import CourseTier, CurrencyValue, ModePrice, PriceTier
from credits_plugin.pricing.selectors import price_for_mode
from credits_plugin.purchases.models import Purchase
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
COURSE = CourseKey.from_string("course-v1:DemoX+Py101+2026")


@pytest.fixture(autouse=True)
def _events_enabled():
    for signal in (COURSE_ENROLLMENT_CREATED, COURSE_ENROLLMENT_CHANGED, COURSE_UNENROLLMENT_COMPLETED):
        signal.enable()


def enrollment_data(user, mode="verified", active=True):
    return CourseEnrollmentData(
        user=UserData(
            id=user.pk, is_active=True, pii=UserPersonalData(username=user.username, email=user.email)
        ),
        course=CourseData(course_key=COURSE),
        mode=mode,
        is_active=active,
        creation_date=datetime.now(UTC),
    )


def pending_purchase(user, amount=2_000, mode="verified"):
    """A checkout between its hold and its enrolment, as api.checkout leaves it."""
    wallet = api.user_wallet(user)
    api.grant(account=wallet, amount=10_000, idempotency_key=f"fund:{user.pk}")
    revenue = ledger.system_account_id(SystemAccount.REVENUE, unit=wallet.unit_id, shard_key=wallet.pk)
    key = f"checkout:{user.pk}:{COURSE}:{mode}:0"
    hold = ledger.place_hold(debit=wallet.pk, credit=revenue, amount=amount, idempotency_key=f"{key}:hold")
    return Purchase.objects.create(
        idempotency_key=key,
        user=user,
        course_key=COURSE,
        mode_slug=mode,
        account=wallet,
        amount=amount,
        hold=hold,
    )


class TestPricing:
    def test_explicit_price_wins_then_tier_then_currency(self):
        CurrencyValue.objects.create(currency="usd", credits_per_unit=100)
        CurrencyValue.objects.create(currency="gbp", credits_per_unit=1_000)
        assert (
            price_for_mode(course_key=COURSE, mode_slug="verified", min_price=49, currency="usd").amount
            == 4_900
        )
        assert (
            price_for_mode(course_key=COURSE, mode_slug="verified", min_price=10, currency="GBP").amount
            == 10_000
        )
        gold = PriceTier.objects.create(name="Gold", price=30_000)
        CourseTier.objects.create(course_key=COURSE, tier=gold)
        assert price_for_mode(course_key=COURSE, mode_slug="verified", min_price=49).source == "tier"
        ModePrice.objects.create(course_key=COURSE, mode_slug="verified", price=1_234)
        price = price_for_mode(course_key=COURSE, mode_slug="verified", min_price=49)
        assert (price.amount, price.source) == (1_234, "explicit")

    @pytest.mark.parametrize("mode", ["audit", "honor", "credit", "masters"])
    def test_free_and_non_course_modes_are_not_for_sale(self, mode):
        CurrencyValue.objects.create(currency="usd", credits_per_unit=100)
        assert price_for_mode(course_key=COURSE, mode_slug=mode, min_price=49) is None

    def test_unknown_currency_has_no_price(self):
        assert price_for_mode(course_key=COURSE, mode_slug="verified", min_price=49, currency="eur") is None


class TestEnrollmentGuard:
    def test_the_step_is_installed_by_plugin_settings(self):
        config = settings.OPEN_EDX_FILTERS_CONFIG["org.openedx.learning.course.enrollment.started.v1"]
        assert "credits_plugin.integrations.openedx.pipeline.RequireCreditsPayment" in config["pipeline"]
        assert config["fail_silently"] is False

    def test_credits_only_mode_without_payment_is_blocked(self):
        ModePrice.objects.create(course_key=COURSE, mode_slug="verified", price=2_000, credits_only=True)
        with pytest.raises(CourseEnrollmentStarted.PreventEnrollment, match="paid with credits"):
            CourseEnrollmentStarted.run_filter(user=UserFactory(), course_key=COURSE, mode="verified")

    @pytest.mark.parametrize("mode", [None, "audit", "professional"])
    def test_default_free_and_other_modes_pass(self, mode):
        ModePrice.objects.create(course_key=COURSE, mode_slug="verified", price=2_000, credits_only=True)
        user = UserFactory()
        assert CourseEnrollmentStarted.run_filter(user=user, course_key=COURSE, mode=mode) == (
            user,
            COURSE,
            mode,
        )

    def test_paid_checkout_in_progress_passes(self):
        ModePrice.objects.create(course_key=COURSE, mode_slug="verified", price=2_000, credits_only=True)
        user = UserFactory()
        pending_purchase(user)
        assert (
            CourseEnrollmentStarted.run_filter(user=user, course_key=COURSE, mode="verified")[2] == "verified"
        )


class TestReceivers:
    def test_enrollment_created_posts_the_matching_hold_once(self):
        user = UserFactory()
        purchase = pending_purchase(user)
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment_data(user))
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment_data(user))  # events can repeat
        COURSE_ENROLLMENT_CHANGED.send_event(enrollment=enrollment_data(user))
        purchase.refresh_from_db()
        assert purchase.status == Purchase.Status.COMPLETED
        assert Hold.objects.get(pk=purchase.hold_id).status == HoldStatus.POSTED
        assert Transfer.objects.filter(kind=TransferKind.CHARGE).count() == 1
        assert api.balance(api.user_wallet(user)).available == 8_000

    def test_enrollment_in_another_mode_settles_nothing(self):
        user = UserFactory()
        purchase = pending_purchase(user)
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment_data(user, mode="audit"))
        purchase.refresh_from_db()
        assert purchase.status == Purchase.Status.PENDING

    def test_unenrollment_refunds_once_within_the_window(self, mailoutbox):
        user = UserFactory()
        purchase = pending_purchase(user)
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment_data(user))
        COURSE_UNENROLLMENT_COMPLETED.send_event(enrollment=enrollment_data(user, active=False))
        COURSE_UNENROLLMENT_COMPLETED.send_event(enrollment=enrollment_data(user, active=False))
        purchase.refresh_from_db()
        assert purchase.status == Purchase.Status.REFUNDED
        assert Transfer.objects.filter(kind=TransferKind.REFUND).count() == 1
        assert api.balance(api.user_wallet(user)).available == 10_000
        assert api.verify_ledger().ok

    def test_no_refund_after_the_window(self, settings):
        settings.CREDITS_PLUGIN_REFUND_WINDOW_DAYS = 14
        user = UserFactory()
        purchase = pending_purchase(user)
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment_data(user))
        Purchase.objects.filter(pk=purchase.pk).update(completed_at=timezone.now() - timedelta(days=15))
        COURSE_UNENROLLMENT_COMPLETED.send_event(enrollment=enrollment_data(user, active=False))
        purchase.refresh_from_db()
        assert purchase.status == Purchase.Status.COMPLETED
        assert api.balance(api.user_wallet(user)).available == 8_000
