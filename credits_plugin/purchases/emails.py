"""Emails about purchases: the receipt and the refund notice."""

from credits_plugin.emails import credits, send_templated
from credits_plugin.purchases.models import Purchase


def send_purchase_receipt(*, purchase_id: int) -> bool:
    purchase = Purchase.objects.select_related("user", "account").get(pk=purchase_id)
    return send_templated(
        user=purchase.user,
        template="purchase_receipt",
        context={
            "purchase": purchase,
            "amount": credits(purchase.amount),
            "balance": credits(purchase.account.balance - purchase.account.held),
        },
    )


def send_refund_notice(*, purchase_id: int) -> bool:
    purchase = Purchase.objects.select_related("user", "account").get(pk=purchase_id)
    return send_templated(
        user=purchase.user,
        template="refund",
        context={
            "purchase": purchase,
            "amount": credits(purchase.amount),
            "balance": credits(purchase.account.balance - purchase.account.held),
        },
    )
