"""Checkout, write: pay for a course mode with credits and be enrolled at once.

The flow is a two-phase charge: a hold on the paying wallet, the enrolment through the
platform, then the hold is posted (enrolment succeeded) or voided (it failed). The enrolment
events keep it true whichever path enrols: COURSE_ENROLLMENT_CREATED posts the matching hold,
COURSE_UNENROLLMENT_COMPLETED refunds within the refund window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from opaque_keys.edx.keys import CourseKey

from credits_plugin import exceptions
from credits_plugin.conf import platform, setting
from credits_plugin.constants import SystemAccount, TransferKind
from credits_plugin.ledger import services as ledger
from credits_plugin.ledger.models import Account
from credits_plugin.money import format_credits, plural_count
from credits_plugin.purchases.models import Purchase
from credits_plugin.purchases.selectors import PERSONAL, check_price, paying_account, quote
from credits_plugin.wallets.models import Organisation

log = logging.getLogger(__name__)


def _checkout_key(user, course_key: CourseKey, mode_slug: str) -> str:
    # Earlier attempts that ended (failed or refunded) each move the key on, so that buying
    # again after a refund is a new purchase while a double click is the same one.
    attempts = Purchase.objects.filter(
        user=user,
        course_key=course_key,
        mode_slug=mode_slug,
        status__in=[Purchase.Status.FAILED, Purchase.Status.REFUNDED],
    ).count()
    return f"checkout:{user.pk}:{course_key}:{mode_slug}:{attempts}"


def _lock_account(account_id: int) -> None:
    Account.objects.select_for_update().filter(pk=account_id).values_list("pk", flat=True).get()


def _check_spending_cap(*, user, organisation: Organisation, account: Account, amount: int) -> None:
    """Refuse a purchase of ``amount`` that would take the member past the organisation's cap.

    The caller holds the organisation wallet's row lock, which serialises its members'
    checkouts: a concurrent checkout waits for it until this one commits or rolls back, and
    then counts it, so the cap holds under concurrency.
    """
    cap = organisation.member_spending_cap
    if cap is None:
        return
    spent = (
        Purchase.objects.filter(
            user=user,
            account=account,
            status__in=[Purchase.Status.PENDING, Purchase.Status.COMPLETED],
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    if spent + amount > cap:
        left = max(cap - spent, 0)
        raise exceptions.SpendingCapExceeded(
            ngettext(
                "This purchase would exceed your spending limit on the organisation wallet: "
                "you may spend {left} more credit of {cap}.",
                "This purchase would exceed your spending limit on the organisation wallet: "
                "you may spend {left} more credits of {cap}.",
                plural_count(left),
            ).format(left=format_credits(left), cap=format_credits(cap)),
            cap=cap,
            spent=spent,
        )


def checkout(
    *, user, course_id, mode_slug: str, pay_from: str = PERSONAL, expected_price: int | None = None
) -> Purchase:
    """Buy ``mode_slug`` of a course with credits and enrol the user.

    ``expected_price`` is the price (hundredths) the learner was shown: when given and it is
    not the price a checkout charges now, :class:`PriceChanged` is raised and nothing changes.

    Retries and double clicks get the first answer again and never charge twice: the same
    purchase, or the same :class:`EnrollmentFailed` when the platform refused it. A request
    that reuses the purchase's key but differs from it (another paying wallet, another price)
    is refused with :class:`IdempotencyConflict`. When the platform refuses the enrolment
    (closed, full, ...) the hold is voided, the purchase is recorded as failed, and
    :class:`EnrollmentFailed` says why.
    """
    if expected_price is not None and (
        isinstance(expected_price, bool) or not isinstance(expected_price, int)
    ):
        raise exceptions.InvalidAmount()
    q = quote(user=user, course_id=course_id, mode_slug=mode_slug, pay_from=pay_from)
    course_key = q.course_key
    # What this request asks for: a replay must ask for the same (see _replay).
    request = _Request(
        user_id=user.pk,
        course_key=course_key,
        mode_slug=mode_slug,
        account_id=q.account.pk,
        amount=q.price.amount if expected_price is None else expected_price,
    )
    mode, active = platform().enrollment_mode(user, course_key)
    key = _checkout_key(user, course_key, mode_slug)
    done = Purchase.objects.filter(idempotency_key=key).first()
    if done is not None:
        return _replay(done, request)
    if active and mode == mode_slug:
        raise exceptions.AlreadyEnrolled(course_id=str(course_key), mode=mode_slug)
    check_price(q, expected_price)
    _, organisation = paying_account(user=user, pay_from=pay_from)

    failure: Exception | None = None
    try:
        with transaction.atomic():
            # The paying wallet is locked before anything is written. Inserting the purchase
            # first would take a shared lock on the wallet row (InnoDB checks the foreign key
            # that way) and two checkouts from one wallet would deadlock upgrading it.
            _lock_account(q.account.pk)
            done = Purchase.objects.filter(idempotency_key=key).first()
            if done is not None:  # a double click that committed while this one waited
                return _replay(done, request)
            if organisation is not None:
                _check_spending_cap(
                    user=user, organisation=organisation, account=q.account, amount=q.price.amount
                )
            purchase = Purchase.objects.create(
                idempotency_key=key,
                user=user,
                course_key=course_key,
                mode_slug=mode_slug,
                account=q.account,
                amount=q.price.amount,
            )
            revenue = ledger.system_account_id(
                SystemAccount.REVENUE, unit=q.account.unit_id, shard_key=q.account.pk
            )
            hold = ledger.place_hold(
                debit=q.account.pk,
                credit=revenue,
                amount=q.price.amount,
                idempotency_key=f"{key}:hold",
                kind=TransferKind.CHARGE,
                actor=user,
                reason=f"{q.course_name} ({q.mode_name})",
                reference=str(course_key),
            )
            Purchase.objects.filter(pk=purchase.pk).update(hold=hold)
            purchase.hold = hold
            try:
                with transaction.atomic():
                    platform().enroll(user, course_key, mode_slug)
            except platform().enrollment_exception() as exc:
                failure = exc
                ledger.void_hold(hold=hold)
                Purchase.objects.filter(pk=purchase.pk).update(
                    status=Purchase.Status.FAILED, failure_reason=_failure_reason(exc)
                )
            else:
                complete(purchase=purchase)
    except IntegrityError:
        # The same purchase was made by a concurrent request (a double click) that committed first.
        existing = Purchase.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return _replay(existing, request)
    if failure is not None:
        raise exceptions.EnrollmentFailed(reason=_failure_reason(failure))
    purchase.refresh_from_db()
    _send_receipt(purchase)
    return purchase


@dataclass(frozen=True)
class _Request:
    """The fingerprint of a checkout: who buys what, from which wallet, at which price."""

    user_id: int
    course_key: CourseKey | None
    mode_slug: str
    account_id: int
    amount: int

    @classmethod
    def of(cls, purchase: Purchase) -> _Request:
        return cls(
            user_id=purchase.user_id,
            course_key=purchase.course_key,
            mode_slug=purchase.mode_slug,
            account_id=purchase.account_id,
            amount=purchase.amount,
        )


def _failure_reason(exc: Exception) -> str:
    return str(exc)[:1000] or exc.__class__.__name__


def _replay(purchase: Purchase, request: _Request) -> Purchase:
    """The answer to a checkout whose key is already used: the first answer when the request
    is the same one, :class:`IdempotencyConflict` when it is not."""
    if _Request.of(purchase) != request:
        raise exceptions.IdempotencyConflict(
            _(
                "This course mode is already being bought or was bought with another wallet or "
                "at another price. Refresh the page to see where it stands."
            )
        )
    return _finished(purchase)


def _finished(purchase: Purchase) -> Purchase:
    """The first answer to a purchase, given again: the purchase, or the error it ended with."""
    if purchase.status == Purchase.Status.PENDING:
        raise exceptions.CheckoutInProgress()
    if purchase.status == Purchase.Status.FAILED:
        raise exceptions.EnrollmentFailed(reason=purchase.failure_reason)
    return purchase


def complete(*, purchase: Purchase) -> Purchase:
    """Post the purchase's hold and mark it completed; doing it again changes nothing."""
    with transaction.atomic():
        current = Purchase.objects.select_for_update().get(pk=purchase.pk)
        if current.status == Purchase.Status.COMPLETED:
            return current
        if current.status != Purchase.Status.PENDING or current.hold_id is None:
            return current
        charge = ledger.post_hold(hold=current.hold_id)
        now = timezone.now()
        Purchase.objects.filter(pk=current.pk).update(
            status=Purchase.Status.COMPLETED, charge=charge, completed_at=now
        )
        current.status, current.charge, current.completed_at = Purchase.Status.COMPLETED, charge, now
        return current


def settle_enrollment(*, user_id: int, course_key, mode_slug: str) -> Purchase | None:
    """An enrolment in ``mode_slug`` exists: post the matching pending hold, once.

    Refuses nothing: without a pending purchase it returns None.
    """
    pending = (
        Purchase.objects.filter(
            user_id=user_id, course_key=course_key, mode_slug=mode_slug, status=Purchase.Status.PENDING
        )
        .order_by("-pk")
        .first()
    )
    if pending is None:
        return None
    return complete(purchase=pending)


def refund_unenrollment(*, user_id: int, course_key, now=None) -> Purchase | None:
    """The user left the course: refund the latest completed purchase inside the refund window.

    Refuses nothing: outside the refund window, or without a purchase, it returns None.
    """
    now = now or timezone.now()
    purchase = (
        Purchase.objects.filter(user_id=user_id, course_key=course_key, status=Purchase.Status.COMPLETED)
        .order_by("-pk")
        .first()
    )
    if purchase is None or purchase.charge_id is None:
        return None
    window = timedelta(days=setting("CREDITS_PLUGIN_REFUND_WINDOW_DAYS"))
    if purchase.completed_at and now - purchase.completed_at > window:
        log.info("No refund for purchase %s: outside the refund window.", purchase.pk)
        return None
    with transaction.atomic():
        current = Purchase.objects.select_for_update().get(pk=purchase.pk)
        if current.status != Purchase.Status.COMPLETED or current.charge_id is None:
            return current
        refund = ledger.reverse_transfer(
            transfer=current.charge_id,
            idempotency_key=f"refund:{current.idempotency_key}",
            reason="Unenrolled within the refund window",
            kind=TransferKind.REFUND,
        )
        Purchase.objects.filter(pk=current.pk).update(
            status=Purchase.Status.REFUNDED, refund=refund, refunded_at=now
        )
        current.status, current.refund, current.refunded_at = Purchase.Status.REFUNDED, refund, now
    _send_refund_notice(current)
    return current


def _send_receipt(purchase: Purchase) -> None:
    from credits_plugin.purchases.emails import send_purchase_receipt

    transaction.on_commit(lambda: send_purchase_receipt(purchase_id=purchase.pk))


def _send_refund_notice(purchase: Purchase) -> None:
    from credits_plugin.purchases.emails import send_refund_notice

    transaction.on_commit(lambda: send_refund_notice(purchase_id=purchase.pk))
