"""Template filters for showing credits."""

from django import template

from credits_plugin.emails import credits

register = template.Library()


@register.filter
def as_credits(amount) -> str:
    """Hundredths of a credit as people read them: 1250 -> '12.50'."""
    if amount is None or amount == "":
        return ""
    return credits(int(amount))
