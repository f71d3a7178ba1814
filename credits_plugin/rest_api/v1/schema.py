"""What the OpenAPI schema says beyond the serializers: the authentication schemes of Open edX
APIs and the one shape of every error answer."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class JwtScheme(OpenApiAuthenticationExtension):
    """edx-drf-extensions' JWT authentication: ``Authorization: JWT <token>`` (or the LMS's JWT
    cookies, which browsers send)."""

    target_class = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"
    name = "jwtAuth"
    match_subclasses = True

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_("A JWT access token of the LMS: 'Authorization: JWT <token>'.")),
        }


class BearerScheme(OpenApiAuthenticationExtension):
    """The LMS's OAuth2 bearer tokens (present only inside the LMS)."""

    target_class = "openedx.core.lib.api.authentication.BearerAuthentication"
    name = "oauth2Bearer"
    match_subclasses = True

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_("An OAuth2 access token of the LMS: 'Authorization: Bearer <token>'.")),
        }


class SessionScheme(OpenApiAuthenticationExtension):
    """The LMS's session cookie; writes also need the CSRF token (``X-CSRFToken``)."""

    target_class = (
        "edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser"
    )
    name = "cookieAuth"
    match_subclasses = True

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class ErrorOutput(serializers.Serializer):
    """Every 4xx answer: a stable code and a message a person can act on; invalid input also
    lists what is wrong with each field. Some errors add details (e.g. ``course_id``)."""

    error_code = serializers.CharField(help_text=_("Stable machine-readable code, e.g. 'invalid_amount'."))
    developer_message = serializers.CharField(required=False, help_text=_("What is wrong, for a person."))
    field_errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Invalid input ('invalid_request'): the messages of each field."),
    )


_DESCRIPTIONS = {
    400: _("Bad input: invalid_request (with field_errors), invalid_amount, invalid_course_key, ..."),
    401: _("Not signed in."),
    402: _("Not enough credits: insufficient_funds, spending_cap_exceeded."),
    403: _("Not allowed: permission_denied, credits_disabled, not_a_member."),
    404: _("Not found: not_found, unknown_user, unknown_course, unknown_credit, ..."),
    409: _("Conflict with the current state: already_enrolled, idempotency_conflict, ..."),
    429: _("Too many requests: throttled; the Retry-After header says after how many seconds to retry."),
}


def errors(*statuses: int) -> dict:
    """The documented error answers of an operation: 401 always, and ``statuses``."""
    return {
        status: OpenApiResponse(response=ErrorOutput, description=str(_DESCRIPTIONS[status]))
        for status in sorted({401, *statuses})
    }
