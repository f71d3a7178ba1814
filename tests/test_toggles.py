"""Switching credits on and off: site-wide (waffle switch) and per organisation (admin row,
CREDITS_PLUGIN_ORGANISATIONS_OPT_IN)."""

from __future__ import annotations

import pytest
from common.djangoapps.student.models import CourseEnrollment
from edx_toggles.toggles.testutils import override_waffle_switch
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from credits_plugin import api, exceptions
from credits_plugin.ledger.models import Hold
from credits_plugin.pricing.models import CurrencyValue
from credits_plugin.purchases.models import Purchase
from credits_plugin.toggles import CREDITS_ENABLED
from credits_plugin.wallets.models import Organisation
from tests.factories import funded_user, make_paid_course

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("enrollment_events")]

ACME = CourseKey.from_string("course-v1:Acme+Sec101+2026")
OTHER = CourseKey.from_string("course-v1:OtherU+Bio101+2026")
API = "/api/credits_plugin/v1"


@pytest.fixture(autouse=True)
def courses():
    make_paid_course(str(ACME), name="Secure coding", verified_price=49)
    make_paid_course(str(OTHER), name="Biology", verified_price=20)
    CurrencyValue.objects.create(currency="usd", credits_per_unit=100)


@pytest.fixture
def learner():
    return funded_user(10_000, username="learner")


def about_page(client, key: CourseKey) -> str:
    response = client.get(f"/courses/{key}/about/")
    assert response.status_code == 200
    return response.content.decode()


def assert_refused_everywhere(client, user, key: CourseKey) -> None:
    """No price shown, and every way of buying answers 403 and changes nothing."""
    assert api.course_prices(course_key=key) == []
    assert "Buy with credits" not in about_page(client, key)
    page = client.get(f"/credits/checkout/{key}/")
    assert page.status_code == 403
    assert "Paying with credits is switched off for this course." in page.content.decode()
    posted = client.post(f"/credits/checkout/{key}/", {"mode": "verified"})
    assert posted.status_code == 403
    rest = APIClient()
    rest.force_authenticate(user)
    assert rest.get(f"{API}/courses/{key}/prices/").json() == []
    quote = rest.get(f"{API}/checkout/quote/", {"course_id": str(key), "mode": "verified"})
    assert quote.status_code == 403 and quote.json()["error_code"] == "credits_disabled"
    bought = rest.post(f"{API}/checkout/", {"course_id": str(key), "mode": "verified"})
    assert bought.status_code == 403 and bought.json()["error_code"] == "credits_disabled"
    with pytest.raises(exceptions.CreditsDisabled):
        api.checkout(user=user, course_id=str(key), mode_slug="verified")
    assert not CourseEnrollment.is_enrolled(user, key)
    assert Purchase.objects.count() == 0 and Hold.objects.count() == 0
    assert api.balance(api.user_wallet(user)).available == 10_000


def assert_for_sale(client, user, key: CourseKey, price: int) -> None:
    assert [p["price"] for p in api.course_prices(course_key=key)] == [price]
    assert "Buy with credits" in about_page(client, key)
    assert client.get(f"/credits/checkout/{key}/").status_code == 200
    assert api.checkout(user=user, course_id=str(key), mode_slug="verified").amount == price


def test_off_site_wide_hides_prices_refuses_checkout_and_the_balance(client, learner):
    client.force_login(learner)
    with override_waffle_switch(CREDITS_ENABLED, active=False):
        assert not api.credits_enabled_for_course(course_key=ACME)
        assert_refused_everywhere(client, learner, ACME)
        assert api.wallet_context(user=learner) == {"enabled": False}
        assert 'data-testid="header-balance"' not in client.get("/dashboard/").content.decode()


def test_on_site_wide_every_organisation_has_credits_by_default(client, learner):
    client.force_login(learner)
    with override_waffle_switch(CREDITS_ENABLED, active=True):
        assert api.credits_enabled_for_course(course_key=ACME)
        assert_for_sale(client, learner, ACME, 4_900)
        assert_for_sale(client, learner, OTHER, 2_000)


def test_an_organisation_switched_off_has_no_credits_the_others_keep_them(client, learner):
    Organisation.objects.create(key="Acme", name="Acme Ltd", credits_enabled=False)
    client.force_login(learner)
    with override_waffle_switch(CREDITS_ENABLED, active=True):
        assert not api.credits_enabled_for_course(course_key=str(ACME))
        assert_refused_everywhere(client, learner, ACME)
        assert_for_sale(client, learner, OTHER, 2_000)
        # The balance is the learner's, not the course's: still shown.
        assert api.wallet_context(user=learner)["enabled"] is True


def test_an_organisation_switched_on_is_still_off_when_the_site_is_off(client, learner):
    Organisation.objects.create(key="Acme", name="Acme Ltd", credits_enabled=True)
    client.force_login(learner)
    with override_waffle_switch(CREDITS_ENABLED, active=False):
        assert_refused_everywhere(client, learner, ACME)


def test_opt_in_only_organisations_switched_on_have_credits(client, learner, settings):
    settings.CREDITS_PLUGIN_ORGANISATIONS_OPT_IN = True
    Organisation.objects.create(key="Acme", name="Acme Ltd", credits_enabled=True)
    client.force_login(learner)
    with override_waffle_switch(CREDITS_ENABLED, active=True):
        assert_refused_everywhere(client, learner, OTHER)  # no row: off
        assert_for_sale(client, learner, ACME, 4_900)
        Organisation.objects.filter(key="Acme").update(credits_enabled=False)
        assert not api.credits_enabled_for_course(course_key=ACME)
