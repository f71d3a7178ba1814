"""Rate limits: checkout, operator writes and code redemption, from the plugin's own settings."""

import pytest
from edx_toggles.toggles.testutils import override_waffle_switch
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from credits_plugin import api
from credits_plugin.ledger.models import Transfer
from credits_plugin.pricing.models import CurrencyValue
from credits_plugin.purchases.models import Purchase
from credits_plugin.rest_api.v1.base import CreditsAPIView
from credits_plugin.rest_api.v1.throttling import RedeemIPThrottle, RedeemThrottle, rate_for
from credits_plugin.settings.common import DEFAULTS
from credits_plugin.toggles import CREDITS_ENABLED
from tests.factories import UserFactory, confirm_form, funded_user, make_paid_course, operator

pytestmark = pytest.mark.django_db
BASE = "/api/credits_plugin/v1"
KEY = "course-v1:DemoX+Throttle+2026"
# The LMS's own REST_FRAMEWORK throttle rates (openedx/envs/common.py): none for the plugin.
LMS_REST_FRAMEWORK = {
    "DEFAULT_THROTTLE_RATES": {"user": "60/minute", "service_user": "800/minute"},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}


@pytest.fixture
def lms_rest_framework(settings):
    settings.REST_FRAMEWORK = LMS_REST_FRAMEWORK


@pytest.fixture
def course():
    overview = make_paid_course(KEY, name="Throttled", verified_price=10)
    CurrencyValue.objects.create(currency="usd", credits_per_unit=100)
    with override_waffle_switch(CREDITS_ENABLED, active=True):
        yield overview


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_throttled(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error_code"] == "throttled"


class TestCheckout:
    def test_the_default_rate_applies_in_a_host_with_the_lms_rest_framework(self, lms_rest_framework, course):
        learner = funded_user(100_000)
        client = client_for(learner)
        bad = {"course_id": "not a key", "mode": "verified"}
        limit = int(DEFAULTS["CREDITS_PLUGIN_THROTTLE_RATES"]["credits_plugin.checkout"].split("/")[0])
        for _ in range(limit):
            assert client.post(f"{BASE}/checkout/", bad, format="json").status_code == 400
        # The next one would succeed; throttled, it changes nothing.
        transfers = Transfer.objects.count()
        assert_throttled(
            client.post(f"{BASE}/checkout/", {"course_id": KEY, "mode": "verified"}, format="json")
        )
        assert not Purchase.objects.exists()
        assert Transfer.objects.count() == transfers
        # Another learner is counted apart.
        other = client_for(funded_user(100_000))
        assert (
            other.post(f"{BASE}/checkout/", {"course_id": KEY, "mode": "verified"}, format="json").status_code
            == 201
        )

    def test_the_rate_comes_from_the_plugin_setting(self, settings, lms_rest_framework, course):
        settings.CREDITS_PLUGIN_THROTTLE_RATES = {"credits_plugin.checkout": "1/hour"}
        client = client_for(funded_user(100_000))
        assert (
            client.post(
                f"{BASE}/checkout/", {"course_id": KEY, "mode": "verified"}, format="json"
            ).status_code
            == 201
        )
        response = client.post(f"{BASE}/checkout/", {"course_id": KEY, "mode": "audit"}, format="json")
        assert_throttled(response)
        assert 3500 < int(response["Retry-After"]) <= 3600

    def test_reads_are_not_counted(self, settings, course):
        settings.CREDITS_PLUGIN_THROTTLE_RATES = {"credits_plugin.checkout": "1/minute"}
        client = client_for(funded_user(100_000))
        for _ in range(3):
            assert (
                client.get(f"{BASE}/checkout/quote/", {"course_id": KEY, "mode": "verified"}).status_code
                == 200
            )
        assert (
            client.post(
                f"{BASE}/checkout/", {"course_id": KEY, "mode": "verified"}, format="json"
            ).status_code
            == 201
        )

    def test_the_checkout_page_shares_the_learners_count(self, settings, course, client):
        settings.CREDITS_PLUGIN_THROTTLE_RATES = {"credits_plugin.checkout": "1/hour"}
        learner = funded_user(100_000)
        client.force_login(learner)
        page = f"/credits/checkout/{KEY}/"
        confirm = confirm_form(
            "verified", api.quote(user=learner, course_id=KEY, mode_slug="verified").price.amount
        )
        assert client.post(page, confirm).status_code == 302
        assert Purchase.objects.count() == 1
        refused = client_for(learner).post(
            f"{BASE}/checkout/", {"course_id": KEY, "mode": "verified"}, format="json"
        )
        assert_throttled(refused)
        again = client.post(page, confirm)
        assert again.status_code == 429
        assert int(again["Retry-After"]) > 0
        assert "Too many purchases" in again.content.decode()
        assert Purchase.objects.count() == 1


class TestOperatorWrites:
    @pytest.fixture
    def giver(self, settings):
        settings.CREDITS_PLUGIN_THROTTLE_RATES = {"credits_plugin.operator": "2/minute"}
        UserFactory(username="alice")
        return client_for(
            operator(
                "giver",
                "credits_plugin.give_credits",
                "credits_plugin.undo_batch",
                "credits_plugin.view_grantbatch",
            )
        )

    def test_grants_adjustments_and_undos_share_the_operator_limit(self, giver):
        grant = {"action": "grant", "target": "user", "target_value": "alice", "amount": 100, "comment": "x"}
        assert giver.post(f"{BASE}/batches/", {**grant, "preview": True}, format="json").status_code == 200
        adjust = {"balance": 500, "comment": "Correction"}
        assert giver.post(f"{BASE}/wallets/alice/adjustment/", adjust, format="json").status_code == 200
        before = Transfer.objects.count()
        assert_throttled(giver.post(f"{BASE}/batches/", grant, format="json"))
        assert_throttled(
            giver.post(f"{BASE}/wallets/alice/adjustment/", {"balance": 0, "comment": "x"}, format="json")
        )
        assert_throttled(giver.post(f"{BASE}/batches/00000000-0000-0000-0000-000000000000/undo/"))
        assert Transfer.objects.count() == before
        # Following batches is a read: never throttled.
        assert giver.get(f"{BASE}/batches/").status_code == 200

    def test_none_switches_a_limit_off(self, giver, settings):
        settings.CREDITS_PLUGIN_THROTTLE_RATES = {"credits_plugin.operator": None}
        for balance in range(5):
            response = giver.post(
                f"{BASE}/wallets/alice/adjustment/", {"balance": balance, "comment": "x"}, format="json"
            )
            assert response.status_code == 200


class RedeemView(CreditsAPIView):
    """A stand-in for the code redemption endpoint to come."""

    throttle_classes = [RedeemThrottle, RedeemIPThrottle]

    def post(self, request):
        from rest_framework.response import Response

        return Response({"redeemed": True})


class TestRedemptionScope:
    def redeem(self, user, ip="203.0.113.7"):
        request = APIRequestFactory().post("/redeem/", {}, REMOTE_ADDR=ip)
        force_authenticate(request, user=user)
        return RedeemView.as_view()(request)

    def test_per_learner(self, settings):
        settings.CREDITS_PLUGIN_THROTTLE_RATES = {"credits_plugin.redeem": "2/minute"}
        learner = UserFactory()
        assert [self.redeem(learner, ip=f"198.51.100.{n}").status_code for n in range(3)] == [200, 200, 429]

    def test_per_ip_address_whoever_is_signed_in(self, settings):
        settings.CREDITS_PLUGIN_THROTTLE_RATES = {"credits_plugin.redeem_ip": "3/minute"}
        statuses = [self.redeem(UserFactory()).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert self.redeem(UserFactory(), ip="192.0.2.1").status_code == 200


def test_a_partial_setting_keeps_the_other_defaults(settings):
    settings.CREDITS_PLUGIN_THROTTLE_RATES = {"credits_plugin.checkout": "1/day"}
    assert rate_for("credits_plugin.checkout") == "1/day"
    assert (
        rate_for("credits_plugin.redeem")
        == DEFAULTS["CREDITS_PLUGIN_THROTTLE_RATES"]["credits_plugin.redeem"]
    )


def test_every_scope_has_a_documented_default():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "configuration.rst").read_text()
    for scope in DEFAULTS["CREDITS_PLUGIN_THROTTLE_RATES"]:
        assert scope in doc
