"""Rate limits of the plugin's endpoints and pages, read from the plugin's own settings.

DRF's ``ScopedRateThrottle`` reads its rates from the host's ``REST_FRAMEWORK`` settings, which
the LMS fills with rates of its own only (``user``, ``service_user``). These throttles read
``CREDITS_PLUGIN_THROTTLE_RATES`` instead (docs/configuration.rst), so the plugin's limits hold in
any host. A throttled request gets 429 with ``Retry-After``.

The classes are DRF throttles, and the learner pages use the same ones (a Django request has
what they read), so that the checkout page and the checkout API share one count.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from credits_plugin.conf import setting
from credits_plugin.settings.common import DEFAULTS

CHECKOUT = "credits_plugin.checkout"
OPERATOR = "credits_plugin.operator"
REDEEM = "credits_plugin.redeem"
REDEEM_IP = "credits_plugin.redeem_ip"


def rate_for(scope: str) -> str | None:
    """The rate of ``scope`` ('10/minute'); the operator's setting wins scope by scope, and
    ``None`` switches the limit off."""
    rates: dict = dict(DEFAULTS["CREDITS_PLUGIN_THROTTLE_RATES"])  # type: ignore[call-overload]
    rates.update(setting("CREDITS_PLUGIN_THROTTLE_RATES") or {})
    return rates.get(scope)


class PluginRateThrottle(SimpleRateThrottle):
    """Counts the requests of one user (or, signed out, one IP address) in ``scope``.

    Only writes are counted unless ``count_reads``: reading a balance never uses up the right to
    pay.
    """

    scope = ""
    count_reads = False

    def get_rate(self) -> str | None:
        return rate_for(self.scope)

    def allow_request(self, request, view) -> bool:
        if not self.count_reads and request.method in SAFE_METHODS:
            return True
        # The rate is read per request, so that a changed setting applies at once.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ClientIPRateThrottle(PluginRateThrottle):
    """Counts the requests of one IP address in ``scope``, whoever is signed in."""

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CheckoutThrottle(PluginRateThrottle):
    """Checkouts (paying with credits) per learner."""

    scope = CHECKOUT


class OperatorThrottle(PluginRateThrottle):
    """Grants, resets, adjustments and undos per operator."""

    scope = OPERATOR


class RedeemThrottle(PluginRateThrottle):
    """Code redemptions per learner (for the redemption endpoints to come)."""

    scope = REDEEM


class RedeemIPThrottle(ClientIPRateThrottle):
    """Code redemptions per IP address, so that many accounts cannot share one guesser."""

    scope = REDEEM_IP
