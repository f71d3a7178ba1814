"""Stand-in for the platform's ``openedx/core/djangolib/default_auth_classes.py``: the classes
of the LMS's ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``, edx-drf-extensions' JWT
authentication and DRF's session authentication with a monitoring attribute added."""

from __future__ import annotations

from edx_django_utils.monitoring import set_custom_attribute
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from rest_framework.authentication import SessionAuthentication


class DefaultSessionAuthentication(SessionAuthentication):
    """DRF's SessionAuthentication (CSRF-checked, active users only), observed."""

    def authenticate(self, request):
        set_custom_attribute("using_default_auth_classes", True)
        try:
            user_and_auth = super().authenticate(request)
        except Exception:
            set_custom_attribute("session_auth_result", "failure")
            raise
        set_custom_attribute("session_auth_result", "success" if user_and_auth else "n/a")
        return user_and_auth


class DefaultJwtAuthentication(JwtAuthentication):
    """edx-drf-extensions' JwtAuthentication, observed."""

    def authenticate(self, request):
        set_custom_attribute("using_default_auth_classes", True)
        return super().authenticate(request)
