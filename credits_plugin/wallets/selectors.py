"""Wallets, read: whose wallet it is, who may see it, whom an operator's action aims at, what it
would do, and how bulk operations stand. Nothing here moves credits (see services.py); a
wallet is opened, empty, the first time it is asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from credits_plugin import exceptions, permissions
from credits_plugin.conf import setting
from credits_plugin.constants import AccountKind
from credits_plugin.ledger import services as ledger
from credits_plugin.ledger.models import Account
from credits_plugin.money import check_hundredths, parse_ascii_int
from credits_plugin.toggles import credits_enabled, organisations_opt_in
from credits_plugin.wallets.models import (
    CreditGroup,
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
    """The user's wallet in ``unit`` (wallet credits by default), created on first use.

    Refuses nothing.
    """
    unit = unit or default_unit()
    _ensure_default_unit(unit)
    return ledger.get_or_create_account(
        holder=f"user:{user.pk}",
        kind=AccountKind.USER_WALLET,
        unit=unit,
        user=user,
        overdraft_limit=setting("CREDITS_PLUGIN_DEFAULT_OVERDRAFT"),
    )


def organisation_available(org_key: str) -> int:
    """What the organisation's wallet can spend now (balance less holds), 0 when it has none
    yet; never opens a wallet.

    Refuses nothing.
    """
    account = Account.objects.filter(holder=f"org:{org_key}").first()
    return account.balance - account.held if account else 0


def organisation_wallet(org_key: str, *, unit: str | None = None) -> Account:
    """The shared wallet of the organisation ``org_key`` (e.g. its short name).

    Refuses nothing.
    """
    unit = unit or default_unit()
    _ensure_default_unit(unit)
    return ledger.get_or_create_account(holder=f"org:{org_key}", kind=AccountKind.ORG_WALLET, unit=unit)


def _user_matches(value: str) -> Q:
    """Users whose id, username or email is ``value``."""
    query = Q(username=value) | Q(email__iexact=value)
    pk = _int_or_none(value)
    if pk is not None:
        query |= Q(pk=pk)
    return query


def find_user(identifier: str | int):
    """A user by id, username or email. Only ASCII digits make an id: other Unicode digits
    (superscripts, Arabic-Indic digits) can only be a username. Refuses with UnknownUser when
    nobody matches."""
    User = get_user_model()  # noqa: N806
    value = str(identifier).strip()
    user = User.objects.filter(_user_matches(value)).first()
    if user is None:
        raise exceptions.UnknownUser(user=value)
    return user


def wallet_owner(*, viewer, identifier: str | int | None = None):
    """The user whose wallet ``viewer`` may see when asking for ``identifier`` (id, username or
    email; empty: the viewer's own).

    Who may see whose wallet: everyone their own; holders of ``credits_plugin.view_account``
    anyone's; an organisation's administrators the wallets of its members. Anyone else gets
    :class:`~credits_plugin.exceptions.WalletNotVisible`, the same for a user who does not exist as
    for one they may not see, so the answer never tells who exists.

    Refuses WalletNotVisible, and UnknownUser (for a holder of ``view_account`` only).
    """
    value = "" if identifier is None else str(identifier).strip()
    if not value or value == viewer.username:
        return viewer
    if permissions.allowed(viewer, permissions.VIEW_ANY_WALLET):
        return find_user(value)
    # Look only among the users the viewer may see: themselves and the members of the
    # organisations they administer.
    administered = OrganisationMember.objects.filter(user=viewer, role=OrganisationMember.Role.ADMIN).values(
        "organisation_id"
    )
    visible = Q(pk=viewer.pk) | Q(credit_organisations__organisation_id__in=administered)
    user = get_user_model().objects.filter(visible).filter(_user_matches(value)).distinct().first()
    if user is None:
        raise exceptions.WalletNotVisible()
    return user


def target_users(*, target: str, target_value: str = "") -> QuerySet:
    """The active users an action aims at. Refuses UnknownTarget (no such group, organisation or
    kind of target) and, for one user, UnknownUser."""
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
    """``value`` as a row id when it is ASCII digits within a 64-bit id, else None."""
    number = parse_ascii_int(str(value))
    return number if number is not None and number < 2**63 else None


@dataclass(frozen=True)
class Preview:
    """What an action would do, shown to the operator before confirming."""

    users: int
    total: int  # net credits given (negative when a reset takes credits away), hundredths


def preview_batch(*, action: str, target: str, target_value: str = "", amount: int) -> Preview:
    """What a bulk action would do: how many users it aims at and the net credits it gives. Refuses
    InvalidAmount and UnknownTarget (or UnknownUser for a user target)."""
    check_hundredths(amount, allow_zero=True)
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


def stale_before(stale_after: int | None) -> datetime | None:
    return None if stale_after is None else timezone.now() - timedelta(seconds=max(0, int(stale_after)))


def default_stale_after() -> int:
    """Seconds without progress after which a bulk operation counts as stuck
    (``CREDITS_PLUGIN_BULK_STALE_SECONDS``). Refuses nothing."""
    return int(setting("CREDITS_PLUGIN_BULK_STALE_SECONDS"))


def batch_is_stuck(batch: GrantBatch, *, stale_after: int | None = None) -> bool:
    """Whether a batch can be resumed: it failed, or its worker stopped making progress.

    Refuses nothing.
    """
    if batch.status == GrantBatch.Status.FAILED:
        return True
    if batch.status not in (GrantBatch.Status.QUEUED, GrantBatch.Status.RUNNING, GrantBatch.Status.UNDOING):
        return False
    cutoff = stale_before(default_stale_after() if stale_after is None else stale_after)
    return cutoff is not None and batch.heartbeat < cutoff


def stuck_batches(*, stale_after: int | None = None) -> QuerySet:
    """Batches queued, running or being undone whose worker made no progress for ``stale_after``
    seconds (``CREDITS_PLUGIN_BULK_STALE_SECONDS`` by default): a worker died or never started.

    Refuses nothing.
    """
    cutoff = stale_before(default_stale_after() if stale_after is None else stale_after)
    return GrantBatch.objects.filter(
        status__in=[GrantBatch.Status.QUEUED, GrantBatch.Status.RUNNING, GrantBatch.Status.UNDOING],
        heartbeat__lt=cutoff,
    ).order_by("created")


def organisation_admins(org_key: str) -> QuerySet:
    return OrganisationMember.objects.filter(organisation__key=org_key, role=OrganisationMember.Role.ADMIN)


def batches(*, limit: int = 100) -> QuerySet:
    """The latest bulk operations, newest first.

    Refuses nothing.
    """
    return GrantBatch.objects.all()[:limit]


def get_batch(batch_id) -> GrantBatch:
    """One bulk operation; refuses with ``GrantBatch.DoesNotExist`` (404 in the REST API)."""
    return GrantBatch.objects.get(pk=batch_id)


def wallet_context(*, user) -> dict:
    """What the dashboard and header show: the learner's wallet balance.

    Refuses nothing.
    """
    if not credits_enabled():
        return {"enabled": False}
    wallet = user_wallet(user)
    return {
        "enabled": True,
        "balance": wallet.balance - wallet.held,
        "unit": wallet.unit_id,
        "overdraft_limit": wallet.overdraft_limit,
    }
