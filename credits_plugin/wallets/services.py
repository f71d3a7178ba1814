"""Wallets, write: operators set balances and run (and undo) bulk operations; earning rules pay.
Reads (whose wallet, who may see it, previews, stuck batches) are in selectors.py."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credits_plugin import exceptions
from credits_plugin.conf import setting
from credits_plugin.constants import AccountKind, SystemAccount, TransferKind
from credits_plugin.ledger import bulk
from credits_plugin.ledger import services as ledger
from credits_plugin.ledger.models import Account, Transfer
from credits_plugin.money import check_hundredths
from credits_plugin.wallets.models import (
    CreditGroup,
    EarningRule,
    GrantBatch,
    OrganisationMember,
)
from credits_plugin.wallets.selectors import default_stale_after, stale_before, target_users, user_wallet

# --------------------------------------------------------------------------------------------
# Targets: who an operator's action is for
# --------------------------------------------------------------------------------------------


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
    check_hundredths(amount, allow_zero=True)
    if not comment:
        raise exceptions.CommentRequired()
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


#: the longest idempotency key an operator may send; the stored key adds the operator's id.
MAX_BATCH_KEY_LENGTH = 200


def _batch_fingerprint(
    *, action: str, target: str, target_value: str, amount: int, expires_at: datetime | None
) -> str:
    """What a batch request asks for; the comment (like a transfer's reason) is not part of it."""
    payload = json.dumps(
        {
            "op": "batch",
            "action": action,
            "target": target,
            "target_value": target_value,
            "amount": amount,
            "expires_at": None if expires_at is None else expires_at.timestamp(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _scoped_key(key: str, actor) -> str:
    """The stored key: the operator's own key, prefixed with the operator's id, so that two
    operators choosing the same key never meet."""
    return f"{actor.pk if actor is not None else '-'}:{key}"


def _replayed_batch(scoped: str, fingerprint: str, key: str) -> GrantBatch | None:
    existing = GrantBatch.objects.filter(idempotency_key=scoped).first()
    if existing is None:
        return None
    if existing.request_hash != fingerprint:
        raise exceptions.IdempotencyConflict(idempotency_key=key)
    existing.replayed = True
    return existing


def start_batch(
    *,
    action: str,
    target: str,
    target_value: str = "",
    amount: int,
    comment: str,
    actor=None,
    expires_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> GrantBatch:
    """Record a bulk action and queue it; it runs after the current transaction commits.

    With an ``idempotency_key`` (scoped to ``actor``) a repeated request starts nothing and
    returns the first batch, with ``replayed`` set; the same key with a different request
    (action, target, amount, expiry) raises :class:`~credits_plugin.exceptions.IdempotencyConflict`.
    """
    if action not in GrantBatch.Action.values:
        raise exceptions.InvalidAction()
    # Checked before the batch's row is written: a refused batch leaves nothing behind.
    check_hundredths(amount, allow_zero=action == GrantBatch.Action.RESET)
    if not comment.strip():
        raise exceptions.CommentRequired()
    scoped, fingerprint = None, ""
    if idempotency_key is not None:
        if (
            not isinstance(idempotency_key, str)
            or not idempotency_key.strip()
            or len(idempotency_key) > MAX_BATCH_KEY_LENGTH
        ):
            raise exceptions.InvalidIdempotencyKey(
                _("The idempotency key must be a non-empty text of at most {limit} characters.").format(
                    limit=MAX_BATCH_KEY_LENGTH
                )
            )
        scoped = _scoped_key(idempotency_key, actor)
        fingerprint = _batch_fingerprint(
            action=action, target=target, target_value=target_value, amount=amount, expires_at=expires_at
        )
        existing = _replayed_batch(scoped, fingerprint, idempotency_key)
        if existing is not None:
            return existing
    count = target_users(target=target, target_value=target_value).count()
    try:
        with transaction.atomic():
            batch = GrantBatch.objects.create(
                action=action,
                target=target,
                target_value=target_value,
                amount=amount,
                comment=comment,
                actor=actor,
                expires_at=expires_at,
                total_users=count,
                idempotency_key=scoped,
                request_hash=fingerprint,
            )
    except IntegrityError:
        # A concurrent request with the same key won the race for the unique key.
        existing = None if scoped is None else _replayed_batch(scoped, fingerprint, str(idempotency_key))
        if existing is None:
            raise
        return existing
    from credits_plugin.wallets.tasks import run_batch_task

    transaction.on_commit(lambda: run_batch_task.delay(str(batch.pk)))
    return batch


# --- Running, resuming and undoing in the background ------------------------------------------
#
# One worker at a time owns a batch: it claims it with a conditional UPDATE that writes a fresh
# token into ``worker``, and every chunk checks, with the batch row locked, that the token is
# still its own before it records progress. A worker that died leaves the batch "running" (or
# "undoing") with an old ``heartbeat``; ``resume_batches`` claims it again and carries on after
# ``cursor``. Nothing is done twice on resume: each grant, reset and reversal has an
# idempotency key derived from the batch and the user or transfer.


def _owned(batch_id, token: str, status: str, *, lock: bool = True) -> bool:
    """Whether the worker with ``token`` still owns the batch (locking its row when asked)."""
    rows = GrantBatch.objects.filter(pk=batch_id, worker=token, status=status)
    if lock:
        rows = rows.select_for_update()
    return bool(list(rows.values_list("pk", flat=True)))


def _claim(batch_id, query: Q, **changes) -> str | None:
    token = uuid.uuid4().hex
    claimed = GrantBatch.objects.filter(query, pk=batch_id).update(
        worker=token, heartbeat=timezone.now(), **changes
    )
    return token if claimed else None


def _take_over(
    batch_id, *, fresh: Q, working: str, undo: bool, resume: bool, stale_after: int | None
) -> tuple[str | None, GrantBatch]:
    """Claim a batch's run (``undo=False``) or undo for this worker: its token (None when the
    batch is not to be taken) and the batch as it then stands. A batch is taken when it is
    ``fresh`` (never picked up); with ``stale_after`` (seconds) also when its worker in
    ``working`` made no progress for that long; with ``resume`` also when it failed."""
    query = fresh
    cutoff = stale_before(stale_after)
    if cutoff is not None:
        query |= Q(status=working, heartbeat__lt=cutoff)
    if resume:
        query |= Q(status=GrantBatch.Status.FAILED)
    token = _claim(batch_id, query & Q(undo_started__isnull=not undo), status=working, error="")
    return token, GrantBatch.objects.get(pk=batch_id)


def run_batch(*, batch_id, resume: bool = False, stale_after: int | None = None) -> GrantBatch:
    """Carry out a queued bulk action, chunk by chunk, after the last chunk already done.

    A queued batch is claimed; with ``stale_after`` (seconds) also a running batch whose worker
    made no progress for that long; with ``resume`` also a failed one. A batch that is done,
    undone, being undone or owned by a live worker is returned unchanged.

    A failure of one wallet fails the batch (status ``failed``, its error kept) and is raised.
    """
    status = GrantBatch.Status
    token, batch = _take_over(
        batch_id,
        fresh=Q(status=status.QUEUED),
        working=status.RUNNING,
        undo=False,
        resume=resume,
        stale_after=stale_after,
    )
    if token is None:
        return batch
    User = get_user_model()  # noqa: N806
    size = max(1, int(setting("CREDITS_PLUGIN_BULK_CHUNK_SIZE")))
    try:
        targets = target_users(target=batch.target, target_value=batch.target_value)
        GrantBatch.objects.filter(pk=batch.pk, worker=token).update(
            total_users=batch.done_users + targets.filter(pk__gt=batch.cursor).count()
        )
        cursor = batch.cursor
        while True:
            chunk = list(targets.filter(pk__gt=cursor).order_by("pk").values_list("pk", flat=True)[:size])
            if not chunk:
                break
            users = list(User.objects.filter(pk__in=chunk).order_by("pk"))
            if batch.action == GrantBatch.Action.GRANT:
                wallets = [user_wallet(u).pk for u in users]
                # The chunk and its progress commit together: a resumed run starts after it.
                with transaction.atomic():
                    if not _owned(batch.pk, token, status.RUNNING):
                        return GrantBatch.objects.get(pk=batch.pk)
                    bulk.bulk_grant(
                        account_ids=wallets,
                        amount=batch.amount,
                        key_prefix=f"batch:{batch.pk}",
                        actor=batch.actor,
                        reason=batch.comment,
                        batch=str(batch.pk),
                        expires_at=batch.expires_at,
                    )
                    _record_progress(batch.pk, chunk)
            else:
                if not _owned(batch.pk, token, status.RUNNING, lock=False):
                    return GrantBatch.objects.get(pk=batch.pk)
                # One transaction per user, as every ledger transfer; a resets replayed after a
                # crash finds its transfer by key and moves nothing again.
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
                with transaction.atomic():
                    if not _owned(batch.pk, token, status.RUNNING):
                        return GrantBatch.objects.get(pk=batch.pk)
                    _record_progress(batch.pk, chunk)
            cursor = chunk[-1]
        net = _batch_net(str(batch.pk))
        with transaction.atomic():
            if not _owned(batch.pk, token, status.RUNNING):
                return GrantBatch.objects.get(pk=batch.pk)
            now = timezone.now()
            GrantBatch.objects.filter(pk=batch.pk).update(
                status=status.DONE, total_users=F("done_users"), total_amount=net, finished=now, heartbeat=now
            )
    except Exception as exc:
        GrantBatch.objects.filter(pk=batch.pk, worker=token, status=status.RUNNING).update(
            status=status.FAILED, error=str(exc)[:2000]
        )
        raise
    batch.refresh_from_db()
    if batch.action == GrantBatch.Action.GRANT:
        from credits_plugin.wallets.tasks import notify_batch_task

        notify_batch_task.delay(str(batch.pk))
    return batch


def _record_progress(batch_id, chunk: list[int]) -> None:
    GrantBatch.objects.filter(pk=batch_id).update(
        cursor=chunk[-1], done_users=F("done_users") + len(chunk), heartbeat=timezone.now()
    )


def _batch_net(batch: str) -> int:
    """Credits the batch moved into wallets (negative when it took credits away)."""
    transfers = Transfer.objects.filter(batch=batch, reverses__isnull=True)
    given = (
        transfers.filter(credit_account__kind=AccountKind.USER_WALLET).aggregate(s=Sum("amount"))["s"] or 0
    )
    taken = transfers.filter(debit_account__kind=AccountKind.USER_WALLET).aggregate(s=Sum("amount"))["s"] or 0
    return given - taken


#: the states from which an undo can be asked for (a queued batch then never runs)
UNDOABLE = (
    GrantBatch.Status.QUEUED,
    GrantBatch.Status.DONE,
    GrantBatch.Status.FAILED,
    GrantBatch.Status.PARTLY_UNDONE,
)


def undo_batch(*, batch_id, actor=None) -> GrantBatch:
    """Ask for every transfer of a batch to be reversed, in the background; returns the batch.

    A batch already being undone, or undone, is returned unchanged (nothing is queued again). A
    batch still running is refused with :class:`~credits_plugin.exceptions.BatchInProgress`
    unless its worker stopped making progress (``CREDITS_PLUGIN_BULK_STALE_SECONDS``). Undoing a
    partly undone batch again retries the reversals that were refused; a transfer is never
    reversed twice.
    """
    status = GrantBatch.Status
    batch = GrantBatch.objects.get(pk=batch_id)
    if batch.status in (status.UNDOING, status.UNDONE):
        return batch
    now = timezone.now()
    query = Q(status__in=UNDOABLE) | Q(
        status=status.RUNNING, heartbeat__lt=stale_before(default_stale_after())
    )
    claimed = GrantBatch.objects.filter(query, pk=batch.pk).update(
        status=status.UNDOING,
        worker="",
        heartbeat=now,
        error="",
        undo_actor=actor,
        undo_started=now,
        undo_finished=None,
        undo_total=Transfer.objects.filter(batch=str(batch.pk), reverses__isnull=True).count(),
        undo_done=0,
        undo_reversed=0,
        undo_cursor=0,
        undo_problems=[],
    )
    batch.refresh_from_db()
    if not claimed:
        if batch.status in (status.UNDOING, status.UNDONE):
            return batch  # a concurrent request asked first
        raise exceptions.BatchInProgress(batch=str(batch.pk))
    from credits_plugin.wallets.tasks import undo_batch_task

    transaction.on_commit(lambda: undo_batch_task.delay(str(batch.pk)))
    return batch


def run_undo(*, batch_id, resume: bool = False, stale_after: int | None = None) -> GrantBatch:
    """Reverse the transfers of a batch whose undo was asked for, chunk by chunk, with progress.

    Refused reversals (a learner already spent the credits) are listed in ``undo_problems`` and
    leave the batch ``partly_undone``; otherwise it ends ``undone``.
    """
    status = GrantBatch.Status
    token, batch = _take_over(
        batch_id,
        fresh=Q(status=status.UNDOING, worker=""),
        working=status.UNDOING,
        undo=True,
        resume=resume,
        stale_after=stale_after,
    )
    if token is None:
        return batch
    originals = Transfer.objects.filter(batch=str(batch.pk), reverses__isnull=True)
    size = max(1, int(setting("CREDITS_PLUGIN_BULK_CHUNK_SIZE")))
    try:
        cursor = batch.undo_cursor
        while True:
            chunk = list(
                originals.filter(pk__gt=cursor)
                .order_by("pk")
                .select_related("credit_account__user", "debit_account__user")[:size]
            )
            if not chunk:
                break
            if not _owned(batch.pk, token, status.UNDOING, lock=False):
                return GrantBatch.objects.get(pk=batch.pk)
            reversed_count, problems = 0, []
            for transfer in chunk:
                try:
                    ledger.reverse_transfer(
                        transfer=transfer.pk,
                        idempotency_key=f"undo:{transfer.pk}",
                        actor=batch.undo_actor,
                        reason=f"Undo of bulk operation {batch.pk}",
                    )
                except exceptions.AlreadyReversed:
                    pass  # reversed by hand meanwhile: undone all the same
                except exceptions.CreditsError as exc:
                    problems.append(f"{_wallet_name(transfer)}: {exc.message}")
                    continue
                reversed_count += 1
            with transaction.atomic():
                if not _owned(batch.pk, token, status.UNDOING):
                    return GrantBatch.objects.get(pk=batch.pk)
                current = GrantBatch.objects.get(pk=batch.pk)
                GrantBatch.objects.filter(pk=batch.pk).update(
                    undo_cursor=chunk[-1].pk,
                    undo_done=F("undo_done") + len(chunk),
                    undo_reversed=F("undo_reversed") + reversed_count,
                    undo_problems=[*current.undo_problems, *problems],
                    heartbeat=timezone.now(),
                )
            cursor = chunk[-1].pk
        with transaction.atomic():
            if not _owned(batch.pk, token, status.UNDOING):
                return GrantBatch.objects.get(pk=batch.pk)
            current = GrantBatch.objects.get(pk=batch.pk)
            now = timezone.now()
            GrantBatch.objects.filter(pk=batch.pk).update(
                status=status.PARTLY_UNDONE if current.undo_problems else status.UNDONE,
                undo_total=current.undo_done,
                total_amount=_batch_net_after_undo(str(batch.pk)),
                undo_finished=now,
                heartbeat=now,
            )
    except Exception as exc:
        GrantBatch.objects.filter(pk=batch.pk, worker=token, status=status.UNDOING).update(
            status=status.FAILED, error=str(exc)[:2000]
        )
        raise
    batch.refresh_from_db()
    return batch


def _wallet_name(transfer: Transfer) -> str:
    """The user (or holder) of the wallet a batch transfer moved credits to or from."""
    account = transfer.credit_account
    if account.kind != AccountKind.USER_WALLET:
        account = transfer.debit_account
    user = account.user
    return user.get_username() if user is not None else account.holder


def _batch_net_after_undo(batch: str) -> int:
    """Credits the batch still leaves in wallets once its reversals are counted."""
    transfers = Transfer.objects.filter(batch=batch)
    given = (
        transfers.filter(credit_account__kind=AccountKind.USER_WALLET).aggregate(s=Sum("amount"))["s"] or 0
    )
    taken = transfers.filter(debit_account__kind=AccountKind.USER_WALLET).aggregate(s=Sum("amount"))["s"] or 0
    return given - taken


def resume_batch(*, batch_id, stale_after: int | None = None) -> GrantBatch:
    """Carry on with one stuck or failed batch in this process: its run, or its undo.

    Refuses an unknown batch with ``GrantBatch.DoesNotExist``.
    """
    stale_after = default_stale_after() if stale_after is None else stale_after
    batch = GrantBatch.objects.get(pk=batch_id)
    if batch.undo_started is not None:
        return run_undo(batch_id=batch.pk, resume=True, stale_after=stale_after)
    return run_batch(batch_id=batch.pk, resume=True, stale_after=stale_after)


def retire_user(*, user) -> None:
    """Remove a retired user's group and organisation memberships, and name them by user id in
    the one-user bulk operations aimed at them (the operator typed their username or email);
    balances and history stay."""
    OrganisationMember.objects.filter(user=user).delete()
    for group in CreditGroup.objects.filter(members=user):
        group.members.remove(user)
    # Found by what the operator typed while the platform has not renamed the user yet, or by
    # the transfers a batch made on the user's wallets once it has.
    typed = Q(target_value__in=[user.get_username(), str(user.pk)])
    if user.email:
        typed |= Q(target_value__iexact=user.email)
    batch_ids = []
    for batch_id in (
        Transfer.objects.filter(Q(debit_account__user=user) | Q(credit_account__user=user))
        .exclude(batch="")
        .values_list("batch", flat=True)
        .distinct()
    ):
        try:
            batch_ids.append(uuid.UUID(batch_id))
        except ValueError:
            continue
    user_id = str(user.pk)
    batches = GrantBatch.objects.filter(typed | Q(pk__in=batch_ids), target=GrantBatch.Target.USER)
    for batch in batches.exclude(target_value=user_id):
        # The request's fingerprint is recomputed too: it hashed the username or email.
        fingerprint = batch.request_hash and _batch_fingerprint(
            action=batch.action,
            target=batch.target,
            target_value=user_id,
            amount=batch.amount,
            expires_at=batch.expires_at,
        )
        GrantBatch.objects.filter(pk=batch.pk).update(target_value=user_id, request_hash=fingerprint)


def earn(*, user, course_key, trigger: str) -> list[Transfer]:
    """Give the credits of every active earning rule that matches; each rule pays once per
    learner and course, however many times the achievement's event arrives.

    Refuses nothing (a rule already paid is passed over).
    """
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
