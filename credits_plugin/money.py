"""Amounts as people and programs write them, and as the plugin stores them: integers of
hundredths (``1250`` is 12.50).

One parser for every way an amount comes in: JSON integers of hundredths (REST), decimal text
of whole units such as ``12.50`` (learner pages, operator forms) and integer text of hundredths
(admin fields that store hundredths). Every amount lies between 0.01 (or 0 where zero means
something, such as a balance reset) and the ledger's maximum; only ASCII digits count, so a
superscript two or Arabic-Indic digits are refused like any other text, never turned into a
number or a server error.
"""

from __future__ import annotations

import re

from django import forms
from django.utils import formats, numberformat
from django.utils.translation import gettext_lazy as _

from credits_plugin.exceptions import InvalidAmount
from credits_plugin.ledger.services import MAX_AMOUNT

__all__ = [
    "MAX_AMOUNT",
    "CreditsFormField",
    "HundredthsFormField",
    "check_hundredths",
    "format_credits",
    "parse_ascii_int",
    "parse_credits",
    "parse_hundredths",
    "range_message",
]

#: Digits 0-9 only: ``str.isdigit()`` is also true of superscripts and Arabic-Indic digits.
_ASCII_INT = re.compile(r"[0-9]+", re.ASCII)
#: 12, 12.5, 12.50, .5, 1,000.50 (thousands grouped by three), with an optional sign.
_DECIMAL = re.compile(
    r"(?P<sign>[+-]?)(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<fraction>[0-9]*))?", re.ASCII
)
_MAX_DIGITS = len(str(MAX_AMOUNT))


def format_credits(amount: int, *, localize: bool = True) -> str:
    """Hundredths as people read them, in the number format of the active language, thousands
    grouped: 1250 -> '12.50' in English, '12,50' in French; -123456 -> '-1,234.56' or
    '-1 234,56'. The one way every page, email, export and admin shows an amount.

    ``localize=False`` gives the one form the plugin's parsers read back ('1,234.50') whatever
    the language: for CSV files and for messages that say how to type an amount.

    Refuses nothing.
    """
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(int(amount)), 100)
    if not localize:
        return f"{sign}{whole:,}.{cents:02d}"
    return numberformat.format(
        f"{sign}{whole}.{cents:02d}",
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=2,
        # No active language (a management command, a task) leaves Django's NUMBER_GROUPING at 0:
        # group by three as the English format does.
        grouping=formats.get_format("NUMBER_GROUPING") or 3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def plural_count(amount: int) -> int:
    """The number that picks the plural form of "{amount} credits" (ngettext needs an integer).

    A whole amount counts as itself (1.00 credit, 2.00 credits; 0 and 1 take the singular in
    French). An amount with a fraction counts as many (0.50 credits, 1.50 credits), as English
    writes it and as French accepts it. Refuses nothing.
    """
    whole, cents = divmod(abs(int(amount)), 100)
    return whole if not cents else max(whole, 2)


def _minimum(allow_zero: bool) -> int:
    return 0 if allow_zero else 1


def range_message(*, allow_zero: bool = False, hundredths: bool = False) -> str:
    """What amounts are allowed, in the words of the input they are written in (amounts as the
    parsers read them, '1,000.50', whatever the language)."""
    minimum = _minimum(allow_zero)
    if hundredths:
        return str(
            _(
                "The amount must be a whole number of hundredths between {minimum} and {maximum} "
                "({low} to {high})."
            )
        ).format(
            minimum=minimum,
            maximum=MAX_AMOUNT,
            low=format_credits(minimum, localize=False),
            high=format_credits(MAX_AMOUNT, localize=False),
        )
    return str(
        _("Enter an amount between {low} and {high}, with at most two decimals, such as 1 or 1.50.")
    ).format(low=format_credits(minimum, localize=False), high=format_credits(MAX_AMOUNT, localize=False))


def parse_ascii_int(value) -> int | None:
    """``value`` as a non-negative integer when it is made of ASCII digits only, else None.

    Ints (not bools) pass through when not negative. Other digits than 0-9 (superscripts,
    Arabic-Indic digits, which ``str.isdigit()`` and ``int()`` take) give None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if not isinstance(value, str) or not _ASCII_INT.fullmatch(value):
        return None
    digits = value.lstrip("0") or "0"
    # Far longer than any id or amount; also keeps int() below Python's digit limit.
    if len(digits) > 30:
        return None
    return int(digits)


def check_hundredths(amount, *, allow_zero: bool = False) -> int:
    """A Python int of hundredths (never a bool or a float) within the allowed range."""
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or not _minimum(allow_zero) <= amount <= MAX_AMOUNT
    ):
        raise InvalidAmount(range_message(allow_zero=allow_zero, hundredths=True), amount=_shown(amount))
    return amount


def parse_hundredths(text, *, allow_zero: bool = False) -> int:
    """Integer text of hundredths (``'150'``), as admin fields that store hundredths take it."""
    stripped = str(text).strip()
    value = parse_ascii_int(stripped) if len(stripped) <= _MAX_DIGITS + 10 else None
    if value is None or not _minimum(allow_zero) <= value <= MAX_AMOUNT:
        raise InvalidAmount(range_message(allow_zero=allow_zero, hundredths=True), amount=_shown(text))
    return value


def parse_credits(text, *, allow_zero: bool = False) -> int:
    """Decimal text of whole units as people type it, exactly in hundredths: '12.5' -> 1250,
    '1,000' -> 100000. More than two decimals, exponents, other digits than 0-9, or an amount
    outside the allowed range are refused with a message that says what is allowed."""
    refused = InvalidAmount(range_message(allow_zero=allow_zero), amount=_shown(text))
    match = _DECIMAL.fullmatch(str(text).strip())
    if match is None:
        raise refused
    whole = match["whole"].replace(",", "").lstrip("0")
    fraction = match["fraction"] or ""
    if not (match["whole"] or fraction):
        raise refused
    if fraction[2:].strip("0"):
        raise InvalidAmount(_("Amounts have at most two decimals."), amount=_shown(text))
    if len(whole) > _MAX_DIGITS:
        raise refused
    amount = int(whole or "0") * 100 + int(fraction[:2].ljust(2, "0"))
    if match["sign"] == "-" and amount:
        raise refused
    if not _minimum(allow_zero) <= amount <= MAX_AMOUNT:
        raise refused
    return amount


def _shown(value) -> str:
    """The refused input for an error's details, cut short."""
    return str(value)[:40]


# --- Form fields ----------------------------------------------------------------------------


class _AmountFormField(forms.CharField):
    inputmode = "decimal"

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": self.inputmode}

    def parse(self, text: str) -> int:
        raise NotImplementedError

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            return self.parse(text)
        except InvalidAmount as exc:
            raise forms.ValidationError(str(exc.message), code="invalid_amount") from exc


class CreditsFormField(_AmountFormField):
    """An amount typed as people write it (``12.50``), cleaned to hundredths."""

    inputmode = "decimal"

    def parse(self, text: str) -> int:
        return parse_credits(text, allow_zero=self.allow_zero)


class HundredthsFormField(_AmountFormField):
    """An amount typed in hundredths (``150`` for 1.50), for admin fields that store them."""

    inputmode = "numeric"

    def parse(self, text: str) -> int:
        return parse_hundredths(text, allow_zero=self.allow_zero)
