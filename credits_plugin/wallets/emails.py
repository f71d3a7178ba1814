"""Emails about wallets: credits received and credits about to expire."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from credits_plugin.conf import setting
from credits_plugin.constants import AccountKind
from credits_plugin.emails import send_templated
from credits_plugin.ledger.models import Account, Lot, Transfer
from credits_plugin.money import format_credits


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
            "amount": format_credits(transfer.amount),
            "comment": transfer.reason,
            "expires_at": lot.expires_at if lot else None,
            "balance": format_credits(account.balance - account.held),
        },
    )


def send_expiry_warnings(*, now=None) -> int:
    """Warn each learner whose credits expire within the warning period; returns mails sent.

    A lot is announced once (``Lot.warned_at``): the lots of one wallet that fall due in the
    same run go into one email, each with its own amount and date. Lots without expiry, spent
    or already expired lots, organisation wallets and lots already announced are left alone.
    A lot is marked before its email is sent, so two runs at once never announce it twice.
    """
    now = now or timezone.now()
    horizon = now + timedelta(days=int(setting("CREDITS_PLUGIN_EXPIRY_WARNING_DAYS")))
    due: dict[int, list[int]] = defaultdict(list)
    for lot_id, account_id in (
        Lot.objects.filter(
            remaining__gt=0,
            expires_at__gt=now,
            expires_at__lte=horizon,
            warned_at__isnull=True,
            account__kind=AccountKind.USER_WALLET,
        )
        .order_by("account_id", "expires_at", "pk")
        .values_list("pk", "account_id")
    ):
        due[account_id].append(lot_id)
    sent = 0
    for account_id, lot_ids in due.items():
        # Claim the lots; a lot another run claimed first is that run's to announce.
        Lot.objects.filter(pk__in=lot_ids, warned_at__isnull=True).update(warned_at=now)
        lots = list(Lot.objects.filter(pk__in=lot_ids, warned_at=now).order_by("expires_at", "pk"))
        if not lots:
            continue
        account = Account.objects.select_related("user").get(pk=account_id)
        if account.user is not None and send_templated(
            user=account.user,
            template="credits_expiring",
            context={
                "amount": format_credits(sum(lot.remaining for lot in lots)),
                "expires_at": lots[0].expires_at,
                "lots": [
                    {"amount": format_credits(lot.remaining), "expires_at": lot.expires_at} for lot in lots
                ],
                "balance": format_credits(account.balance - account.held),
            },
        ):
            sent += 1
    return sent
