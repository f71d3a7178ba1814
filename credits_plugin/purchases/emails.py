"""Emails about purchases: the receipt and the refund notice."""

from credits_plugin.emails import send_templated
from credits_plugin.purchases.models import Purchase
from credits_plugin.purchases.selectors import describe_purchase


def _context(purchase: Purchase) -> dict:
    """Amounts in hundredths: the templates format them in the learner's language (as a
    ``blocktranslate`` resolves its count after its ``with``, they cannot be named ``amount``)."""
    account = purchase.account
    return {
        **describe_purchase(purchase),
        "purchase": purchase,
        "amount_hundredths": purchase.amount,
        "balance_hundredths": account.balance - account.held,
    }


def send_purchase_receipt(*, purchase_id: int) -> bool:
    purchase = Purchase.objects.select_related("user", "account", "hold").get(pk=purchase_id)
    return send_templated(user=purchase.user, template="purchase_receipt", context=_context(purchase))


def send_refund_notice(*, purchase_id: int) -> bool:
    purchase = Purchase.objects.select_related("user", "account", "hold").get(pk=purchase_id)
    return send_templated(user=purchase.user, template="refund", context=_context(purchase))
