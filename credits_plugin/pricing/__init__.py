"""Prices of course modes in credits: explicit, derived from a currency value, or from a tier."""
