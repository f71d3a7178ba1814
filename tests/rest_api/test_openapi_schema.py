"""The REST API answers as its OpenAPI schema says, whatever it is sent.

Schemathesis generates requests from the schema the API serves (valid ones and, in its negative
mode, invalid ones) for every operation, as an anonymous caller, a learner and an operator, and
sends them to the Django application in-process through WSGI. No answer may be a server error,
and every answer must match the schema: a documented status code and content type, and a body
of the documented shape (errors included).

Bounded and deterministic: a fixed number of examples per operation and mode, derandomized
(the examples come from a fixed seed), no example database.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager

import pytest
import schemathesis
from django.contrib.auth import SESSION_KEY
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from credits_plugin import api
from credits_plugin.models import ModePrice
from credits_plugin.wallets.models import CreditGroup, Organisation
from tests.factories import UserFactory, make_paid_course

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/credits_plugin/v1/schema/"
COURSE = "course-v1:DemoX+Schema+2026"
#: Examples per operation, mode and caller: 3 callers x 2 modes x ~26 operations x this.
EXAMPLES = int(os.environ.get("CREDITS_SCHEMA_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def in_test_transaction():
    """Requests through the WSGI handler run inside the test's transaction: the handler's
    request signals must not close the test's database connection (Django's test client does
    the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def signed_in(user) -> dict:
    """Session and CSRF cookies and the CSRF header of a signed-in browser."""
    client = Client()
    client.force_login(user)
    assert client.session[SESSION_KEY] == str(user.pk)
    token = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token},
    }


@pytest.fixture
def data():
    """Something for the generated requests to find: a priced course, credits, people."""
    learner = UserFactory(username="learner")
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    make_paid_course(COURSE, name="Schema")
    ModePrice.objects.create(course_key=COURSE, mode_slug="verified", price=1_000)
    api.grant(account=api.user_wallet(learner), amount=5_000, idempotency_key="fund-learner")
    org = Organisation.objects.create(key="DemoX", name="Demo X")
    api.grant(account=api.organisation_wallet(org.key), amount=5_000, idempotency_key="fund-org")
    CreditGroup.objects.create(name="Nurses").members.add(learner)
    credit_type = api.create_credit_type(name="CPE")
    credit = api.create_credit(type=credit_type, name="Ethics")
    api.set_course_credit(course_id=COURSE, credit=credit, amount=150)
    return {"learner": learner, "operator": operator}


def exercise(schema, *, auth: dict) -> list[str]:
    """Run every operation of ``schema`` in both modes; the failures found, one line each."""
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                examples(operation, mode, auth, found)()
            except Unsatisfiable:
                # Nothing to make invalid: the operation takes no parameters and no body.
                assert mode is GenerationMode.NEGATIVE, operation.label
    return found


def examples(operation, mode: GenerationMode, auth: dict, found: list[str]):
    """A Hypothesis test that sends ``operation``'s examples and notes what fails in ``found``."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        try:
            case.call_and_validate(checks=CHECKS, headers=auth.get("headers"), cookies=auth.get("cookies"))
        except (Failure, FailureGroup) as exc:
            for failure in exc.exceptions if isinstance(exc, FailureGroup) else [exc]:
                line = f"{operation.label} [{mode}]: {failure.title}: {failure.message[:300]}"
                if line not in found:
                    found.append(line)

    return run


def test_every_answer_matches_the_schema(data):
    with in_test_transaction():
        app = WSGIHandler()
        schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, app)
        callers = {
            "anonymous": {},
            "learner": signed_in(data["learner"]),
            "operator": signed_in(data["operator"]),
        }
        failures = {role: exercise(schema, auth=auth) for role, auth in callers.items()}
    report = [f"{role}: {line}" for role, lines in failures.items() for line in lines]
    assert not report, "\n".join(report)
