"""Serializer fields for amounts and ids, on the plugin's one amount parser (credits_plugin.money)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override
from rest_framework import serializers

from credits_plugin.money import MAX_AMOUNT, check_hundredths, parse_ascii_int, parse_hundredths

#: The largest id a database row can have (signed 64-bit).
MAX_ID = 2**63 - 1


class HundredthsField(serializers.Field):
    """An amount: a JSON integer of hundredths from 1 (or 0 with ``allow_zero``) to the ledger's
    maximum. Floats and bools are refused; so are strings, unless ``strings`` (then only ASCII
    digits, as form-encoded bodies send them). A refusal is 400 ``invalid_amount`` with the range."""

    def __init__(self, *, allow_zero: bool = False, strings: bool = False, **kwargs):
        self.allow_zero = allow_zero
        self.strings = strings
        super().__init__(**kwargs)
        minimum = 0 if allow_zero else 1
        # Documented with the range it accepts (drf-spectacular reads this override).
        set_override(
            self, "field", {"type": "integer", "format": "int64", "minimum": minimum, "maximum": MAX_AMOUNT}
        )

    def to_internal_value(self, data):
        if self.strings and isinstance(data, str):
            return parse_hundredths(data, allow_zero=self.allow_zero)
        return check_hundredths(data, allow_zero=self.allow_zero)

    def to_representation(self, value):
        return value


class IdField(serializers.Field):
    """The id of a row: a positive JSON integer, or a string of the digits 0-9 (never other
    Unicode digits, which Python's ``int()`` would take)."""

    default_error_messages = {"invalid": _("An id is a whole number (digits 0-9) greater than zero.")}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        set_override(self, "field", {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})

    def to_internal_value(self, data):
        value = parse_ascii_int(data)
        if value is None or not 1 <= value <= MAX_ID:
            self.fail("invalid")
        return value

    def to_representation(self, value):
        return value
