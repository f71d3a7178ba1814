"""JWT authentication that always checks the token's signature.

edx-drf-extensions' decoder first tries the asymmetric keys of ``JWT_PUBLIC_SIGNING_JWK_SET``;
when that setting is empty (as in the LMS's defaults, or a host that signs with the issuer's
secret only), its key set is empty, the check raises nothing, and the token's signature is never
verified: a token with the right issuer and audience, signed with any key, is accepted. Here the
signature is verified first, against the asymmetric keys and each configured issuer's secret,
and only then does edx-drf-extensions decode the token (issuer, audience, expiry, version).

No token is accepted at all unless the host's ``JWT_AUTH`` is the LMS's kind (edx-drf-extensions'
decoder, issuers with an audience: :func:`credits_plugin.checks.jwt_auth_problems`): with
drf-jwt's defaults any token signed with ``SECRET_KEY`` would do, for any issuer and audience.
"""

from __future__ import annotations

import jwt
from django.conf import settings
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from edx_rest_framework_extensions.auth.jwt.decoder import (
    get_verification_jwk_key_set,
    verify_jwk_signature_using_keyset,
)
from edx_rest_framework_extensions.settings import get_jwt_issuers

from credits_plugin.checks import jwt_auth_problems


def verify_signature(token: str) -> None:
    """Raise ``jwt.InvalidTokenError`` unless the host verifies JWTs as the LMS does and a
    configured issuer's key signed ``token`` for that issuer (``iss``) and its audience (``aud``)."""
    problems = jwt_auth_problems()
    if problems:
        raise jwt.InvalidTokenError("JWT_AUTH does not verify tokens: " + " ".join(problems))
    asymmetric_keys = settings.JWT_AUTH.get("JWT_PUBLIC_SIGNING_JWK_SET")
    for issuer in get_jwt_issuers():
        keys = get_verification_jwk_key_set(
            asymmetric_keys=asymmetric_keys, secret_key=issuer.get("SECRET_KEY")
        )
        if not keys:
            continue
        try:
            verify_jwk_signature_using_keyset(
                token, keys, aud=issuer.get("AUDIENCE"), iss=issuer.get("ISSUER"), verify_exp=False
            )
        except Exception:  # noqa: S112 - any failure means: not this issuer's token
            continue
        return
    raise jwt.InvalidSignatureError("The token is not signed by a configured issuer.")


class SignedJwtAuthentication(JwtAuthentication):
    """edx-drf-extensions' ``JwtAuthentication``, with the signature checked by the plugin too."""

    @classmethod
    def jwt_decode_token(cls, token):
        verify_signature(token)
        return super().jwt_decode_token(token)
