"""What a checkout charges is what the learner was shown, and a replay gets the first answer.

* The confirmation carries the quoted mode, wallet and price; anything else is refused with the
  new summary (page) or 409 ``price_changed`` (REST), and nothing is charged.
* A replay of a purchase the platform refused answers the same failure, never "enrolled".
* A replay must be the same request: another wallet or price under a used key is a 409
  ``idempotency_conflict``.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from common.djangoapps.course_modes.models import CourseMode
from common.djangoapps.student.models import CourseEnrollment
from django.db import connection
from django.utils import timezone
from edx_toggles.toggles.testutils import override_waffle_switch
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview
from rest_framework.test import APIClient

from credits_plugin import api, exceptions
from credits_plugin.conf import platform
from credits_plugin.constants import HoldStatus
from credits_plugin.ledger.models import Hold, Transfer
from credits_plugin.pricing.models import CurrencyValue, ModePrice
from credits_plugin.purchases import services as purchases
from credits_plugin.purchases.models import Purchase
from credits_plugin.toggles import CREDITS_ENABLED
from credits_plugin.wallets.models import Organisation, OrganisationMember
from tests.factories import available, confirm_form, funded_user, make_paid_course

KEY = CourseKey.from_string("course-v1:DemoX+Py101+2026")  # verified 49.00, professional 149.00
PAGE = f"/credits/checkout/{KEY}/"
REST = "/api/credits_plugin/v1/checkout/"
ORG = "Acme"


@pytest.fixture
def course(enrollment_events):
    overview = make_paid_course(str(KEY), name="Python 101", verified_price=49)
    CourseMode.objects.create(
        course=overview, mode_slug="professional", mode_display_name="Professional", min_price=149
    )
    CurrencyValue.objects.create(currency="usd", credits_per_unit=100)
    with override_waffle_switch(CREDITS_ENABLED, active=True):
        yield overview


@pytest.fixture
def learner(course):
    return funded_user(20_000)


def rest_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_nothing_charged(user, funds: int = 20_000) -> None:
    assert Purchase.objects.count() == 0 and Hold.objects.count() == 0
    assert available(user) == funds
    assert CourseEnrollment.enrollment_mode_for_user(user, KEY) == (None, None)


def summary(content: str) -> dict[str, str]:
    """The checkout summary's rows, by row header, and the values the confirm button posts."""
    table = re.search(r'<table aria-labelledby="summary-heading".*?</table>', content, re.S)
    assert table, "no summary on the page"
    rows = dict(re.findall(r'<th scope="row">(.*?)</th><td[^>]*>(.*?)</td>', table.group(0)))
    hidden = dict(re.findall(r'<input type="hidden" name="(quoted_\w+)" value="([^"]*)">', content))
    return {**rows, **hidden}


def closed_for_enrolment() -> None:
    CourseOverview.objects.filter(id=KEY).update(enrollment_end=timezone.now() - timedelta(days=1))


# --- 1. The charge is what the summary showed ------------------------------------------------


@pytest.mark.django_db
class TestConfirmWhatWasQuoted:
    def test_another_mode_picked_after_the_summary_is_refused_with_the_new_summary(self, client, learner):
        client.force_login(learner)
        shown = summary(client.get(PAGE, {"mode": "verified"}).content.decode())
        assert shown["Price"] == "49.00 credits"

        # The learner picks Professional but confirms without updating the summary.
        form = {**confirm_form("verified", 4_900), "mode": "professional"}
        response = client.post(PAGE, form)

        assert response.status_code == 409
        content = response.content.decode()
        assert "You changed the course mode or the wallet after the summary was shown" in content
        new = summary(content)
        assert (new["Course mode"], new["Price"]) == ("Professional", "149.00 credits")
        assert (new["quoted_mode"], new["quoted_price"]) == ("professional", "14900")
        assert_nothing_charged(learner)

        # Confirming the new summary buys what it shows.
        done = client.post(PAGE, confirm_form("professional", 14_900), follow=True)
        assert "You are enrolled. 149.00 credits were taken from your wallet." in done.content.decode()
        assert available(learner) == 20_000 - 14_900

    def test_another_wallet_picked_after_the_summary_is_refused(self, client, learner):
        org = Organisation.objects.create(key=ORG, name="Acme Ltd", members_can_spend=True)
        OrganisationMember.objects.create(organisation=org, user=learner)
        api.grant(account=api.organisation_wallet(ORG), amount=50_000, idempotency_key="fund:org")
        client.force_login(learner)
        form = {**confirm_form("verified", 4_900, "personal"), "pay_from": ORG}
        response = client.post(PAGE, form)
        assert response.status_code == 409
        assert summary(response.content.decode())["quoted_pay_from"] == ORG
        assert_nothing_charged(learner)
        assert api.balance(api.organisation_wallet(ORG)).available == 50_000

    def test_a_price_changed_since_the_summary_is_refused_with_the_new_price(self, client, learner):
        client.force_login(learner)
        ModePrice.objects.create(course_key=KEY, mode_slug="verified", price=3_000)
        response = client.post(PAGE, confirm_form("verified", 4_900))
        assert response.status_code == 409
        content = response.content.decode()
        assert "The price of Verified changed from 49.00 to 30.00 credits since you saw it" in content
        new = summary(content)
        assert (new["Price"], new["quoted_price"]) == ("30.00 credits", "3000")
        assert_nothing_charged(learner)

    def test_a_confirmation_without_the_quote_is_refused(self, client, learner):
        client.force_login(learner)
        response = client.post(PAGE, {"mode": "verified", "pay_from": "personal"})
        assert response.status_code == 409
        assert "Check the new summary and confirm again." in response.content.decode()
        assert_nothing_charged(learner)

    @pytest.mark.parametrize("mode", ["", "no-such-mode"])
    def test_posting_without_a_mode_of_the_course_is_a_400_not_the_first_mode(self, client, learner, mode):
        client.force_login(learner)
        for form in ({"mode": mode}, {**confirm_form("verified", 4_900), "mode": mode}):
            response = client.post(PAGE, form)
            assert response.status_code == 400
            content = response.content.decode()
            assert "Choose a course mode." in content
            assert "checked" not in content and "Confirm and enrol" not in content
        assert_nothing_charged(learner)

    def test_updating_the_summary_posts_quotes_and_charges_nothing(self, client, learner):
        client.force_login(learner)
        page = client.get(PAGE).content.decode()
        (form,) = [f for f in re.findall(r"<form[^>]*>.*?</form>", page, re.S) if "Update the summary" in f]
        # The CSRF token travels in a POST body only: no button turns the form into a GET.
        assert 'method="post"' in form and "formmethod" not in form and "csrfmiddlewaretoken" in form
        assert re.search(r'<button type="submit" name="update" value="1">Update the summary</button>', form)

        form = {**confirm_form("verified", 4_900), "mode": "professional", "update": "1"}
        del form["confirm"]
        response = client.post(PAGE, form)
        assert response.status_code == 200
        new = summary(response.content.decode())
        assert (new["Course mode"], new["Price"], new["quoted_mode"]) == (
            "Professional",
            "149.00 credits",
            "professional",
        )
        assert_nothing_charged(learner)

    def test_rest_checkout_refuses_a_price_other_than_the_quoted_one(self, learner):
        client = rest_client(learner)
        quoted = client.get(f"{REST}quote/", {"course_id": str(KEY), "mode": "verified"}).json()["price"]
        ModePrice.objects.create(course_key=KEY, mode_slug="verified", price=3_000)

        response = client.post(REST, {"course_id": str(KEY), "mode": "verified", "expected_price": quoted})

        assert response.status_code == 409
        body = response.json()
        assert body["error_code"] == "price_changed"
        assert (body["expected_price"], body["price"]) == ("4900", "3000")
        assert "changed from 49.00 to 30.00 credits" in body["developer_message"]
        assert_nothing_charged(learner)

        ok = client.post(REST, {"course_id": str(KEY), "mode": "verified", "expected_price": 3_000})
        assert ok.status_code == 201 and ok.json()["amount"] == 3_000

    @pytest.mark.parametrize("expected", ["cheap", -1, 49.5])
    def test_rest_checkout_refuses_a_quoted_price_that_is_not_hundredths(self, learner, expected):
        response = rest_client(learner).post(
            REST, {"course_id": str(KEY), "mode": "verified", "expected_price": expected}, format="json"
        )
        assert response.status_code == 400 and "expected_price" in response.json()["field_errors"]
        assert_nothing_charged(learner)

    def test_the_service_checks_the_quoted_price(self, learner):
        with pytest.raises(exceptions.PriceChanged) as refused:
            api.checkout(user=learner, course_id=str(KEY), mode_slug="verified", expected_price=4_800)
        assert refused.value.status_code == 409 and refused.value.details["price"] == 4_900
        assert_nothing_charged(learner)
        assert (
            api.checkout(user=learner, course_id=str(KEY), mode_slug="verified", expected_price=4_900).amount
            == 4_900
        )


# --- 2. A replay of a refused purchase answers the refusal ----------------------------------


def _first_request_finishes_meanwhile(monkeypatch, first) -> list:
    """Interleave a double click as a server does: the second request reads its idempotency
    key (no attempt has ended yet), then the first request runs to its end, then the second
    goes on. Returns what the first request raised."""
    real_key = purchases._checkout_key
    first_outcome: list = []

    def key_then_first_request(user, course_key, mode_slug):
        key = real_key(user, course_key, mode_slug)
        if not first_outcome:
            first_outcome.append("running")
            try:
                first_outcome[0] = first()
            except exceptions.CreditsError as exc:
                first_outcome[0] = exc
        return key

    monkeypatch.setattr(purchases, "_checkout_key", key_then_first_request)
    return first_outcome


@pytest.mark.django_db
class TestReplayOfARefusedPurchase:
    def test_service_replay_raises_the_original_failure(self, learner, monkeypatch):
        closed_for_enrolment()
        checkout = lambda: api.checkout(user=learner, course_id=str(KEY), mode_slug="verified")  # noqa: E731
        first = _first_request_finishes_meanwhile(monkeypatch, checkout)

        with pytest.raises(exceptions.EnrollmentFailed) as second:
            checkout()

        assert isinstance(first[0], exceptions.EnrollmentFailed)
        assert second.value.details["reason"] == first[0].details["reason"] != ""
        failed = Purchase.objects.get()
        assert failed.status == Purchase.Status.FAILED
        assert Hold.objects.get().status == HoldStatus.VOIDED
        assert available(learner) == 20_000 and not Transfer.objects.filter(kind="charge").exists()

    def test_rest_replay_answers_the_same_409(self, learner, monkeypatch):
        closed_for_enrolment()
        client = rest_client(learner)
        post = lambda: client.post(REST, {"course_id": str(KEY), "mode": "verified"})  # noqa: E731
        first = _first_request_finishes_meanwhile(monkeypatch, post)

        second = post()

        assert first[0].status_code == 409 and first[0].json()["error_code"] == "enrollment_failed"
        assert (second.status_code, second.json()) == (first[0].status_code, first[0].json())
        assert available(learner) == 20_000

    def test_page_replay_shows_the_failure_not_enrolled(self, client, learner, monkeypatch):
        closed_for_enrolment()
        client.force_login(learner)
        post = lambda: client.post(PAGE, confirm_form("verified", 4_900), follow=True)  # noqa: E731
        first = _first_request_finishes_meanwhile(monkeypatch, post)

        second = post()

        for response in (first[0], second):
            assert response.status_code == 409
            content = response.content.decode()
            assert "The enrolment did not go through, so no credits were taken." in content
            assert "You are enrolled" not in content
        assert available(learner) == 20_000


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_double_click_on_a_refused_enrolment_answers_the_failure_twice(learner, monkeypatch):
    """Real threads: the second click waits on the wallet lock while the first one's enrolment
    is refused, then finds the failed purchase under its key."""
    closed_for_enrolment()
    backend = platform()
    real_enroll, real_lock = backend.enroll, purchases._lock_account
    first_enrolling, second_locking = threading.Event(), threading.Event()

    def slow_enroll(*args, **kwargs):
        first_enrolling.set()
        assert second_locking.wait(30)
        return real_enroll(*args, **kwargs)

    def lock(account_id):
        if threading.current_thread().name == "second":
            second_locking.set()
        return real_lock(account_id)

    monkeypatch.setattr(backend, "enroll", slow_enroll)
    monkeypatch.setattr(purchases, "_lock_account", lock)
    answers: dict[str, tuple] = {}

    def click(name: str) -> None:
        try:
            response = rest_client(learner).post(REST, {"course_id": str(KEY), "mode": "verified"})
            answers[name] = (response.status_code, response.json().get("error_code"))
        finally:
            connection.close()

    first = threading.Thread(target=click, args=("first",), name="first")
    second = threading.Thread(target=click, args=("second",), name="second")
    first.start()
    assert first_enrolling.wait(30)
    second.start()
    for thread in (first, second):
        thread.join(60)
    assert answers == {"first": (409, "enrollment_failed"), "second": (409, "enrollment_failed")}
    assert Purchase.objects.get().status == Purchase.Status.FAILED
    assert available(learner) == 20_000
    assert api.verify_ledger().ok


# --- 3. A replay must be the same request ---------------------------------------------------


@pytest.mark.django_db
class TestReplayIsTheSameRequest:
    @pytest.fixture
    def org_member(self, learner):
        org = Organisation.objects.create(key=ORG, name="Acme Ltd", members_can_spend=True)
        OrganisationMember.objects.create(organisation=org, user=learner)
        api.grant(account=api.organisation_wallet(ORG), amount=50_000, idempotency_key="fund:org")
        return learner

    def test_a_replay_from_another_wallet_is_a_conflict(self, org_member):
        first = api.checkout(user=org_member, course_id=str(KEY), mode_slug="verified")
        with pytest.raises(exceptions.IdempotencyConflict):
            api.checkout(user=org_member, course_id=str(KEY), mode_slug="verified", pay_from=ORG)
        response = rest_client(org_member).post(
            REST, {"course_id": str(KEY), "mode": "verified", "pay_from": ORG}
        )
        assert response.status_code == 409 and response.json()["error_code"] == "idempotency_conflict"
        assert Purchase.objects.get() == first
        assert api.balance(api.organisation_wallet(ORG)).available == 50_000
        assert available(org_member) == 20_000 - 4_900
        # The same request is still a replay.
        assert api.checkout(user=org_member, course_id=str(KEY), mode_slug="verified").pk == first.pk

    def test_a_replay_at_another_price_is_a_conflict(self, learner):
        first = api.checkout(user=learner, course_id=str(KEY), mode_slug="verified", expected_price=4_900)
        ModePrice.objects.create(course_key=KEY, mode_slug="verified", price=3_000)
        # The first request again (the price it was shown): the first answer.
        again = api.checkout(user=learner, course_id=str(KEY), mode_slug="verified", expected_price=4_900)
        assert again.pk == first.pk
        # At today's price it is another request under the same key.
        for expected in (3_000, None):
            with pytest.raises(exceptions.IdempotencyConflict):
                api.checkout(user=learner, course_id=str(KEY), mode_slug="verified", expected_price=expected)
        assert Transfer.objects.filter(kind="charge").count() == 1
        assert available(learner) == 20_000 - 4_900

    def test_keys_of_two_learners_never_meet(self, learner):
        other = funded_user(20_000)
        mine = api.checkout(user=learner, course_id=str(KEY), mode_slug="verified")
        theirs = api.checkout(user=other, course_id=str(KEY), mode_slug="verified")
        assert mine.pk != theirs.pk and mine.idempotency_key != theirs.idempotency_key
        assert (available(learner), available(other)) == (20_000 - 4_900, 20_000 - 4_900)
        assert CourseEnrollment.enrollment_mode_for_user(other, KEY) == ("verified", True)
