"""The public Python surface of credits_plugin.

Views, receivers, tasks, admin pages, management commands and other plugins call these functions
and nothing else. Each one is either defined here or is the domain function of the same name,
imported: reads come from a domain's ``selectors``, writes from its ``services``. Amounts are
integers in the unit's minor unit (hundredths): 12.50 credits is ``1250``. Every function says
what it refuses; a refusal is a :class:`~credits_plugin.exceptions.CreditsError` subclass (mapped
to HTTP in ``rest_api/v1/base.py``) unless it says otherwise.
"""

from __future__ import annotations

from datetime import datetime

from credits_plugin import permissions
from credits_plugin.awards import services as _awards
from credits_plugin.awards.selectors import (
    award_row,
    awards,
    certificate_credits,
    course_credits,
    get_credit,
    learner_summary,
    licences,
    list_credit_types,
    list_credits,
    passing_certificates,
    preview_course_credits,
)
from credits_plugin.awards.services import (
    award_for_certificate,
    check_course_credit,
    check_credit_type_change,
    check_reference_number,
    create_credit,
    create_credit_type,
    remove_course_credit,
    revoke_for_certificate,
    set_course_credit,
    set_licence,
    update_credit,
    update_credit_type,
    validate_amount,
)
from credits_plugin.awards.transcripts import transcript_csv, transcript_pdf
from credits_plugin.conf import platform
from credits_plugin.constants import LotSource, SystemAccount, TransferKind
from credits_plugin.courses import parse_course_key, require_course
from credits_plugin.exceptions import ModeNotForSale, UnknownUnit
from credits_plugin.ledger import services as _ledger
from credits_plugin.ledger.models import Account, Hold, Transfer, Unit
from credits_plugin.ledger.selectors import Balance, VerifyReport, balance, history, open_lots, verify_ledger
from credits_plugin.ledger.services import (
    ensure_unit,
    expire_holds,
    expire_lots,
    post_hold,
    reverse_transfer,
    transfer,
    void_hold,
)
from credits_plugin.money import format_credits, plural_count
from credits_plugin.pricing.selectors import check_mode_for_sale, mode_requires_payment
from credits_plugin.purchases.selectors import (
    check_credits_enabled,
    checkout_prices,
    course_prices,
    credits_enabled_for_course,
    describe_purchase,
    has_pending_payment,
    prices_of_course,
    purchase_for,
    quote,
    spendable_wallets,
)
from credits_plugin.purchases.services import checkout, refund_unenrollment, settle_enrollment
from credits_plugin.wallets import services as _wallets
from credits_plugin.wallets.selectors import (
    batch_is_stuck,
    batches,
    default_stale_after,
    find_user,
    get_batch,
    organisation_available,
    organisation_wallet,
    preview_batch,
    stuck_batches,
    user_wallet,
    wallet_context,
    wallet_owner,
)
from credits_plugin.wallets.services import (
    earn,
    resume_batch,
    run_batch,
    run_undo,
    set_balance,
    start_batch,
    undo_batch,
)

__all__ = [
    "Balance",
    "ModeNotForSale",
    "VerifyReport",
    "award_for_certificate",
    "award_row",
    "awards",
    "balance",
    "batch_is_stuck",
    "batches",
    "bearer_authentication_classes",
    "can_author_course",
    "certificate_credits",
    "charge",
    "check_course_credit",
    "check_credit_type_change",
    "check_credits_enabled",
    "check_mode_for_sale",
    "check_reference_number",
    "checkout",
    "checkout_prices",
    "course_credits",
    "course_prices",
    "create_credit",
    "create_credit_type",
    "credits_enabled",
    "credits_enabled_for_course",
    "default_stale_after",
    "describe_purchase",
    "earn",
    "ensure_unit",
    "expire_holds",
    "expire_lots",
    "find_user",
    "format_credits",
    "get_batch",
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
    "organisation_available",
    "organisation_wallet",
    "parse_course_key",
    "passing_certificates",
    "place_hold",
    "plural_count",
    "post_hold",
    "preview_batch",
    "preview_course_credits",
    "prices_of_course",
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
    "unit",
    "update_credit",
    "update_credit_type",
    "user_wallet",
    "validate_amount",
    "verify_ledger",
    "void_hold",
    "wallet_context",
    "wallet_owner",
]


def _unit_of(account: Account | int) -> tuple[int, str]:
    if isinstance(account, Account):
        return account.pk, account.unit_id
    return account, balance(account).unit


def system_account(name: SystemAccount | str, *, unit: str, shard_key: int | None = None) -> Account:
    """One shard of the system account ``name`` in ``unit``.

    Refuses UnknownUnit; AccountNotFound when the shard does not exist.
    """
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
    """Give ``amount`` to ``account`` from the issuance account, as a new lot.

    Refuses InvalidAmount, AccountNotFound, AccountInactive, UnitMismatch, InvalidIdempotencyKey and
    IdempotencyConflict (the key used for another request).
    """
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
    """Spend ``amount`` from ``account`` now, to the sales revenue account.

    Refuses InvalidAmount, AccountNotFound, AccountInactive, UnitMismatch, InsufficientFunds (beyond
    the overdraft limit), InvalidIdempotencyKey and IdempotencyConflict (the key used for another
    request).
    """
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
    """Reserve ``amount`` on ``account`` for a charge that :func:`post_hold` completes.

    Refuses InvalidAmount, AccountNotFound, AccountInactive, InsufficientFunds,
    InvalidIdempotencyKey and IdempotencyConflict.
    """
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
    """Give a charge back, to the lots it was paid from.

    Refuses TransferNotFound, AlreadyReversed, NotReversible, InvalidIdempotencyKey and
    IdempotencyConflict.
    """
    return _ledger.reverse_transfer(
        transfer=transfer,
        idempotency_key=idempotency_key,
        actor=actor,
        reason=reason,
        kind=TransferKind.REFUND,
    )


def unit(code: str) -> Unit:
    """The unit ``code``; raises UnknownUnit if it does not exist."""
    found = Unit.objects.filter(code=code).first()
    if found is None:
        raise UnknownUnit(unit=code)
    return found


def retire_user(*, user) -> None:
    """Forget what links a retired learner to people (memberships, licence numbers); amounts stay.

    Refuses nothing.
    """
    _wallets.retire_user(user=user)
    _awards.retire_user(user=user)


def can_author_course(*, user, course_key, action: str = "change") -> bool:
    """Whether the user may change (``action="change"``) or remove (``"delete"``) the course's
    credits: holders of ``credits_plugin.<action>_coursecredit`` for every course, or the
    course's authors as the platform says (``has_studio_write_access``).

    Refuses an invalid course key (InvalidCourseKey) when the platform is asked.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if permissions.allowed(user, f"credits_plugin.{action}_coursecredit"):
        return True
    check = getattr(platform(), "has_studio_write_access", None)
    return bool(check and check(user, parse_course_key(course_key)))


def may_see_any_awards(*, user) -> bool:
    """Whether the user may read any learner's awarded credits (``credits_plugin.view_awardedcredit``).

    Refuses nothing.
    """
    return permissions.allowed(user, permissions.VIEW_ANY_AWARDS)


def bearer_authentication_classes() -> list:
    """The platform's OAuth2 bearer authentication classes for the REST API, when the platform
    backend provides them; empty otherwise. Refuses nothing."""
    provider = getattr(platform(), "bearer_authentication_classes", None)
    return list(provider()) if provider else []


def credits_enabled() -> bool:
    """Whether wallet credits are switched on for the whole site (the ``credits_plugin.enabled``
    switch). Refuses nothing."""
    from credits_plugin.toggles import credits_enabled as site_switch

    return site_switch()
