"""Checkout, read: whether credits apply to a course, its prices, the quote a learner confirms,
the wallets they may pay from, and how a purchase is named. The money moves in services.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import ngettext
from opaque_keys.edx.keys import CourseKey

from credits_plugin import exceptions
from credits_plugin.conf import platform
from credits_plugin.constants import AccountKind, HoldStatus
from credits_plugin.courses import parse_course_key, require_course
from credits_plugin.ledger.models import Account
from credits_plugin.money import format_credits, plural_count
from credits_plugin.pricing.selectors import Price, price_for_mode, require_price
from credits_plugin.purchases.models import Purchase
from credits_plugin.toggles import credits_enabled
from credits_plugin.wallets.models import Organisation, OrganisationMember
from credits_plugin.wallets.selectors import credits_enabled_for_org, organisation_wallet, user_wallet

PERSONAL = "personal"


@dataclass(frozen=True)
class Quote:
    """What a learner sees before confirming: the price and the wallet before and after."""

    course_key: CourseKey
    course_name: str
    mode_slug: str
    mode_name: str
    price: Price
    account: Account
    balance: int
    balance_after: int
    can_pay: bool


def _course_and_mode(course_key: CourseKey, mode_slug: str):
    backend = platform()
    course = backend.get_course_overview(course_key)
    if course is None:
        raise exceptions.UnknownCourse(course_id=str(course_key))
    mode = next((m for m in backend.course_modes(course_key) if m.mode_slug == mode_slug), None)
    if mode is None:
        raise exceptions.UnknownMode(course_id=str(course_key), mode=mode_slug)
    return course, mode


def credits_enabled_for_course(*, course_key) -> bool:
    """Whether the course can be bought with credits: the site-wide switch is on and so is
    the switch of the course key's organisation. Refuses an invalid key (InvalidCourseKey)."""
    return credits_enabled_for_org(parse_course_key(course_key).org)


def check_credits_enabled(*, course_key) -> None:
    """Refuse with :class:`~credits_plugin.exceptions.CreditsDisabled` (403) unless credits apply
    to the course (site-wide switch, then the switch of the course key's organisation);
    InvalidCourseKey (400) for a key that is not one."""
    course_key = parse_course_key(course_key)
    if not credits_enabled():
        raise exceptions.CreditsDisabled()
    if not credits_enabled_for_org(course_key.org):
        raise exceptions.CreditsDisabled(organisation=course_key.org)


def paying_account(*, user, pay_from: str = PERSONAL) -> tuple[Account, Organisation | None]:
    """The wallet the user pays from: their own, or an organisation's they may spend from."""
    if not pay_from or pay_from == PERSONAL:
        return user_wallet(user), None
    membership = (
        OrganisationMember.objects.select_related("organisation")
        .filter(user=user, organisation__key=pay_from)
        .first()
    )
    if membership is None or not membership.organisation.members_can_spend:
        raise exceptions.NotAMember(organisation=pay_from)
    return organisation_wallet(pay_from), membership.organisation


def spendable_wallets(*, user) -> list[tuple[str, str]]:
    """(value, label) of every wallet the user may pay from.

    Refuses nothing.
    """
    options = [(PERSONAL, "personal")]
    for membership in OrganisationMember.objects.select_related("organisation").filter(
        user=user, organisation__members_can_spend=True
    ):
        options.append((membership.organisation.key, membership.organisation.name))
    return options


def quote(*, user, course_id, mode_slug: str, pay_from: str = PERSONAL) -> Quote:
    """The price of a mode in credits and the paying wallet's balance before and after.

    Refuses InvalidCourseKey, UnknownCourse, UnknownMode, CreditsDisabled, ModeNotForSale and
    NotAMember (an organisation wallet the user may not spend from).
    """
    course_key = parse_course_key(course_id)
    course, mode = _course_and_mode(course_key, mode_slug)
    check_credits_enabled(course_key=course_key)
    price = require_price(
        course_key=course_key, mode_slug=mode_slug, min_price=mode.min_price, currency=mode.currency
    )
    account, __ = paying_account(user=user, pay_from=pay_from)
    available = account.balance - account.held
    limit = account.overdraft_limit
    return Quote(
        course_key=course_key,
        course_name=getattr(course, "display_name", "") or str(course_key),
        mode_slug=mode_slug,
        mode_name=getattr(mode, "mode_display_name", "") or mode_slug,
        price=price,
        account=account,
        balance=available,
        balance_after=available - price.amount,
        can_pay=limit is None or available - price.amount >= -limit,
    )


def check_price(q: Quote, expected_price: int | None) -> None:
    """Raise :class:`PriceChanged` when the price the learner saw is not the quote's."""
    if expected_price is None or expected_price == q.price.amount:
        return
    raise exceptions.PriceChanged(
        ngettext(
            "The price of {mode} changed from {quoted} to {price} credit since you saw it, so "
            "nothing was charged. Check the new price and confirm again.",
            "The price of {mode} changed from {quoted} to {price} credits since you saw it, so "
            "nothing was charged. Check the new price and confirm again.",
            plural_count(q.price.amount),
        ).format(
            mode=q.mode_name, quoted=format_credits(expected_price), price=format_credits(q.price.amount)
        ),
        expected_price=expected_price,
        price=q.price.amount,
    )


def describe_purchase(purchase: Purchase) -> dict[str, str]:
    """How pages and emails name a purchase: ``course`` as the learner's history shows it
    (course and mode names), and ``organisation``, the name of the organisation whose wallet
    paid, or "" when the learner paid (a member is never shown the organisation's balance).

    Refuses nothing.
    """
    organisation = ""
    account = purchase.account
    if account.kind == AccountKind.ORG_WALLET:
        key = account.holder.removeprefix("org:")
        organisation = str(Organisation.objects.filter(key=key).first() or key)
    hold = purchase.hold
    course = hold.reason if hold is not None and hold.reason else ""
    return {"course": course or f"{purchase.course_key} ({purchase.mode_slug})", "organisation": organisation}


def has_pending_payment(*, user, course_key, mode_slug: str) -> bool:
    """Whether a checkout holds credits for this enrolment right now (the enrolment guard).

    Refuses nothing.
    """
    return Purchase.objects.filter(
        user=user,
        course_key=course_key,
        mode_slug=mode_slug,
        status=Purchase.Status.PENDING,
        hold__status=HoldStatus.PENDING,
    ).exists()


def course_prices(*, course_key) -> list[dict]:
    """Prices in credits of a course's paid modes (user-independent, safe to cache).

    Empty when credits are switched off for the course (site-wide or for its organisation).

    Refuses an invalid course key (InvalidCourseKey).
    """
    if not credits_enabled_for_course(course_key=course_key):
        return []
    prices = []
    for mode in platform().course_modes(course_key):
        price = price_for_mode(
            course_key=course_key, mode_slug=mode.mode_slug, min_price=mode.min_price, currency=mode.currency
        )
        if price is not None:
            prices.append(
                {
                    "mode_slug": mode.mode_slug,
                    "mode_name": getattr(mode, "mode_display_name", mode.mode_slug),
                    "price": price.amount,
                    "credits_only": price.credits_only,
                }
            )
    return prices


def prices_of_course(*, course_id) -> list[dict]:
    """:func:`course_prices` of an existing course, named by its id as a client sends it:
    refuses with InvalidCourseKey (400) or UnknownCourse (404); empty when credits are off."""
    return course_prices(course_key=require_course(course_id))


def checkout_prices(*, course_id) -> list[dict]:
    """The prices a checkout page offers: refuses with InvalidCourseKey (400), UnknownCourse
    (404) or, when credits are switched off for the course, CreditsDisabled (403)."""
    course_key = require_course(course_id)
    check_credits_enabled(course_key=course_key)
    return course_prices(course_key=course_key)


def purchase_for(*, user, purchase_id: int) -> Purchase:
    """One of the user's own purchases. Refuses anyone else's, and an unknown id, with
    ``Purchase.DoesNotExist`` (404)."""
    return Purchase.objects.get(pk=purchase_id, user=user)
