"""Wallets: the credit accounts of users and organisations, and what operators do with them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from credits_plugin import exceptions
from credits_plugin.conf import setting
from credits_plugin.constants import AccountKind, SystemAccount, TransferKind
from credits_plugin.ledger import bulk
from credits_plugin.ledger import services as ledger
from credits_plugin.ledger.models import Account, Transfer
from credits_plugin.toggles import credits_enabled, organisations_opt_in
from credits_plugin.wallets.models import (
    CreditGroup,
    EarningRule,
    GrantBatch,
    Organisation,
    OrganisationMember,
)


def credits_enabled_for_org(org_key: str | None) -> bool:
    """Whether credits apply to the courses of the organisation ``org_key`` (a course key's org).

    The site-wide switch comes first; then the organisation's own switch in the admin; an
    organisation without a row has credits unless ``CREDITS_PLUGIN_ORGANISATIONS_OPT_IN``.
    """
    if not credits_enabled():
        return False
    enabled = Organisation.objects.filter(key=org_key).values_list("credits_enabled", flat=True).first()
    if enabled is None:
        return not organisations_opt_in()
    return bool(enabled)


def default_unit() -> str:
    return setting("CREDITS_PLUGIN_WALLET_UNIT")


def _ensure_default_unit(unit: str) -> None:
    if unit == default_unit():
        ledger.ensure_unit(unit, name="Credits")


def user_wallet(user, *, unit: str | None = None) -> Account:
    """The user's wallet in ``unit`` (wallet credits by default), created on first use."""
    unit = unit or default_unit()
    _ensure_default_unit(unit)
    return ledger.get_or_create_account(
        holder=f"user:{user.pk}",
        kind=AccountKind.USER_WALLET,
        unit=unit,
        user=user,
        overdraft_limit=setting("CREDITS_PLUGIN_DEFAULT_OVERDRAFT"),
    )


def organisation_wallet(org_key: str, *, unit: str | None = None) -> Account:
    """The shared wallet of the organisation ``org_key`` (e.g. its short name)."""
    unit = unit or default_unit()
    _ensure_default_unit(unit)
    return ledger.get_or_create_account(holder=f"org:{org_key}", kind=AccountKind.ORG_WALLET, unit=unit)


# --------------------------------------------------------------------------------------------
# Targets: who an operator's action is for
# --------------------------------------------------------------------------------------------


def find_user(identifier: str | int):
    """A user by id, username or email."""
    User = get_user_model()  # noqa: N806
    value = str(identifier).strip()
    query = Q(username=value) | Q(email__iexact=value)
    if value.isdigit():
        query |= Q(pk=int(value))
    user = User.objects.filter(query).first()
    if user is None:
        raise exceptions.UnknownUser(user=value)
    return user


def target_users(*, target: str, target_value: str = "") -> QuerySet:
    """The active users an action aims at."""
    User = get_user_model()  # noqa: N806
    active = User.objects.filter(is_active=True)
    if target == GrantBatch.Target.ALL:
        return active
    if target == GrantBatch.Target.GROUP:
        group = CreditGroup.objects.filter(Q(name=target_value) | Q(pk=_int_or_none(target_value))).first()
        if group is None:
            raise exceptions.UnknownTarget(group=target_value)
        return active.filter(credit_groups=group)
    if target == GrantBatch.Target.ORGANISATION:
        if not Organisation.objects.filter(key=target_value).exists():
            raise exceptions.UnknownTarget(organisation=target_value)
        return active.filter(credit_organisations__organisation__key=target_value)
    if target == GrantBatch.Target.USER:
        return active.filter(pk=find_user(target_value).pk)
    raise exceptions.UnknownTarget(target=target)


def _int_or_none(value: str) -> int | None:
    return int(value) if str(value).isdigit() else None


@dataclass(frozen=True)
class Preview:
    """What an action would do, shown to the operator before confirming."""

    users: int
    total: int  # net credits given (negative when a reset takes credits away), hundredths


def preview(*, action: str, target: str, target_value: str = "", amount: int) -> Preview:
    users = target_users(target=target, target_value=target_value)
    count = users.count()
    if action == GrantBatch.Action.GRANT:
        return Preview(count, count * amount)
    current = (
        Account.objects.filter(
            kind=AccountKind.USER_WALLET, unit_id=default_unit(), user__in=users.values("pk")
        ).aggregate(total=Sum("balance") - Sum("held"))["total"]
        or 0
    )
    return Preview(count, count * amount - current)


# --------------------------------------------------------------------------------------------
# Operator actions
# --------------------------------------------------------------------------------------------


def set_balance(
    *,
    user,
    amount: int,
    comment: str,
    actor=None,
    idempotency_key: str,
    kind: str = TransferKind.ADJUSTMENT,
    batch: str = "",
) -> Transfer | None:
    """Set the user's available wallet balance to ``amount`` with one adjustment transfer.

    Returns the transfer, or None when the balance already was ``amount``. A replay of the
    same request (same wallet, target balance, kind and batch) under the same key returns the
    original transfer, whatever the balance is by then; a different request under a used key
    raises IdempotencyConflict.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise exceptions.InvalidAmount(amount=amount)
    if not comment:
        raise exceptions.CreditsError(code="comment_required", message=_("A comment is required."))
    wallet = user_wallet(user)
    # The amount moved depends on the balance at the time, so the fingerprint is that of the
    # request itself: this wallet, set to this amount.
    request = {"op": "set_balance", "account": wallet.pk, "amount": amount, "kind": kind, "batch": batch}
    existing = ledger.find_replay(idempotency_key, request)
    if existing is not None:
        return existing
    with transaction.atomic():
        # Expired credits leave first: they are not part of the balance being set.
        ledger.sweep_expired(wallet.pk)
        # Locked so that the difference cannot change before the adjustment is written.
        current = Account.objects.select_for_update().get(pk=wallet.pk)
        difference = amount - (current.balance - current.held)
        if difference == 0:
            return None
        issuance = ledger.system_account_id(
            SystemAccount.ISSUANCE, unit=current.unit_id, shard_key=current.pk
        )
        debit, credit = (issuance, current.pk) if difference > 0 else (current.pk, issuance)
        # The overdraft check uses the limit; an operator may always bring a balance to zero.
        return ledger.transfer(
            debit=debit,
            credit=credit,
            amount=abs(difference),
            kind=kind,
            idempotency_key=idempotency_key,
            actor=actor,
            reason=comment,
            batch=batch,
            request=request,
        )


def start_batch(
    *,
    action: str,
    target: str,
    target_value: str = "",
    amount: int,
    comment: str,
    actor=None,
    expires_at: datetime | None = None,
) -> GrantBatch:
    """Record a bulk action and queue it; it runs after the current transaction commits."""
    if action not in GrantBatch.Action.values:
        raise exceptions.CreditsError(code="invalid_action")
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or amount < 0
        or (action == GrantBatch.Action.GRANT and amount == 0)
    ):
        raise exceptions.InvalidAmount(amount=amount)
    if not comment.strip():
        raise exceptions.CreditsError(code="comment_required", message=_("A comment is required."))
    count = target_users(target=target, target_value=target_value).count()
    batch = GrantBatch.objects.create(
        action=action,
        target=target,
        target_value=target_value,
        amount=amount,
        comment=comment,
        actor=actor,
        expires_at=expires_at,
        total_users=count,
    )
    from credits_plugin.wallets.tasks import run_batch_task

    transaction.on_commit(lambda: run_batch_task.delay(str(batch.pk)))
    return batch


def _chunks(user_ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(user_ids), size):
        yield user_ids[start : start + size]


def run_batch(*, batch_id) -> GrantBatch:
    """Carry out a queued bulk action, chunk by chunk; safe to run again after a crash."""
    batch = GrantBatch.objects.get(pk=batch_id)
    if batch.status in (GrantBatch.Status.DONE, GrantBatch.Status.UNDONE):
        return batch
    GrantBatch.objects.filter(pk=batch.pk).update(status=GrantBatch.Status.RUNNING)
    user_ids = list(
        target_users(target=batch.target, target_value=batch.target_value)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    User = get_user_model()  # noqa: N806
    done = 0
    try:
        for chunk in _chunks(user_ids, int(setting("CREDITS_PLUGIN_BULK_CHUNK_SIZE"))):
            users = list(User.objects.filter(pk__in=chunk).order_by("pk"))
            if batch.action == GrantBatch.Action.GRANT:
                wallets = [user_wallet(u).pk for u in users]
                bulk.bulk_grant(
                    account_ids=wallets,
                    amount=batch.amount,
                    key_prefix=f"batch:{batch.pk}",
                    actor=batch.actor,
                    reason=batch.comment,
                    batch=str(batch.pk),
                    expires_at=batch.expires_at,
                )
            else:
                for user in users:
                    set_balance(
                        user=user,
                        amount=batch.amount,
                        comment=batch.comment,
                        actor=batch.actor,
                        idempotency_key=f"batch:{batch.pk}:{user.pk}",
                        kind=TransferKind.RESET,
                        batch=str(batch.pk),
                    )
            done += len(users)
            GrantBatch.objects.filter(pk=batch.pk).update(done_users=done)
    except Exception as exc:
        GrantBatch.objects.filter(pk=batch.pk).update(status=GrantBatch.Status.FAILED, error=str(exc)[:2000])
        raise
    net = _batch_net(str(batch.pk))
    from django.utils import timezone

    GrantBatch.objects.filter(pk=batch.pk).update(
        status=GrantBatch.Status.DONE,
        done_users=done,
        total_users=len(user_ids),
        total_amount=net,
        finished=timezone.now(),
    )
    batch.refresh_from_db()
    if batch.action == GrantBatch.Action.GRANT:
        from credits_plugin.wallets.tasks import notify_batch_task

        notify_batch_task.delay(str(batch.pk))
    return batch


def _batch_net(batch: str) -> int:
    """Credits the batch moved into wallets (negative when it took credits away)."""
    transfers = Transfer.objects.filter(batch=batch, reverses__isnull=True)
    given = (
        transfers.filter(credit_account__kind=AccountKind.USER_WALLET).aggregate(s=Sum("amount"))["s"] or 0
    )
    taken = transfers.filter(debit_account__kind=AccountKind.USER_WALLET).aggregate(s=Sum("amount"))["s"] or 0
    return given - taken


def undo_batch(*, batch_id, actor=None) -> tuple[int, list[str]]:
    """Reverse every transfer of a batch. Returns how many were reversed and the refusals
    (a learner who already spent granted credits cannot have them taken back)."""
    batch = GrantBatch.objects.get(pk=batch_id)
    reversed_count, problems = 0, []
    for transfer in Transfer.objects.filter(
        batch=str(batch.pk), reverses__isnull=True, reversed_by__isnull=True
    ):
        try:
            ledger.reverse_transfer(
                transfer=transfer.pk,
                idempotency_key=f"undo:{transfer.pk}",
                actor=actor,
                reason=f"Undo of bulk operation {batch.pk}",
            )
            reversed_count += 1
        except exceptions.CreditsError as exc:
            problems.append(f"{transfer.credit_account.holder}: {exc.message}")
    if not problems:
        GrantBatch.objects.filter(pk=batch.pk).update(status=GrantBatch.Status.UNDONE)
    return reversed_count, problems


def organisation_admins(org_key: str) -> QuerySet:
    return OrganisationMember.objects.filter(organisation__key=org_key, role=OrganisationMember.Role.ADMIN)


def retire_user(*, user) -> None:
    """Remove a retired user's group and organisation memberships; balances and history stay."""
    OrganisationMember.objects.filter(user=user).delete()
    for group in CreditGroup.objects.filter(members=user):
        group.members.remove(user)


def earn(*, user, course_key, trigger: str) -> list[Transfer]:
    """Give the credits of every active earning rule that matches; each rule pays once per
    learner and course, however many times the achievement's event arrives."""
    from datetime import timedelta

    from django.utils import timezone

    from credits_plugin.constants import LotSource

    rules = EarningRule.objects.filter(active=True, trigger=trigger).filter(
        Q(course_key="") | Q(course_key=str(course_key))
    )
    given = []
    for rule in rules:
        wallet = user_wallet(user)
        issuance = ledger.system_account_id(SystemAccount.ISSUANCE, unit=wallet.unit_id, shard_key=wallet.pk)
        expires = (
            timezone.now() + timedelta(days=rule.expires_after_days) if rule.expires_after_days else None
        )
        key = f"earned:{rule.pk}:{user.pk}:{course_key}"
        # Each rule pays once per learner and course: the key says which, and the fingerprint
        # says the same (not the expiry, which is computed from "now" on every delivery), so
        # that two deliveries of the event racing each other replay instead of conflicting.
        request = {"op": "earn", "rule": rule.pk, "account": wallet.pk, "course": str(course_key)}
        done = Transfer.objects.filter(idempotency_key=key).first()
        if done is not None:
            continue
        given.append(
            ledger.transfer(
                debit=issuance,
                credit=wallet.pk,
                amount=rule.amount,
                kind=TransferKind.EARNED,
                idempotency_key=key,
                reason=rule.name,
                reference=str(course_key),
                lot_source=LotSource.EARNED,
                lot_expires_at=expires,
                request=request,
            )
        )
    return given
