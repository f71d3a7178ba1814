"""What every REST view of the plugin shares: authentication as Open edX APIs use it, and one
mapping of domain errors to HTTP."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from edx_rest_framework_extensions.auth.session.authentication import SessionAuthenticationAllowInactiveUser
from opaque_keys import InvalidKeyError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from credits_plugin.conf import platform
from credits_plugin.exceptions import CreditsError


def _bearer_authentication() -> list:
    """The platform's OAuth2 bearer authentication, when the platform backend provides one."""
    provider = getattr(platform(), "bearer_authentication_classes", None)
    return list(provider()) if provider else []


def authentication_classes() -> list:
    return [JwtAuthentication, *_bearer_authentication(), SessionAuthenticationAllowInactiveUser]


def error_response(exc: CreditsError) -> Response:
    details = {k: str(v) for k, v in exc.details.items() if k != "code"}
    return Response(
        {"error_code": exc.details.get("code", exc.code), "developer_message": str(exc.message), **details},
        status=exc.status_code,
    )


def credits_exception_handler(exc, context):
    """Turn domain errors into 4xx responses with a message a person can act on."""
    if isinstance(exc, CreditsError):
        return error_response(exc)
    if isinstance(exc, InvalidKeyError):
        return Response(
            {"error_code": "invalid_course_key", "developer_message": _("This is not a valid course key.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ObjectDoesNotExist):
        return Response(
            {"error_code": "not_found", "developer_message": _("Not found.")},
            status=status.HTTP_404_NOT_FOUND,
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        field_errors = (
            response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        )
        response.data = {
            "error_code": "invalid_request",
            "developer_message": _("The request is not valid; see field_errors."),
            "field_errors": field_errors,
        }
    elif isinstance(exc, APIException):
        # Not signed in, not allowed, throttled, unsupported media type, ...: the same shape as
        # every other error, with DRF's code ("not_authenticated", "permission_denied", ...).
        code = exc.get_codes()
        response.data = {
            "error_code": code if isinstance(code, str) else exc.default_code,
            "developer_message": str(exc.detail) if isinstance(exc.detail, str) else str(exc.default_detail),
        }
    return response


class CreditsAPIView(APIView):
    """Base of the plugin's API views: authenticated, with the plugin's error mapping."""

    permission_classes = [IsAuthenticated]

    def get_authenticators(self):
        return [auth() for auth in authentication_classes()]

    def get_exception_handler(self):
        return credits_exception_handler
