"""The throttles of the REST views (credits_plugin/throttling.py has the classes and rates)."""

from __future__ import annotations

from rest_framework.settings import api_settings

from credits_plugin.throttling import (
    CheckoutThrottle,
    OperatorThrottle,
    RedeemIPThrottle,
    RedeemThrottle,
    rate_for,
)

__all__ = [
    "CheckoutThrottle",
    "OperatorThrottle",
    "RedeemIPThrottle",
    "RedeemThrottle",
    "rate_for",
    "throttles",
]


def throttles(*plugin_throttles: type) -> list:
    """The host's default throttles followed by the plugin's, for a view's ``throttle_classes``."""
    return [*api_settings.DEFAULT_THROTTLE_CLASSES, *plugin_throttles]
