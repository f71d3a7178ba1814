"""Template filters for showing credits."""

from django import template

from credits_plugin.money import format_credits, plural_count

register = template.Library()


@register.filter
def as_credits(amount) -> str:
    """Hundredths of a credit as people read them, in the active language's number format:
    1250 -> '12.50' in English, '12,50' in French."""
    if amount is None or amount == "":
        return ""
    return format_credits(int(amount))


@register.filter
def credits_count(amount) -> int:
    """The count that picks the plural form of an amount of credits, for
    ``{% blocktranslate count counter=amount|credits_count %}``: 100 -> 1, 250 -> 2."""
    if amount is None or amount == "":
        return 0
    return plural_count(int(amount))


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
