"""Template filters for showing credits."""

from django import template

from credits_plugin.money import format_credits

register = template.Library()


@register.filter
def as_credits(amount) -> str:
    """Hundredths of a credit as people read them: 1250 -> '12.50'."""
    if amount is None or amount == "":
        return ""
    return format_credits(int(amount))


@register.inclusion_tag("credits_plugin/header_balance.html", takes_context=True)
def credits_header_balance(context):
    """The learner's balance for the site header, linking to "My credits"."""
    from credits_plugin import api

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    wallet = api.wallet_context(user=user)
    return {"show": wallet.get("enabled", False), "balance": wallet.get("balance", 0)}
