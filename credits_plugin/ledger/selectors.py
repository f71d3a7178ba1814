"""Ledger reads. Nothing here changes state, except that a balance read sweeps the expired
lots of that account first (:func:`credits_plugin.ledger.expiry.sweep_expired`) when it
finds one that still holds value: no balance shown or quoted includes expired credits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from credits_plugin import exceptions
from credits_plugin.constants import HoldStatus
from credits_plugin.ledger.expiry import sweep_expired
from credits_plugin.ledger.lots import lot_order_by
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer


@dataclass(frozen=True)
class Balance:
    """An account's balance in minor units: ``available = balance - held``."""

    account_id: int
    unit: str
    balance: int
    held: int
    overdraft_limit: int | None

    @property
    def available(self) -> int:
        return self.balance - self.held


def balance(account: Account | int) -> Balance:
    """The cached balance of one account: one primary-key read, whatever its history.

    The same statement asks whether a lot of the account has expired and still holds value;
    only then is the account swept (moving that value to the expiry account) and read again,
    so the balance never includes expired credits.

    Plain SQL: the ORM would spend more time building this one-row query than the database
    spends answering it.
    """
    account_id = account if isinstance(account, int) else account.pk
    now = timezone.now()
    row = _read_balance(account_id, now)
    if row[4]:
        sweep_expired(account_id, now=now)
        row = _read_balance(account_id, now)
    return Balance(account_id, *row[:4])


def history(account: Account | int, *, limit: int = 50, before_id: int | None = None) -> list[Transfer]:
    """The account's transfers, newest first, each annotated with ``net`` for this account."""
    account_id = account if isinstance(account, int) else account.pk
    transfers = Transfer.objects.filter(Q(debit_account_id=account_id) | Q(credit_account_id=account_id))
    if before_id is not None:
        transfers = transfers.filter(pk__lt=before_id)
    result = list(transfers.order_by("-pk")[:limit])
    for item in result:
        item.net = item.amount if item.credit_account_id == account_id else -item.amount  # type: ignore[attr-defined]
    return result


def open_lots(account: Account | int) -> list[Lot]:
    """Lots with value left that can still be spent, in the order a charge spends them
    (:mod:`credits_plugin.ledger.lots`). An expired lot is never listed: its value is not
    spendable (and is moved to the expiry account by the next sweep)."""
    account_id = account if isinstance(account, int) else account.pk
    return list(
        Lot.objects.filter(account_id=account_id, remaining__gt=0)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .order_by(*lot_order_by())
    )


@dataclass
class VerifyReport:
    """The outcome of :func:`verify_ledger`: ``ok`` is true when ``problems`` is empty."""

    accounts_checked: int = 0
    transfers_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_ledger() -> VerifyReport:
    """Check every guarantee of the ledger against the history itself.

    * each account's cached ``balance`` equals the sum of its entries, and ``held`` the sum of
      its pending holds;
    * available balance stays within the overdraft limit;
    * every transfer's entries add up to zero and move exactly its amount;
    * every unit adds up to zero over all accounts;
    * no lot is below zero or above its amount, and a spendable account's lots add up to
      max(0, balance - the lots its pending holds reserve).
    """
    report = VerifyReport()
    entry_sums = dict(
        Entry.objects.values("account_id").annotate(s=Sum("amount")).values_list("account_id", "s")
    )
    held_sums = dict(
        Hold.objects.filter(status=HoldStatus.PENDING)
        .values("debit_account_id")
        .annotate(s=Sum("amount"))
        .values_list("debit_account_id", "s")
    )
    reserved: dict[int, int] = {}
    for account_id, allocations in Hold.objects.filter(status=HoldStatus.PENDING).values_list(
        "debit_account_id", "allocations"
    ):
        reserved[account_id] = reserved.get(account_id, 0) + sum(part for _, part in allocations)
    lot_sums = dict(
        Lot.objects.values("account_id").annotate(s=Sum("remaining")).values_list("account_id", "s")
    )
    unit_totals: dict[str, int] = {}
    for account in Account.objects.order_by("pk").iterator(chunk_size=2000):
        report.accounts_checked += 1
        label = f"account {account.pk} ({account.holder}, {account.unit_id})"
        expected = entry_sums.get(account.pk) or 0
        if account.balance != expected:
            report.problems.append(f"{label}: cached balance {account.balance} != sum of entries {expected}")
        held = held_sums.get(account.pk) or 0
        if account.held != held:
            report.problems.append(f"{label}: cached held {account.held} != pending holds {held}")
        if account.overdraft_limit is not None and account.available < -account.overdraft_limit:
            report.problems.append(
                f"{label}: available {account.available} is below the overdraft limit -{account.overdraft_limit}"
            )
        if account.tracks_lots:
            lots = lot_sums.get(account.pk) or 0
            owned = max(0, account.balance - reserved.get(account.pk, 0))
            if lots != owned:
                report.problems.append(
                    f"{label}: lots hold {lots} but the balance less the lots reserved by holds is {owned}"
                )
        unit_totals[account.unit_id] = unit_totals.get(account.unit_id, 0) + account.balance
    for unit, total in sorted(unit_totals.items()):
        if total != 0:
            report.problems.append(f"unit {unit}: balances add up to {total}, not 0")
    unbalanced = (
        Transfer.objects.annotate(
            total=Sum("entries__amount"),
            n=Count("entries"),
        )
        .exclude(total=0, n__gte=2)
        .values_list("pk", "total")
    )
    for pk, total in unbalanced:
        report.problems.append(f"transfer {pk}: entries add up to {total}, not 0")
    wrong_amount = (
        Transfer.objects.annotate(out=Sum("entries__amount", filter=Q(entries__amount__lt=0)))
        .exclude(out=-F("amount"))
        .values_list("pk", "amount", "out")
    )
    for pk, amount, out in wrong_amount:
        report.problems.append(f"transfer {pk}: entries move {-(out or 0)}, transfer says {amount}")
    bad_lots = Lot.objects.filter(Q(remaining__lt=0) | Q(remaining__gt=F("amount"))).values_list(
        "pk", flat=True
    )
    for pk in bad_lots:
        report.problems.append(f"lot {pk}: remaining is outside 0..amount")
    report.transfers_checked = Transfer.objects.count()
    return report


_BALANCE_SQL = (
    "SELECT a.unit, a.balance, a.held, a.overdraft_limit, EXISTS (SELECT 1 FROM "  # noqa: S608
    f"{Lot._meta.db_table} l WHERE l.account_id = a.id AND l.remaining > 0 AND l.expires_at <= %s) "
    f"FROM {Account._meta.db_table} a WHERE a.id = %s"
)


def _read_balance(account_id: int, now: datetime) -> tuple[str, int, int, int | None, bool]:
    with connection.cursor() as cursor:
        cursor.execute(_BALANCE_SQL, [connection.ops.adapt_datetimefield_value(now), account_id])
        row = cursor.fetchone()
    if row is None:
        raise exceptions.AccountNotFound(account=account_id)
    unit, balance_, held, overdraft_limit, expired = row
    return str(unit), int(balance_), int(held), overdraft_limit, bool(expired)
