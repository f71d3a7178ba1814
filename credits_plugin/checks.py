"""Django system checks of the host's configuration that the plugin's safety depends on."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

# The decoder the LMS configures: it checks the token's issuer and audience against JWT_ISSUERS.
EDX_JWT_DECODER = "edx_rest_framework_extensions.auth.jwt.decoder.jwt_decode_handler"


def _dotted(value) -> str:
    if isinstance(value, str):
        return value
    return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"


def jwt_auth_problems() -> list[str]:
    """What is missing for the host's JWT_AUTH to verify tokens as the LMS does; empty when all
    is there. The plugin's REST API accepts JWTs only then."""
    jwt_auth = getattr(settings, "JWT_AUTH", None)
    if not isinstance(jwt_auth, dict):
        return ["JWT_AUTH is not set."]
    problems = []
    if _dotted(jwt_auth.get("JWT_DECODE_HANDLER")) != EDX_JWT_DECODER:
        problems.append(f"JWT_AUTH['JWT_DECODE_HANDLER'] is not {EDX_JWT_DECODER}.")
    issuers = jwt_auth.get("JWT_ISSUERS") or []
    if not issuers:
        problems.append("JWT_AUTH['JWT_ISSUERS'] is empty.")
    for issuer in issuers:
        if not (isinstance(issuer, dict) and issuer.get("ISSUER") and issuer.get("AUDIENCE")):
            problems.append("Every entry of JWT_AUTH['JWT_ISSUERS'] needs an ISSUER and an AUDIENCE.")
            break
    if jwt_auth.get("JWT_VERIFY_AUDIENCE") is False:
        problems.append("JWT_AUTH['JWT_VERIFY_AUDIENCE'] is False.")
    return problems


@checks.register(checks.Tags.security)
def jwt_auth(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when the plugin's REST API cannot accept JWTs because JWT_AUTH is not the LMS's."""
    problems = jwt_auth_problems()
    if not problems:
        return []
    return [
        checks.Warning(
            "credits_plugin does not accept JWTs: " + " ".join(problems),
            hint="Configure JWT_AUTH as the LMS does (docs/installation.rst, 'Authentication').",
            id="credits_plugin.W001",
        )
    ]
