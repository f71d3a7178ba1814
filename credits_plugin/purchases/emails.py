"""Emails about purchases: the receipt and the refund notice."""

from credits_plugin.emails import credits, plural_count, send_templated
from credits_plugin.purchases.models import Purchase
from credits_plugin.purchases.services import describe_purchase


def _context(purchase: Purchase) -> dict:
    account = purchase.account
    balance = account.balance - account.held
    return {
        **describe_purchase(purchase),
        "purchase": purchase,
        "amount": credits(purchase.amount),
        "amount_count": plural_count(purchase.amount),
        "balance": credits(balance),
        "balance_count": plural_count(balance),
    }


def send_purchase_receipt(*, purchase_id: int) -> bool:
    purchase = Purchase.objects.select_related("user", "account", "hold").get(pk=purchase_id)
    return send_templated(user=purchase.user, template="purchase_receipt", context=_context(purchase))


def send_refund_notice(*, purchase_id: int) -> bool:
    purchase = Purchase.objects.select_related("user", "account", "hold").get(pk=purchase_id)
    return send_templated(user=purchase.user, template="refund", context=_context(purchase))
