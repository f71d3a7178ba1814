"""Pricing, read: what a course mode costs in credits, and which modes can be bought with them.

Prices, tiers and currency values are written by operators in the admin (plain model forms);
this module holds every rule that reads them."""

from __future__ import annotations

from dataclasses import dataclass

from credits_plugin import exceptions
from credits_plugin.conf import platform
from credits_plugin.pricing.models import CourseTier, CurrencyValue, ModePrice

# Modes that never cost anything on the platform (its AUDIT_MODES plus honor).
FREE_MODES = frozenset({"audit", "honor", "unpaid-executive-education", "unpaid-bootcamp"})
# Modes that are not single-course purchases and therefore never sold for credits.
NOT_FOR_SALE_MODES = frozenset({"credit", "masters"})


@dataclass(frozen=True)
class Price:
    """A mode's price in hundredths of a credit and where it came from."""

    amount: int
    source: str  # "explicit", "tier" or "currency"
    credits_only: bool = False


def price_for_mode(*, course_key, mode_slug: str, min_price: int = 0, currency: str = "usd") -> Price | None:
    """The price in credits of one mode, or None when the mode cannot be bought with credits.

    ``min_price`` and ``currency`` are the mode's own price on the platform (whole units).
    """
    if mode_slug in FREE_MODES or mode_slug in NOT_FOR_SALE_MODES:
        return None
    explicit = ModePrice.objects.filter(course_key=course_key, mode_slug=mode_slug).first()
    if explicit is not None:
        return Price(explicit.price, "explicit", explicit.credits_only)
    tier = CourseTier.objects.select_related("tier").filter(course_key=course_key).first()
    if tier is not None:
        return Price(tier.tier.price, "tier")
    if min_price and min_price > 0:
        value = CurrencyValue.objects.filter(currency=(currency or "usd").lower()).first()
        if value is not None:
            return Price(int(min_price) * value.credits_per_unit, "currency")
    return None


def require_price(*, course_key, mode_slug: str, min_price: int = 0, currency: str = "usd") -> Price:
    """:func:`price_for_mode`, refusing with :class:`ModeNotForSale` when there is no price."""
    price = price_for_mode(course_key=course_key, mode_slug=mode_slug, min_price=min_price, currency=currency)
    if price is None:
        raise exceptions.ModeNotForSale(course=str(course_key), mode=mode_slug)
    return price


def mode_requires_payment(*, course_key, mode_slug: str) -> bool:
    """Whether a mode is credits-only: enrolment into it needs a checkout with credits.
    Refuses nothing."""
    return ModePrice.objects.filter(course_key=course_key, mode_slug=mode_slug, credits_only=True).exists()


def check_mode_for_sale(*, course_key, mode_slug: str) -> None:
    """Whether an operator may put a price on the mode: refuses with :class:`ModeNotForSale`
    for a free or not-for-sale mode, and with UnknownMode (details: ``modes``, the course's
    modes) for a mode the course does not have."""
    if mode_slug in FREE_MODES or mode_slug in NOT_FOR_SALE_MODES:
        raise exceptions.ModeNotForSale(course=str(course_key), mode=mode_slug)
    slugs = sorted(mode.mode_slug for mode in platform().course_modes(course_key))
    if mode_slug not in slugs:
        raise exceptions.UnknownMode(course_id=str(course_key), mode=mode_slug, modes=slugs)
