"""Checkout paid from an organisation wallet: who may spend from it, and the per-member cap."""

from __future__ import annotations

import threading
import time

import pytest
from common.djangoapps.student.models import CourseEnrollment
from django.db import connection
from edx_toggles.toggles.testutils import override_waffle_switch
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from credits_plugin import api, exceptions
from credits_plugin.constants import AccountKind, HoldStatus
from credits_plugin.ledger.models import Hold
from credits_plugin.pricing.models import CurrencyValue
from credits_plugin.purchases import services as purchases
from credits_plugin.purchases.models import Purchase
from credits_plugin.toggles import CREDITS_ENABLED
from credits_plugin.wallets.models import Organisation, OrganisationMember
from tests.factories import confirm_form, funded_user, make_paid_course

ORG = "Acme"
SEC101 = CourseKey.from_string("course-v1:Acme+Sec101+2026")  # verified: 49 credits
SEC201 = CourseKey.from_string("course-v1:Acme+Sec201+2026")  # verified: 30 credits
ORG_FUNDS = 100_000


def _setup(*, can_spend: bool = True, cap: int | None = None) -> Organisation:
    make_paid_course(str(SEC101), name="Secure coding", verified_price=49)
    make_paid_course(str(SEC201), name="Threat modelling", verified_price=30)
    CurrencyValue.objects.get_or_create(currency="usd", defaults={"credits_per_unit": 100})
    org = Organisation.objects.create(
        key=ORG, name="Acme Ltd", members_can_spend=can_spend, member_spending_cap=cap
    )
    api.grant(account=api.organisation_wallet(ORG), amount=ORG_FUNDS, idempotency_key="fund:org:Acme")
    return org


def member(org: Organisation, amount: int = 1_000, **fields):
    user = funded_user(amount, **fields)
    OrganisationMember.objects.create(organisation=org, user=user)
    return user


def org_available() -> int:
    return api.balance(api.organisation_wallet(ORG)).available


def personal_available(user) -> int:
    return api.balance(api.user_wallet(user)).available


@pytest.fixture
def switched_on(enrollment_events):
    with override_waffle_switch(CREDITS_ENABLED, active=True):
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("switched_on")
class TestWhoMayPayFromTheOrganisation:
    def test_member_pays_from_the_organisation_wallet(self):
        org = _setup()
        user = member(org, amount=1_000)  # 10 credits of their own: not enough for the course

        quote = api.quote(user=user, course_id=str(SEC101), mode_slug="verified", pay_from=ORG)
        assert (quote.balance, quote.balance_after, quote.can_pay) == (ORG_FUNDS, ORG_FUNDS - 4_900, True)
        assert quote.account.kind == AccountKind.ORG_WALLET

        purchase = api.checkout(user=user, course_id=str(SEC101), mode_slug="verified", pay_from=ORG)

        assert purchase.status == Purchase.Status.COMPLETED and purchase.amount == 4_900
        assert purchase.account_id == api.organisation_wallet(ORG).pk
        assert CourseEnrollment.enrollment_mode_for_user(user, SEC101) == ("verified", True)
        assert org_available() == ORG_FUNDS - 4_900
        assert personal_available(user) == 1_000
        assert api.verify_ledger().ok

    def test_checkout_page_lets_a_member_choose_the_organisation_wallet(self, client):
        org = _setup()
        user = member(org, amount=1_000)
        client.force_login(user)
        page = client.get(f"/credits/checkout/{SEC101}/", {"mode": "verified", "pay_from": ORG})
        content = page.content.decode()
        assert page.status_code == 200
        assert '<option value="Acme" selected>Acme Ltd</option>' in content
        assert "1,000.00 credits" in content and "951.00 credits" in content
        done = client.post(f"/credits/checkout/{SEC101}/", confirm_form("verified", 4_900, ORG), follow=True)
        content = done.content.decode()
        assert "You are enrolled. 49.00 credits were taken from the wallet of Acme Ltd." in content
        assert "You paid 49.00 credits for Secure coding (Verified)." in content
        assert "Your balance is now 10.00 credits." in content  # their own wallet, untouched
        assert org_available() == ORG_FUNDS - 4_900

    def test_the_done_page_shows_only_ones_own_completed_purchases(self, client):
        org = _setup()
        buyer, other = member(org), member(org)
        purchase = api.checkout(user=buyer, course_id=str(SEC101), mode_slug="verified", pay_from=ORG)
        client.force_login(other)
        assert client.get(f"/credits/checkout/done/{purchase.pk}/").status_code == 404
        client.force_login(buyer)
        assert client.get(f"/credits/checkout/done/{purchase.pk}/").status_code == 200
        CourseEnrollment.unenroll(buyer, SEC101)  # refunded
        assert client.get(f"/credits/checkout/done/{purchase.pk}/").status_code == 404
        assert client.get("/credits/checkout/done/999999/").status_code == 404

    def test_wallet_choice_lists_only_organisations_that_allow_spending(self):
        org = _setup()
        user = member(org)
        closed = Organisation.objects.create(key="Closed", name="Closed Org", members_can_spend=False)
        OrganisationMember.objects.create(organisation=closed, user=user)
        assert api.spendable_wallets(user=user) == [("personal", "personal"), (ORG, "Acme Ltd")]

    @pytest.mark.parametrize("case", ["spending_not_allowed", "not_a_member", "unknown_organisation"])
    def test_refused_changes_nothing(self, case):
        org = _setup(can_spend=case != "spending_not_allowed")
        user = member(org) if case == "spending_not_allowed" else funded_user(1_000)
        pay_from = "NoSuchOrg" if case == "unknown_organisation" else ORG

        with pytest.raises(exceptions.NotAMember) as refused:
            api.checkout(user=user, course_id=str(SEC101), mode_slug="verified", pay_from=pay_from)

        assert refused.value.status_code == 403
        assert Purchase.objects.count() == 0 and Hold.objects.count() == 0
        assert not CourseEnrollment.is_enrolled(user, SEC101)
        assert org_available() == ORG_FUNDS and personal_available(user) == 1_000

    def test_refusal_over_http_is_a_clear_403(self, client):
        org = _setup(can_spend=False)
        user = member(org)
        api_client = APIClient()
        api_client.force_authenticate(user)
        response = api_client.post(
            "/api/credits_plugin/v1/checkout/",
            {"course_id": str(SEC101), "mode": "verified", "pay_from": ORG},
        )
        assert response.status_code == 403 and response.json()["error_code"] == "not_a_member"
        client.force_login(user)
        page = client.post(f"/credits/checkout/{SEC101}/", {"mode": "verified", "pay_from": ORG})
        assert page.status_code == 403
        assert "You cannot pay from this organisation&#x27;s wallet." in page.content.decode()
        assert Purchase.objects.count() == 0 and org_available() == ORG_FUNDS


@pytest.mark.django_db
@pytest.mark.usefixtures("switched_on")
class TestSpendingCap:
    def test_a_purchase_up_to_the_cap_exactly_goes_through(self):
        org = _setup(cap=4_900)
        user = member(org)
        purchase = api.checkout(user=user, course_id=str(SEC101), mode_slug="verified", pay_from=ORG)
        assert purchase.status == Purchase.Status.COMPLETED
        assert org_available() == ORG_FUNDS - 4_900

    def test_a_purchase_over_the_cap_is_refused_and_changes_nothing(self):
        org = _setup(cap=7_000)
        user = member(org)
        api.checkout(user=user, course_id=str(SEC101), mode_slug="verified", pay_from=ORG)  # 49 of 70 spent

        with pytest.raises(exceptions.SpendingCapExceeded) as refused:
            api.checkout(user=user, course_id=str(SEC201), mode_slug="verified", pay_from=ORG)  # 30 more

        assert refused.value.status_code == 402
        assert refused.value.details == {"cap": 7_000, "spent": 4_900}
        assert Purchase.objects.count() == 1
        assert Hold.objects.filter(status=HoldStatus.PENDING).count() == 0
        assert not CourseEnrollment.is_enrolled(user, SEC201)
        assert org_available() == ORG_FUNDS - 4_900
        # Their own wallet is not capped.
        api.grant(account=api.user_wallet(user), amount=5_000, idempotency_key="top-up")
        assert api.checkout(user=user, course_id=str(SEC201), mode_slug="verified").status == "completed"

    def test_the_cap_is_per_member(self):
        org = _setup(cap=5_000)
        first, second = member(org), member(org)
        api.checkout(user=first, course_id=str(SEC101), mode_slug="verified", pay_from=ORG)
        assert (
            api.checkout(user=second, course_id=str(SEC101), mode_slug="verified", pay_from=ORG).amount
            == 4_900
        )
        assert org_available() == ORG_FUNDS - 9_800

    def test_a_refunded_purchase_no_longer_counts(self):
        org = _setup(cap=5_000)
        user = member(org)
        api.checkout(user=user, course_id=str(SEC101), mode_slug="verified", pay_from=ORG)
        CourseEnrollment.unenroll(user, SEC101)  # inside the refund window: refunded
        assert org_available() == ORG_FUNDS
        assert (
            api.checkout(user=user, course_id=str(SEC201), mode_slug="verified", pay_from=ORG).amount == 3_000
        )

    def test_over_the_cap_over_http_is_a_clear_402(self, client):
        org = _setup(cap=4_000)
        user = member(org)
        api_client = APIClient()
        api_client.force_authenticate(user)
        response = api_client.post(
            "/api/credits_plugin/v1/checkout/",
            {"course_id": str(SEC101), "mode": "verified", "pay_from": ORG},
        )
        assert response.status_code == 402
        assert response.json()["error_code"] == "spending_cap_exceeded"
        client.force_login(user)
        page = client.post(f"/credits/checkout/{SEC101}/", confirm_form("verified", 4_900, ORG))
        assert page.status_code == 402
        assert "would exceed your spending limit on the organisation wallet" in page.content.decode()
        assert Purchase.objects.count() == 0 and org_available() == ORG_FUNDS
        assert not CourseEnrollment.is_enrolled(user, SEC101)


def _buy_at_once(user, keys: list[CourseKey], *, pay_from: str, monkeypatch) -> list[str]:
    """Check out every course of ``keys`` from its own thread, all at once; the outcomes.

    The hold is slowed down so that the checkouts overlap: without the paying wallet's row
    lock taken first, every thread would read "nothing spent yet" before any of them writes.
    """
    real_place_hold = purchases.ledger.place_hold

    def slow_place_hold(**kwargs):
        time.sleep(0.3)
        return real_place_hold(**kwargs)

    monkeypatch.setattr(purchases.ledger, "place_hold", slow_place_hold)
    barrier = threading.Barrier(len(keys))
    outcomes: list[str] = []

    def buy(key: CourseKey) -> None:
        try:
            barrier.wait()
            api.checkout(user=user, course_id=str(key), mode_slug="verified", pay_from=pay_from)
            outcomes.append("bought")
        except exceptions.CreditsError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # a deadlock or any other crash: reported by the caller's assertion
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def _parallel_courses(count: int = 4) -> list[CourseKey]:
    keys = [CourseKey.from_string(f"course-v1:Acme+Par{i}+2026") for i in range(count)]
    for key in keys:
        make_paid_course(str(key), verified_price=30)
    return keys


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("switched_on")
def test_spending_cap_holds_under_concurrent_checkouts(monkeypatch):
    """Four checkouts of 30 credits at once against a cap of 60: exactly two go through."""
    org = _setup(cap=6_000)
    user = member(org)
    keys = _parallel_courses()

    outcomes = _buy_at_once(user, keys, pay_from=ORG, monkeypatch=monkeypatch)

    assert outcomes == ["bought", "bought", "spending_cap_exceeded", "spending_cap_exceeded"]
    assert Purchase.objects.filter(status=Purchase.Status.COMPLETED).count() == 2
    assert Purchase.objects.count() == 2
    assert org_available() == ORG_FUNDS - 6_000
    assert api.verify_ledger().ok


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("switched_on")
def test_concurrent_checkouts_from_one_personal_wallet_neither_deadlock_nor_overspend(monkeypatch):
    """Four checkouts of 30 credits at once from a wallet of 70: two go through, two are refused
    for want of credits, none fails on a deadlock."""
    _setup()
    user = funded_user(7_000)
    keys = _parallel_courses()

    outcomes = _buy_at_once(user, keys, pay_from="personal", monkeypatch=monkeypatch)

    assert outcomes == ["bought", "bought", "insufficient_funds", "insufficient_funds"]
    assert personal_available(user) == 1_000
    assert sum(CourseEnrollment.is_enrolled(user, key) for key in keys) == 2
    assert api.verify_ledger().ok
