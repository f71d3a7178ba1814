"""Emails about wallets: credits received and credits about to expire."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Min, Sum
from django.utils import timezone

from credits_plugin.conf import setting
from credits_plugin.constants import AccountKind
from credits_plugin.emails import credits, send_templated
from credits_plugin.ledger.models import Account, Lot, Transfer


def send_credits_received(*, transfer_id: int) -> bool:
    transfer = Transfer.objects.select_related("credit_account__user").get(pk=transfer_id)
    account = transfer.credit_account
    if account.kind != AccountKind.USER_WALLET or account.user is None:
        return False
    lot = Lot.objects.filter(transfer=transfer).first()
    return send_templated(
        user=account.user,
        template="credits_received",
        context={
            "amount": credits(transfer.amount),
            "comment": transfer.reason,
            "expires_at": lot.expires_at if lot else None,
            "balance": credits(account.balance - account.held),
        },
    )


def send_expiry_warnings(*, now=None) -> int:
    """Tell each learner whose credits expire within the warning period; returns mails sent.

    Each lot is announced once (``Lot.warned_at``).
    """
    now = now or timezone.now()
    horizon = now + timedelta(days=int(setting("CREDITS_PLUGIN_EXPIRY_WARNING_DAYS")))
    due = (
        Lot.objects.filter(
            remaining__gt=0,
            expires_at__gt=now,
            expires_at__lte=horizon,
            warned_at__isnull=True,
            account__kind=AccountKind.USER_WALLET,
        )
        .values("account_id")
        .annotate(amount=Sum("remaining"), first=Min("expires_at"))
    )
    sent = 0
    for row in due:
        account = Account.objects.select_related("user").get(pk=row["account_id"])
        if account.user and send_templated(
            user=account.user,
            template="credits_expiring",
            context={"amount": credits(row["amount"]), "expires_at": row["first"]},
        ):
            sent += 1
        Lot.objects.filter(
            account_id=row["account_id"], remaining__gt=0, expires_at__lte=horizon, warned_at__isnull=True
        ).update(warned_at=now)
    return sent
