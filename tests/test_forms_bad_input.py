"""Bad input to the learner pages and the admin is a form error, never a server error, and
changes nothing: Unicode digits, amounts beyond the ledger's range, bad or unknown course keys
and modes the course does not have."""

import pytest
from django.urls import reverse

from credits_plugin import api
from credits_plugin.awards.models import CourseCredit
from credits_plugin.ledger.models import Transfer
from credits_plugin.pricing.models import CourseTier, CurrencyValue, ModePrice, PriceTier
from credits_plugin.wallets.models import CreditGroup, EarningRule, GrantBatch
from tests.factories import UserFactory, make_paid_course

pytestmark = pytest.mark.django_db
COURSE = "course-v1:DemoX+Ethics+2026"
SUPERSCRIPT_TWO = "\u00b2"
ARABIC_123 = "\u0661\u0662\u0663"
RANGE = "between 0.01 and 10,000,000,000,000.00"
HUGE = ["1e20", "1e9999", "1e999999", "9" * 30, SUPERSCRIPT_TWO, ARABIC_123]


@pytest.fixture
def course():
    return make_paid_course(COURSE, name="Ethics")


@pytest.fixture
def ethics():
    return api.create_credit(type=api.create_credit_type(name="CPE"), name="Ethics")


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def page_text(response) -> str:
    return response.content.decode()


class TestCourseCreditsPage:
    url = f"/credits/courses/{COURSE}/credits/"

    @pytest.mark.parametrize("amount", HUGE)
    def test_amounts(self, admin_client, course, ethics, amount):
        response = admin_client.post(self.url, {"credit": ethics.pk, "amount": amount})
        assert response.status_code == 400
        assert RANGE in page_text(response)
        assert not CourseCredit.objects.exists()

    @pytest.mark.parametrize("credit", [SUPERSCRIPT_TWO, ARABIC_123])
    def test_remove_with_unicode_digits(self, admin_client, course, ethics, credit):
        api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
        response = admin_client.post(self.url, {"remove": credit})
        assert response.status_code == 400
        assert "0-9" in page_text(response)
        assert CourseCredit.objects.count() == 1


class TestAdminAmounts:
    @pytest.mark.parametrize("amount", HUGE)
    def test_bulk_give(self, admin_client, amount):
        UserFactory()
        response = admin_client.post(
            reverse("admin:credits_plugin_grantbatch_add"),
            {"action": "grant", "target": "all", "amount": amount, "comment": "x", "confirm": "1"},
        )
        assert response.status_code == 200
        assert RANGE.replace("0.01", "0.00") in page_text(response)
        assert not GrantBatch.objects.exists()

    def test_bulk_give_of_zero_says_the_range(self, admin_client):
        response = admin_client.post(
            reverse("admin:credits_plugin_grantbatch_add"),
            {"action": "grant", "target": "all", "amount": "0", "comment": "x", "confirm": "1"},
        )
        assert RANGE in page_text(response)
        assert "greater than zero" not in page_text(response)

    @pytest.mark.parametrize("amount", HUGE)
    def test_set_balance(self, admin_client, amount):
        wallet = api.user_wallet(UserFactory())
        response = admin_client.post(
            reverse("admin:credits_plugin_account_set_balance", args=[wallet.pk]),
            {"balance": amount, "comment": "x", "confirm": "1"},
        )
        assert response.status_code == 200
        assert "10,000,000,000,000.00" in page_text(response)
        assert not Transfer.objects.exists()

    @pytest.mark.parametrize("amount", [str(10**20), str(10**18), SUPERSCRIPT_TWO, ARABIC_123])
    def test_course_credit(self, admin_client, course, ethics, amount):
        response = admin_client.post(
            reverse("admin:credits_plugin_coursecredit_add"),
            {"course_id": COURSE, "credit": ethics.pk, "amount": amount},
        )
        assert response.status_code == 200
        assert "between 1 and 1000000000000000" in page_text(response)
        assert not CourseCredit.objects.exists()

    @pytest.mark.parametrize(
        ("model", "fields"),
        [
            ("pricetier", {"name": "Gold"}),
            ("modeprice", {"course_key": COURSE, "mode_slug": "verified"}),
            ("earningrule", {"name": "Pass", "trigger": "passed", "active": "on"}),
            ("currencyvalue", {"currency": "usd"}),
        ],
    )
    def test_prices_and_rules(self, admin_client, course, model, fields):
        amount_field = {"currencyvalue": "credits_per_unit", "earningrule": "amount"}.get(model, "price")
        for amount in (str(10**18), ARABIC_123):
            response = admin_client.post(
                reverse(f"admin:credits_plugin_{model}_add"), {**fields, amount_field: amount}
            )
            assert response.status_code == 200
            assert "between 1 and 1000000000000000" in page_text(response)
        assert not (
            PriceTier.objects.exists()
            or ModePrice.objects.exists()
            or EarningRule.objects.exists()
            or CurrencyValue.objects.exists()
        )

    def test_group_import_ignores_unicode_digit_ids(self, admin_client):
        group = CreditGroup.objects.create(name="Nurses")
        member = UserFactory()
        response = admin_client.post(
            reverse("admin:credits_plugin_creditgroup_import", args=[group.pk]),
            {"confirm": "1", "user_ids": [SUPERSCRIPT_TWO, ARABIC_123, str(member.pk)]},
        )
        assert response.status_code == 302
        assert list(group.members.all()) == [member]


class TestAdminCourses:
    @pytest.fixture
    def tier(self):
        return PriceTier.objects.create(name="Gold", price=1_000)

    @pytest.mark.parametrize(
        ("key", "message"),
        [
            ("nope", "This is not a valid course key."),
            ("course-v1:Nobody+Nothing+Never", "There is no course course-v1:Nobody+Nothing+Never."),
        ],
    )
    def test_course_tier(self, admin_client, course, tier, key, message):
        response = admin_client.post(
            reverse("admin:credits_plugin_coursetier_add"), {"course_key": key, "tier": tier.pk}
        )
        assert response.status_code == 200
        assert message in page_text(response)
        assert not CourseTier.objects.exists()

    @pytest.mark.parametrize(
        ("key", "mode", "message"),
        [
            ("nope", "verified", "This is not a valid course key."),
            ("course-v1:Nobody+Nothing+Never", "verified", "There is no course"),
            (COURSE, "verifed", "The course has no mode verifed. Its modes: audit, verified."),
            (COURSE, "audit", "The mode audit cannot be bought with credits."),
        ],
    )
    def test_mode_price(self, admin_client, course, key, mode, message):
        response = admin_client.post(
            reverse("admin:credits_plugin_modeprice_add"),
            {"course_key": key, "mode_slug": mode, "price": "100"},
        )
        assert response.status_code == 200
        assert message in page_text(response)
        assert not ModePrice.objects.exists()

    def test_valid_tier_and_price_are_saved(self, admin_client, course, tier):
        tiered = admin_client.post(
            reverse("admin:credits_plugin_coursetier_add"), {"course_key": COURSE, "tier": tier.pk}
        )
        priced = admin_client.post(
            reverse("admin:credits_plugin_modeprice_add"),
            {"course_key": f" {COURSE} ", "mode_slug": "verified", "price": "2500"},
        )
        assert (tiered.status_code, priced.status_code) == (302, 302)
        assert str(CourseTier.objects.get().course_key) == COURSE
        assert ModePrice.objects.get().price == 2_500

    @pytest.mark.parametrize(
        ("key", "message"),
        [
            ("nope", "This is not a valid course key."),
            ("course-v1:Nobody+Nothing+Never", "There is no such course."),
        ],
    )
    def test_course_credit(self, admin_client, course, ethics, key, message):
        response = admin_client.post(
            reverse("admin:credits_plugin_coursecredit_add"),
            {"course_id": key, "credit": ethics.pk, "amount": "100"},
        )
        assert response.status_code == 200
        assert message in page_text(response)
        assert not CourseCredit.objects.exists()
