"""Fixtures for awarded credits."""

import pytest
from opaque_keys.edx.keys import CourseKey

from credits_plugin import api
from tests.factories import UserFactory, make_paid_course

COURSE = "course-v1:DemoX+Ethics+2026"
OTHER_COURSE = "course-v1:DemoX+Law+2026"


@pytest.fixture
def course(db):
    return make_paid_course(COURSE, name="Ethics for Accountants")


@pytest.fixture
def other_course(db):
    return make_paid_course(OTHER_COURSE, name="Tax Law")


@pytest.fixture
def learner(db):
    return UserFactory(username="cora", first_name="Cora", last_name="Credit")


@pytest.fixture
def cpe(db):
    return api.create_credit_type(name="CPE", reference_required=True)


@pytest.fixture
def cle(db):
    return api.create_credit_type(name="CLE", allow_multiple_per_course=True)


@pytest.fixture
def ethics(cpe):
    return api.create_credit(
        type=cpe, name="Ethics", unit_label="hours", reference_number="CPE-123", accrediting_body="NASBA"
    )


@pytest.fixture
def course_key():
    return CourseKey.from_string(COURSE)
