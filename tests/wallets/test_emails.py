"""The expiry warning (task and email) and the content of the wallet and purchase emails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from edx_toggles.toggles.testutils import override_waffle_switch

from credits_plugin import api
from credits_plugin.ledger.models import Lot
from credits_plugin.pricing.models import CurrencyValue
from credits_plugin.toggles import CREDITS_ENABLED
from credits_plugin.wallets.emails import send_credits_received, send_expiry_warnings
from credits_plugin.wallets.models import Organisation, OrganisationMember
from credits_plugin.wallets.tasks import send_expiry_warnings_task
from tests.factories import UserFactory, make_paid_course

pytestmark = pytest.mark.django_db


def day(value) -> str:
    return date_filter(value, "DATE_FORMAT")


def grant(user, amount: int, label: str, expires_at=None):
    transfer = api.grant(
        account=api.user_wallet(user),
        amount=amount,
        idempotency_key=f"grant:{user.pk}:{label}",
        reason=label,
        expires_at=expires_at,
    )
    return Lot.objects.get(transfer=transfer)


class TestExpiryWarnings:
    @pytest.fixture
    def now(self):
        return timezone.now()

    def test_one_email_per_learner_listing_each_lot_due_then_never_again(self, now, settings):
        settings.CREDITS_PLUGIN_EXPIRY_WARNING_DAYS = 7
        user = UserFactory(username="zoe", first_name="Zoë", last_name="O'Brien")
        soon = grant(user, 5_000, "soon", now + timedelta(days=3))
        sooner = grant(user, 2_050, "sooner", now + timedelta(days=1))
        forever = grant(user, 10_000, "forever")
        later = grant(user, 1_000, "later", now + timedelta(days=30))

        assert send_expiry_warnings(now=now) == 1

        (message,) = mail.outbox
        assert message.to == ["zoe@example.com"]
        assert message.subject == "70.50 of your credits expire soon"
        body = message.body
        assert "Hello Zoë O'Brien," in body  # plain text: nothing HTML-escaped
        assert "70.50 credits in your wallet expire soon:" in body
        # Soonest first, each with its own amount and date.
        first = f"- 20.50 credits on {day(sooner.expires_at)}"
        second = f"- 50.00 credits on {day(soon.expires_at)}"
        assert first in body and second in body and body.index(first) < body.index(second)
        assert "Your balance is 180.50 credits." in body
        assert "100.00" not in body.replace("180.50", "") and "10.00 credits on" not in body
        for lot in (soon, sooner):
            lot.refresh_from_db()
            assert lot.warned_at == now
        for lot in (forever, later):
            lot.refresh_from_db()
            assert lot.warned_at is None

        # The next daily run announces nothing again.
        assert send_expiry_warnings(now=now + timedelta(days=1)) == 0
        assert len(mail.outbox) == 1

        # Three weeks later the last lot falls due: one email about it alone.
        assert send_expiry_warnings(now=now + timedelta(days=24)) == 1
        assert len(mail.outbox) == 2
        assert mail.outbox[1].subject == "10.00 of your credits expire soon"
        assert f"- 10.00 credits on {day(later.expires_at)}" in mail.outbox[1].body
        assert "20.50" not in mail.outbox[1].body

    def test_nothing_for_lots_spent_expired_already_warned_or_of_an_organisation(self, now):
        spent_user, expired_user, warned_user = UserFactory(), UserFactory(), UserFactory()
        spent = grant(spent_user, 1_000, "spent", now + timedelta(days=2))
        api.charge(account=api.user_wallet(spent_user), amount=1_000, idempotency_key="spend-it")
        expired = grant(expired_user, 1_000, "expired", now + timedelta(hours=1))
        warned = grant(warned_user, 1_000, "warned", now + timedelta(days=2))
        earlier = now - timedelta(days=1)
        Lot.objects.filter(pk=warned.pk).update(warned_at=earlier)
        api.grant(
            account=api.organisation_wallet("Acme"),
            amount=1_000,
            idempotency_key="org-soon",
            expires_at=now + timedelta(days=2),
        )

        assert send_expiry_warnings(now=now + timedelta(hours=2)) == 0

        assert mail.outbox == []
        spent.refresh_from_db()
        expired.refresh_from_db()
        warned.refresh_from_db()
        assert spent.remaining == 0 and spent.warned_at is None
        assert expired.warned_at is None
        assert warned.warned_at == earlier
        assert Lot.objects.get(account=api.organisation_wallet("Acme")).warned_at is None

    def test_a_learner_without_email_gets_none_and_is_not_retried(self, now):
        user = UserFactory(email="")
        lot = grant(user, 1_000, "soon", now + timedelta(days=2))
        assert send_expiry_warnings(now=now) == 0
        lot.refresh_from_db()
        assert mail.outbox == [] and lot.warned_at == now

    def test_the_daily_task_sends_them(self, now):
        grant(UserFactory(), 1_000, "soon", timezone.now() + timedelta(days=2))
        assert send_expiry_warnings_task.delay().get() == 1
        assert len(mail.outbox) == 1
        assert send_expiry_warnings_task.delay().get() == 0


class TestEmailContent:
    def test_credits_received(self):
        user = UserFactory(first_name="Ann", last_name="Lee")
        expires = timezone.now() + timedelta(days=30)
        lot = grant(user, 2_500, "Tom & Jerry's welcome", expires)

        assert send_credits_received(transfer_id=lot.transfer_id)

        (message,) = mail.outbox
        assert message.subject == "You received 25.00 credits"
        assert "Hello Ann Lee," in message.body
        assert "You received 25.00 credits. Tom & Jerry's welcome" in message.body
        assert f"They expire on {day(expires)}." in message.body
        assert "Your balance is now 25.00 credits." in message.body
        assert message.from_email == "credits@demo.local"

    def test_credits_received_is_not_sent_for_an_organisation_wallet(self):
        transfer = api.grant(account=api.organisation_wallet("Acme"), amount=100, idempotency_key="org")
        assert send_credits_received(transfer_id=transfer.pk) is False
        assert mail.outbox == []


@pytest.mark.usefixtures("enrollment_events")
class TestPurchaseEmails:
    @pytest.fixture(autouse=True)
    def course(self):
        CurrencyValue.objects.create(currency="usd", credits_per_unit=100)
        with override_waffle_switch(CREDITS_ENABLED, active=True):
            yield make_paid_course(
                "course-v1:Acme+Sec101+2026", name="Secure Coding & Design", verified_price=49
            )

    def test_receipt_and_refund_from_the_learners_wallet(self, django_capture_on_commit_callbacks):
        from common.djangoapps.student.models import CourseEnrollment

        user = UserFactory(first_name="Ann", last_name="Lee")
        api.grant(account=api.user_wallet(user), amount=10_000, idempotency_key="fund")
        with django_capture_on_commit_callbacks(execute=True):
            purchase = api.checkout(user=user, course_id="course-v1:Acme+Sec101+2026", mode_slug="verified")
        (receipt,) = mail.outbox
        assert receipt.subject == "Your receipt for Secure Coding & Design (Verified)"
        assert (
            "You paid 49.00 credits for Secure Coding & Design (Verified) and you are enrolled."
            in receipt.body
        )
        assert "Your balance is now 51.00 credits." in receipt.body
        assert f"Receipt number: {purchase.pk}" in receipt.body

        with django_capture_on_commit_callbacks(execute=True):
            CourseEnrollment.unenroll(user, purchase.course_key)
        refund = mail.outbox[1]
        assert refund.subject == "Credits refunded for Secure Coding & Design (Verified)"
        assert "so 49.00 credits were given back." in refund.body
        assert "Your balance is now 100.00 credits." in refund.body

    def test_receipt_of_an_organisation_purchase_names_it_and_hides_its_balance(
        self, django_capture_on_commit_callbacks
    ):
        org = Organisation.objects.create(key="Acme", name="Acme Ltd", members_can_spend=True)
        user = UserFactory()
        OrganisationMember.objects.create(organisation=org, user=user)
        api.grant(account=api.organisation_wallet("Acme"), amount=100_000, idempotency_key="fund-org")
        with django_capture_on_commit_callbacks(execute=True):
            api.checkout(
                user=user, course_id="course-v1:Acme+Sec101+2026", mode_slug="verified", pay_from="Acme"
            )
        (receipt,) = mail.outbox
        assert "The credits were taken from the wallet of Acme Ltd." in receipt.body
        assert "951.00" not in receipt.body and "balance" not in receipt.body
