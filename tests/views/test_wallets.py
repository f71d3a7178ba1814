"""The checkout page: an unknown course is a 404, bad input a clear 4xx that changes nothing."""

from __future__ import annotations

import pytest
from edx_toggles.toggles.testutils import override_waffle_switch
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from credits_plugin import api
from credits_plugin.ledger.models import Hold
from credits_plugin.pricing.models import CurrencyValue
from credits_plugin.purchases.models import Purchase
from credits_plugin.toggles import CREDITS_ENABLED
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


def test_checkout_page_of_an_unknown_course_is_a_404(client, learner):
    client.force_login(learner)
    with override_waffle_switch(CREDITS_ENABLED, active=True):
        response = client.get("/credits/checkout/course-v1:No+Such+Course/")
    assert response.status_code == 404
    assert "There is no such course." in response.content.decode()
    rest = APIClient()
    rest.force_authenticate(learner)
    prices = rest.get(f"{API}/courses/course-v1:No+Such+Course/prices/")
    assert prices.status_code == 404 and prices.json()["error_code"] == "unknown_course"


@pytest.mark.parametrize(
    ("path", "data", "status", "message", "posted"),
    [
        ("/credits/checkout/not-a-key/", {}, 400, "This is not a valid course key.", None),
        (
            f"/credits/checkout/{ACME}/",
            {"mode": "no-such-mode"},
            404,
            "The course has no such mode.",
            # A posted form names a mode of the course; any other is a choice to make again.
            (400, "Choose a course mode."),
        ),
        (
            f"/credits/checkout/{ACME}/",
            {"mode": "audit"},
            400,
            "This course mode cannot be bought with credits.",
            None,
        ),
        (
            f"/credits/checkout/{ACME}/",
            {"mode": "verified", "pay_from": "Nobody"},
            403,
            "You cannot pay from",
            None,
        ),
    ],
)
def test_bad_input_on_the_checkout_page_is_a_clear_4xx_and_changes_nothing(
    client, learner, path, data, status, message, posted
):
    client.force_login(learner)
    with override_waffle_switch(CREDITS_ENABLED, active=True):
        for response, (want_status, want_message) in (
            (client.get(path, data), (status, message)),
            (client.post(path, data), posted or (status, message)),
        ):
            assert response.status_code == want_status
            assert want_message in response.content.decode()
    assert Purchase.objects.count() == 0 and Hold.objects.count() == 0
    assert api.balance(api.user_wallet(learner)).available == 10_000
