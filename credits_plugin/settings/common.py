"""Settings every environment gets; the platform calls plugin_settings(settings) at start-up.

Each setting is only given its default when the operator has not set it already, so values set
in the platform's settings (or a Tutor patch) win.
"""

DEFAULTS: dict[str, object] = {
    # Unit of wallet credits. Amounts are stored in hundredths of this unit.
    "CREDITS_PLUGIN_WALLET_UNIT": "credits",
    # Seconds a checkout hold may stay pending before the expiry task releases it.
    "CREDITS_PLUGIN_HOLD_TIMEOUT_SECONDS": 15 * 60,
    # Number of rows each system account is split over, so that concurrent transfers to the
    # same system account (sales revenue, issuance) do not queue on one row lock.
    "CREDITS_PLUGIN_SYSTEM_ACCOUNT_SHARDS": 16,
}


def plugin_settings(settings) -> None:
    """Give every credits_plugin setting its default unless it is already set."""
    for name, value in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
