"""The REST API inside a host with the LMS's own REST_FRAMEWORK settings.

The LMS sets no DEFAULT_SCHEMA_CLASS (it documents its APIs with drf-yasg), renders JSON only,
paginates with edx-drf-extensions' DefaultPagination and handles exceptions with the platform's
``ignored_error_exception_handler`` (OPENEDX_HOOKS.md, section 9.14). The demo host uses those
settings, so every REST test runs with them; these tests check the host and what the plugin's
views must bring themselves.
"""

import pytest
from django.conf import settings
from django.test import modify_settings
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from openedx.core.lib.request_utils import ignored_error_exception_handler
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.schemas.openapi import AutoSchema as DRFAutoSchema
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from credits_plugin import api
from credits_plugin.exceptions import CreditsError
from credits_plugin.rest_api.v1.base import CreditsAPIView, CreditsSchemaGenerator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BASE = "/api/credits_plugin/v1"

# openedx/envs/common.py of openedx-platform master, read 2026-12.
LMS_REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "openedx.core.djangolib.default_auth_classes.DefaultJwtAuthentication",
        "openedx.core.djangolib.default_auth_classes.DefaultSessionAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "edx_rest_framework_extensions.paginators.DefaultPagination",
    "DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",),
    "EXCEPTION_HANDLER": "openedx.core.lib.request_utils.ignored_error_exception_handler",
    "PAGE_SIZE": 10,
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_RATES": {
        "user": "60/minute",
        "service_user": "800/minute",
        "registration_validation": "30/minute",
        "high_service_user": "2000/minute",
    },
}


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_demo_host_has_the_lms_rest_framework_settings():
    assert settings.REST_FRAMEWORK == LMS_REST_FRAMEWORK
    assert api_settings.DEFAULT_SCHEMA_CLASS is DRFAutoSchema
    assert [c.__module__ for c in api_settings.DEFAULT_AUTHENTICATION_CLASSES] == [
        "openedx.core.djangolib.default_auth_classes"
    ] * 2


@modify_settings(INSTALLED_APPS={"remove": ["drf_spectacular"]})
def test_the_schema_is_served_with_the_lms_settings():
    """No DEFAULT_SCHEMA_CLASS and no drf_spectacular app, as in the LMS: still a full schema."""
    response = client_for(UserFactory()).get(f"{BASE}/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "credits_plugin API"
    paths = schema["paths"]
    for endpoint in (
        "/wallet/",
        "/wallet/history/",
        "/checkout/",
        "/credit-types/",
        "/awards/transcript.pdf",
    ):
        assert f"{BASE}{endpoint}" in paths
    # The views' own @extend_schema annotations are in it, not a bare introspection.
    history = paths[f"{BASE}/wallet/history/"]["get"]
    assert history["tags"] == ["wallets"]
    assert {p["name"] for p in history["parameters"]} == {"username", "before"}
    assert "application/pdf" in paths[f"{BASE}/awards/transcript.pdf"]["get"]["responses"]["200"]["content"]


def test_annotations_added_after_the_class_are_honoured_too():
    """``@extend_schema_view`` decorates the methods once the class exists; the generator still
    bases their schema classes on drf-spectacular's."""

    @extend_schema_view(get=extend_schema(tags=["late"], responses={200: dict}))
    class LateView(CreditsAPIView):
        def get(self, request):
            return Response({})

    class PlainView(CreditsAPIView):
        def get(self, request):
            return Response({})

    generator = CreditsSchemaGenerator(
        patterns=[path("late/", LateView.as_view()), path("plain/", PlainView.as_view())]
    )
    paths = generator.get_schema(request=None, public=True)["paths"]

    assert paths["/late/"]["get"]["tags"] == ["late"]
    assert "get" in paths["/plain/"]


def test_the_schema_is_yaml_unless_json_is_asked_for():
    response = client_for(UserFactory()).get(f"{BASE}/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"/api/credits_plugin/v1/wallet/:" in response.content


def test_the_lms_exception_handler_leaves_domain_errors_unhandled():
    """Why the plugin's views bring their own handler: the LMS's would turn them into 500s."""
    assert ignored_error_exception_handler(CreditsError(code="x", message="m"), {}) is None
    assert ignored_error_exception_handler(NotFound(), {}).status_code == 404


def test_domain_errors_are_4xx_json_with_the_lms_exception_handler():
    response = client_for(UserFactory()).get(
        f"{BASE}/checkout/quote/", {"course_id": "nonsense", "mode": "x"}
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error_code"] == "invalid_course_key"


def test_lists_are_not_cut_by_the_lms_default_paginator():
    staff = UserFactory(is_staff=True)
    for n in range(LMS_REST_FRAMEWORK["PAGE_SIZE"] + 2):
        api.create_credit_type(name=f"Type {n}")

    body = client_for(staff).get(f"{BASE}/credit-types/").json()

    assert isinstance(body, list) and len(body) == LMS_REST_FRAMEWORK["PAGE_SIZE"] + 2
