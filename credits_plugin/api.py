"""The public Python surface of credits_plugin.

Views, receivers, tasks and other plugins call these functions and nothing else. Amounts are
integers in the unit's minor unit (hundredths): 12.50 credits is ``1250``.
"""

from __future__ import annotations

from datetime import datetime

from credits_plugin.awards import services as _awards
from credits_plugin.constants import LotSource, SystemAccount, TransferKind
from credits_plugin.ledger import selectors as _ledger_selectors
from credits_plugin.ledger import services as _ledger
from credits_plugin.ledger.models import Account, Hold, Transfer, Unit
from credits_plugin.ledger.selectors import Balance, VerifyReport
from credits_plugin.money import format_credits
from credits_plugin.pricing import services as _pricing
from credits_plugin.purchases import services as _purchases
from credits_plugin.wallets import services as _wallets
from credits_plugin.wallets.services import organisation_wallet, user_wallet

__all__ = [
    "Balance",
    "VerifyReport",
    "award_for_certificate",
    "award_row",
    "awards",
    "balance",
    "batch_is_stuck",
    "can_author_course",
    "certificate_credits",
    "charge",
    "check_credits_enabled",
    "checkout",
    "course_credits",
    "course_exists",
    "course_prices",
    "create_credit",
    "create_credit_type",
    "credits_enabled_for_course",
    "describe_purchase",
    "earn",
    "ensure_unit",
    "expire_holds",
    "expire_lots",
    "find_user",
    "format_credits",
    "get_credit",
    "grant",
    "has_pending_payment",
    "history",
    "learner_summary",
    "licences",
    "list_credit_types",
    "list_credits",
    "may_see_any_awards",
    "mode_requires_payment",
    "open_lots",
    "organisation_wallet",
    "parse_course_key",
    "place_hold",
    "post_hold",
    "preview_batch",
    "preview_course_credits",
    "purchase_for",
    "quote",
    "refund",
    "refund_unenrollment",
    "remove_course_credit",
    "require_course",
    "resume_batch",
    "retire_user",
    "reverse_transfer",
    "revoke_for_certificate",
    "run_batch",
    "run_undo",
    "set_balance",
    "set_course_credit",
    "set_licence",
    "settle_enrollment",
    "spendable_wallets",
    "start_batch",
    "stuck_batches",
    "system_account",
    "transcript_csv",
    "transcript_pdf",
    "transfer",
    "undo_batch",
    "update_credit",
    "update_credit_type",
    "user_wallet",
    "validate_amount",
    "verify_ledger",
    "void_hold",
    "wallet_context",
    "wallet_owner",
]

ensure_unit = _ledger.ensure_unit
transfer = _ledger.transfer
post_hold = _ledger.post_hold
void_hold = _ledger.void_hold
reverse_transfer = _ledger.reverse_transfer
expire_holds = _ledger.expire_holds
expire_lots = _ledger.expire_lots
balance = _ledger_selectors.balance
history = _ledger_selectors.history
open_lots = _ledger_selectors.open_lots
verify_ledger = _ledger_selectors.verify_ledger


def _unit_of(account: Account | int) -> tuple[int, str]:
    if isinstance(account, Account):
        return account.pk, account.unit_id
    return account, balance(account).unit


def system_account(name: SystemAccount | str, *, unit: str, shard_key: int | None = None) -> Account:
    """One shard of the system account ``name`` in ``unit``."""
    return Account.objects.get(pk=_ledger.system_account_id(name, unit=unit, shard_key=shard_key))


def grant(
    *,
    account: Account | int,
    amount: int,
    idempotency_key: str,
    actor=None,
    reason: str = "",
    reference: str = "",
    expires_at: datetime | None = None,
    source: str = LotSource.GRANTED,
    kind: str = TransferKind.GRANT,
    batch: str = "",
) -> Transfer:
    """Give ``amount`` to ``account`` from the issuance account, as a new lot."""
    account_id, unit = _unit_of(account)
    issuance = _ledger.system_account_id(SystemAccount.ISSUANCE, unit=unit, shard_key=account_id)
    return _ledger.transfer(
        debit=issuance,
        credit=account_id,
        amount=amount,
        kind=kind,
        idempotency_key=idempotency_key,
        actor=actor,
        reason=reason,
        reference=reference,
        batch=batch,
        lot_source=source,
        lot_expires_at=expires_at,
    )


def charge(
    *,
    account: Account | int,
    amount: int,
    idempotency_key: str,
    actor=None,
    reason: str = "",
    reference: str = "",
) -> Transfer:
    """Spend ``amount`` from ``account`` now, to the sales revenue account."""
    account_id, unit = _unit_of(account)
    revenue = _ledger.system_account_id(SystemAccount.REVENUE, unit=unit, shard_key=account_id)
    return _ledger.transfer(
        debit=account_id,
        credit=revenue,
        amount=amount,
        kind=TransferKind.CHARGE,
        idempotency_key=idempotency_key,
        actor=actor,
        reason=reason,
        reference=reference,
    )


def place_hold(
    *,
    account: Account | int,
    amount: int,
    idempotency_key: str,
    actor=None,
    reason: str = "",
    reference: str = "",
    expires_at: datetime | None = None,
) -> Hold:
    """Reserve ``amount`` on ``account`` for a charge that :func:`post_hold` completes."""
    account_id, unit = _unit_of(account)
    revenue = _ledger.system_account_id(SystemAccount.REVENUE, unit=unit, shard_key=account_id)
    return _ledger.place_hold(
        debit=account_id,
        credit=revenue,
        amount=amount,
        idempotency_key=idempotency_key,
        actor=actor,
        reason=reason,
        reference=reference,
        expires_at=expires_at,
    )


def refund(*, transfer: Transfer | int, idempotency_key: str, actor=None, reason: str = "") -> Transfer:
    """Give a charge back, to the lots it was paid from."""
    return _ledger.reverse_transfer(
        transfer=transfer,
        idempotency_key=idempotency_key,
        actor=actor,
        reason=reason,
        kind=TransferKind.REFUND,
    )


def unit(code: str) -> Unit:
    """The unit ``code``; raises UnknownUnit if it does not exist."""
    from credits_plugin.exceptions import UnknownUnit

    found = Unit.objects.filter(code=code).first()
    if found is None:
        raise UnknownUnit(unit=code)
    return found


# --- Wallet credits: operators ---------------------------------------------------------------

find_user = _wallets.find_user
wallet_owner = _wallets.wallet_owner
set_balance = _wallets.set_balance
start_batch = _wallets.start_batch
run_batch = _wallets.run_batch
undo_batch = _wallets.undo_batch
run_undo = _wallets.run_undo
resume_batch = _wallets.resume_batch
stuck_batches = _wallets.stuck_batches
batch_is_stuck = _wallets.is_stuck
earn = _wallets.earn
preview_batch = _wallets.preview

# --- Wallet credits: checkout and enrolment ---------------------------------------------------

quote = _purchases.quote
checkout = _purchases.checkout
settle_enrollment = _purchases.settle_enrollment
refund_unenrollment = _purchases.refund_unenrollment
has_pending_payment = _purchases.has_pending_payment
spendable_wallets = _purchases.spendable_wallets
describe_purchase = _purchases.describe_purchase


def mode_requires_payment(*, course_key, mode_slug: str) -> bool:
    """Whether a mode is credits-only: enrolment into it needs a checkout with credits."""
    from credits_plugin.pricing.models import ModePrice

    return ModePrice.objects.filter(course_key=course_key, mode_slug=mode_slug, credits_only=True).exists()


def credits_enabled_for_course(*, course_key) -> bool:
    """Whether the course can be bought with credits: the site-wide switch is on and so is
    the switch of the course key's organisation."""
    return _wallets.credits_enabled_for_org(parse_course_key(course_key).org)


def check_credits_enabled(*, course_key) -> None:
    """Raise :class:`~credits_plugin.exceptions.CreditsDisabled` (403) unless
    :func:`credits_enabled_for_course`."""
    _purchases.check_enabled(parse_course_key(course_key))


def course_prices(*, course_key) -> list[dict]:
    """Prices in credits of a course's paid modes (user-independent, safe to cache).

    Empty when credits are switched off for the course (site-wide or for its organisation).
    """
    from credits_plugin.conf import platform

    if not credits_enabled_for_course(course_key=course_key):
        return []
    prices = []
    for mode in platform().course_modes(course_key):
        price = _pricing.price_for_mode(
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


def wallet_context(*, user) -> dict:
    """What the dashboard and header show: the learner's wallet balance."""
    from credits_plugin.toggles import credits_enabled

    if not credits_enabled():
        return {"enabled": False}
    wallet = user_wallet(user)
    return {
        "enabled": True,
        "balance": wallet.balance - wallet.held,
        "unit": wallet.unit_id,
        "overdraft_limit": wallet.overdraft_limit,
    }


def course_exists(*, course_key) -> bool:
    from credits_plugin.conf import platform

    return platform().get_course_overview(course_key) is not None


parse_course_key = _purchases.parse_course_key


def purchase_for(*, user, purchase_id: int):
    """One of the user's own purchases."""
    from credits_plugin.purchases.models import Purchase

    return Purchase.objects.get(pk=purchase_id, user=user)


def retire_user(*, user) -> None:
    """Forget what links a retired learner to people (memberships, licence numbers); amounts stay."""
    _wallets.retire_user(user=user)
    _awards.retire_user(user=user)


# --- Awarded credits ----------------------------------------------------------------------------

create_credit_type = _awards.create_credit_type
update_credit_type = _awards.update_credit_type
create_credit = _awards.create_credit
update_credit = _awards.update_credit
get_credit = _awards.get_credit
course_credits = _awards.course_credits
set_course_credit = _awards.set_course_credit
remove_course_credit = _awards.remove_course_credit
award_for_certificate = _awards.award_for_certificate
revoke_for_certificate = _awards.revoke_for_certificate
awards = _awards.awards
award_row = _awards.award_row
preview_course_credits = _awards.preview_rows
certificate_credits = _awards.certificate_credits
transcript_csv = _awards.transcript_csv
transcript_pdf = _awards.transcript_pdf
list_credit_types = _awards.list_credit_types
list_credits = _awards.list_credits
require_course = _awards.require_course
validate_amount = _awards.validate_amount


def can_author_course(*, user, course_key, action: str = "change") -> bool:
    """Whether the user may change (``action="change"``) or remove (``"delete"``) the course's
    credits: holders of ``credits_plugin.<action>_coursecredit`` for every course, or the
    course's authors as the platform says (``has_studio_write_access``)."""
    from credits_plugin import permissions
    from credits_plugin.conf import platform

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if permissions.allowed(user, f"credits_plugin.{action}_coursecredit"):
        return True
    check = getattr(platform(), "has_studio_write_access", None)
    return bool(check and check(user, _awards.parse_course_key(course_key)))


def may_see_any_awards(*, user) -> bool:
    """Whether the user may read any learner's awarded credits (``credits_plugin.view_awardedcredit``)."""
    from credits_plugin import permissions

    return permissions.allowed(user, permissions.VIEW_ANY_AWARDS)


learner_summary = _awards.learner_summary
set_licence = _awards.set_licence
licences = _awards.licences
