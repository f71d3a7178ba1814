"""What a course mode costs: an explicit price, then the course's tier, then the currency value;
free modes and modes that are not single-course purchases are never for sale."""

import pytest
from opaque_keys.edx.keys import CourseKey

from credits_plugin.pricing.models import CourseTier, CurrencyValue, ModePrice, PriceTier
from credits_plugin.pricing.selectors import price_for_mode

pytestmark = pytest.mark.django_db
COURSE = CourseKey.from_string("course-v1:DemoX+Py101+2026")


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
