"""The one amount parser: ASCII digits only, at most two decimals, within the ledger's range."""

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from credits_plugin import exceptions, money
from credits_plugin.ledger.services import MAX_AMOUNT

SUPERSCRIPT_TWO = "\u00b2"
ARABIC_123 = "\u0661\u0662\u0663"
RANGE = "between 0.01 and 10,000,000,000,000.00"


class TestParseCredits:
    @pytest.mark.parametrize(
        ("text", "hundredths"),
        [
            ("10", 1_000),
            (" 12.5 ", 1_250),
            ("0.01", 1),
            (".5", 50),
            ("1,000", 100_000),
            ("1,000.50", 100_050),
            ("1.500", 150),
            ("10000000000000", MAX_AMOUNT),
        ],
    )
    def test_exact(self, text, hundredths):
        assert money.parse_credits(text) == hundredths

    @pytest.mark.parametrize(
        "text",
        [
            "1e20",
            "1e9999",
            "1e999999",
            "9" * 30,
            "9" * 5000,
            "10000000000000.01",
            "0",
            "-1",
            "abc",
            "",
            "NaN",
            "Infinity",
            SUPERSCRIPT_TWO,
            ARABIC_123,
            "1,00",
        ],
    )
    def test_refused_with_the_range(self, text):
        with pytest.raises(exceptions.InvalidAmount) as refused:
            money.parse_credits(text)
        assert RANGE in str(refused.value.message)

    def test_more_than_two_decimals(self):
        with pytest.raises(exceptions.InvalidAmount, match="at most two decimals"):
            money.parse_credits("1.005")

    def test_zero_where_allowed(self):
        assert money.parse_credits("0", allow_zero=True) == 0
        with pytest.raises(exceptions.InvalidAmount, match=r"between 0\.00 and"):
            money.parse_credits("-0.01", allow_zero=True)

    @given(st.integers(min_value=1, max_value=MAX_AMOUNT))
    def test_reads_what_it_formats(self, hundredths):
        assert money.parse_credits(money.format_credits(hundredths)) == hundredths


class TestHundredths:
    @pytest.mark.parametrize("value", [10**20, 0, -1, 1.5, True, "150", None])
    def test_check_refuses_with_the_range(self, value):
        with pytest.raises(exceptions.InvalidAmount, match=r"between 1 and 1000000000000000"):
            money.check_hundredths(value)

    @pytest.mark.parametrize("text", ["1" + "0" * 20, "-5", SUPERSCRIPT_TWO, ARABIC_123, "1.5", "1e3"])
    def test_parse_refuses(self, text):
        with pytest.raises(exceptions.InvalidAmount):
            money.parse_hundredths(text)

    def test_parse_and_check_accept_the_range(self):
        assert money.parse_hundredths(" 150 ") == 150
        assert money.check_hundredths(MAX_AMOUNT) == MAX_AMOUNT
        assert money.check_hundredths(0, allow_zero=True) == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("007", 7), (5, 5), (SUPERSCRIPT_TWO, None), (ARABIC_123, None), ("-1", None), (True, None)],
)
def test_parse_ascii_int(value, expected):
    assert money.parse_ascii_int(value) == expected


def test_form_field_says_the_range():
    field = money.CreditsFormField()
    assert field.clean("12.50") == 1_250
    with pytest.raises(forms.ValidationError) as refused:
        field.clean("1e20")
    assert RANGE in refused.value.messages[0]
