"""Fixtures for the tests of the demo host's LMS stand-ins."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from common.djangoapps.course_modes.models import CourseMode
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview
from openedx_events.learning.signals import (
    CERTIFICATE_CHANGED,
    CERTIFICATE_CREATED,
    CERTIFICATE_REVOKED,
    COURSE_ENROLLMENT_CHANGED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_UNENROLLMENT_COMPLETED,
)

from tests.factories import UserFactory

COURSE_KEY = CourseKey.from_string("course-v1:DemoX+Py101+2026")
SIGNALS = (
    COURSE_ENROLLMENT_CREATED,
    COURSE_ENROLLMENT_CHANGED,
    COURSE_UNENROLLMENT_COMPLETED,
    CERTIFICATE_CHANGED,
    CERTIFICATE_CREATED,
    CERTIFICATE_REVOKED,
)


@dataclass
class Received:
    """One event as a receiver got it."""

    event_type: str
    kwargs: dict[str, Any]

    @property
    def payload(self) -> Any:
        return self.kwargs.get("enrollment") or self.kwargs.get("certificate")


def make_course(key: CourseKey = COURSE_KEY, **fields) -> CourseOverview:
    now = timezone.now()
    defaults = {
        "display_name": "Python for Everyone",
        "org": key.org,
        "start": now - timedelta(days=1),
        "end": now + timedelta(days=60),
        "enrollment_start": now - timedelta(days=10),
        "enrollment_end": now + timedelta(days=30),
        "short_description": "Write your first programs.",
    }
    defaults.update(fields)
    course = CourseOverview.objects.create(id=key, **defaults)
    for slug, name, price in (
        ("audit", "Audit", 0),
        ("verified", "Verified", 49),
        ("professional", "Pro", 149),
    ):
        CourseMode.objects.create(course=course, mode_slug=slug, mode_display_name=name, min_price=price)
    return course


@pytest.fixture
def course(db) -> CourseOverview:
    return make_course()


@pytest.fixture
def learner(db):
    return UserFactory(username="alice", first_name="Alice", last_name="Archer")


@pytest.fixture
def staff(db):
    return UserFactory(username="operator", is_staff=True)


@pytest.fixture
def events() -> Iterator[list[Received]]:
    """Every event of SIGNALS sent during the test, in order, as a connected receiver saw it.

    The events are enabled first: another test (or a test mixin) may have disabled them.
    """
    received: list[Received] = []

    def receiver(signal, sender, **kwargs):
        received.append(Received(signal.event_type, kwargs))

    for signal in SIGNALS:
        signal.enable()
        signal.connect(receiver, weak=False, dispatch_uid=f"tests.sandbox.events.{signal.event_type}")
    yield received
    for signal in SIGNALS:
        signal.disconnect(dispatch_uid=f"tests.sandbox.events.{signal.event_type}")


def event_types(received: list[Received]) -> list[str]:
    return [event.event_type.split("org.openedx.learning.")[1] for event in received]
