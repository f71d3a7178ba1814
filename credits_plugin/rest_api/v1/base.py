"""What every REST view of the plugin shares: authentication as Open edX APIs use it, one
mapping of domain errors to HTTP, and the REST framework parts the views need.

The views set those parts themselves (schema class, renderer, paginator, exception handler)
instead of taking them from the host's ``REST_FRAMEWORK``: the LMS's settings have no
``DEFAULT_SCHEMA_CLASS`` (it documents its APIs with drf-yasg), render JSON only, paginate with
edx-drf-extensions' ``DefaultPagination`` and handle exceptions with the platform's own handler
(OPENEDX_HOOKS.md, section 9.14), and another host may set anything else.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from edx_rest_framework_extensions.auth.session.authentication import SessionAuthenticationAllowInactiveUser
from opaque_keys import InvalidKeyError
from rest_framework import status
from rest_framework.exceptions import APIException, Throttled, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from credits_plugin import api
from credits_plugin.exceptions import CreditsError, http_status
from credits_plugin.rest_api.v1.authentication import SignedJwtAuthentication

log = logging.getLogger(__name__)


def _bearer_authentication() -> list:
    """The platform's OAuth2 bearer authentication, when the platform backend provides one."""
    return api.bearer_authentication_classes()


def authentication_classes() -> list:
    return [SignedJwtAuthentication, *_bearer_authentication(), SessionAuthenticationAllowInactiveUser]


def error_response(exc: CreditsError) -> Response:
    """A domain error's answer: its code and message, with the HTTP status of its group."""
    details = {k: str(v) for k, v in exc.details.items() if k != "code"}
    return Response(
        {"error_code": exc.details.get("code", exc.code), "developer_message": str(exc.message), **details},
        status=http_status(exc),
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
    elif isinstance(exc, Throttled):
        # The Retry-After header stays; the message says how long in the learner's language.
        response.data = {
            "error_code": "throttled",
            "developer_message": _("Too many requests. Try again in {seconds} seconds.").format(
                seconds=int(getattr(exc, "wait", None) or 1)
            ),
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


def _base_on_spectacular(schema_class: type) -> None:
    """Make a view method's ``@extend_schema`` class extend drf-spectacular's AutoSchema.

    ``extend_schema`` on a method builds its class on ``api_settings.DEFAULT_SCHEMA_CLASS`` (the
    view's own ``schema`` is out of its reach there), so in the LMS it extends DRF's AutoSchema
    and drf-spectacular refuses the view. The chain of such classes (one per decorator) is
    walked down to the one that extends the host's class, which is rebased.
    """
    if issubclass(schema_class, AutoSchema):
        return
    lowest = schema_class
    while len(lowest.__bases__) == 1 and lowest.__bases__[0].__module__ == extend_schema.__module__:
        lowest = lowest.__bases__[0]
    try:
        lowest.__bases__ = (AutoSchema,)
    except TypeError:
        log.warning("The OpenAPI schema of %s cannot use drf-spectacular's AutoSchema.", schema_class)


class CreditsSchemaGenerator(SchemaGenerator):
    """drf-spectacular's generator, whatever the host's ``DEFAULT_SCHEMA_CLASS``.

    Before a view is inspected, the ``@extend_schema`` classes of its methods are based on
    drf-spectacular's AutoSchema (see ``_base_on_spectacular``), however and whenever they were
    decorated (on the method, or later with ``@extend_schema_view``).
    """

    def create_view(self, callback, method, request=None):
        handler = getattr(getattr(callback, "cls", None), method.lower(), None)
        schema_class = getattr(handler, "kwargs", {}).get("schema")
        if isinstance(schema_class, type):
            _base_on_spectacular(schema_class)
        return super().create_view(callback, method, request)


class CreditsAPIView(APIView):
    """Base of the plugin's API views: authenticated, with the plugin's error mapping.

    ``schema``: drf-spectacular's, so that the OpenAPI schema view (with
    ``CreditsSchemaGenerator``) works in a host whose ``DEFAULT_SCHEMA_CLASS`` is DRF's (the
    LMS) or anything else. ``renderer_classes``: JSON, the
    API's only representation (the CSV and PDF views answer with their own responses).
    ``pagination_class``: none; a list view returns its whole list or pages it itself (the
    wallet history's ``before`` cursor), never with the host's default paginator.
    """

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    pagination_class = None
    schema = AutoSchema()

    def get_authenticators(self):
        return [auth() for auth in authentication_classes()]

    def get_exception_handler(self):
        return credits_exception_handler
