"""Emails about purchases: the receipt and the refund notice."""

from credits_plugin.constants import AccountKind
from credits_plugin.emails import credits, send_templated
from credits_plugin.purchases.models import Purchase
from credits_plugin.wallets.models import Organisation


def _context(purchase: Purchase) -> dict:
    """What both emails say: the course as the learner's history shows it, the amount, and the
    learner's balance, or, when an organisation paid, the organisation's name (a member is
    not told the organisation wallet's balance)."""
    account = purchase.account
    organisation = ""
    if account.kind == AccountKind.ORG_WALLET:
        key = account.holder.removeprefix("org:")
        organisation = str(Organisation.objects.filter(key=key).first() or key)
    hold = purchase.hold
    return {
        "purchase": purchase,
        "course": (hold.reason if hold is not None and hold.reason else "")
        or f"{purchase.course_key} ({purchase.mode_slug})",
        "amount": credits(purchase.amount),
        "balance": credits(account.balance - account.held),
        "organisation": organisation,
    }


def send_purchase_receipt(*, purchase_id: int) -> bool:
    purchase = Purchase.objects.select_related("user", "account", "hold").get(pk=purchase_id)
    return send_templated(user=purchase.user, template="purchase_receipt", context=_context(purchase))


def send_refund_notice(*, purchase_id: int) -> bool:
    purchase = Purchase.objects.select_related("user", "account", "hold").get(pk=purchase_id)
    return send_templated(user=purchase.user, template="refund", context=_context(purchase))
