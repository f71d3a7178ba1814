"""CourseEnrollment stand-in: the platform's call order, events, filters and access checks."""

from datetime import timedelta

import pytest
from common.djangoapps.course_modes.models import CourseMode
from common.djangoapps.student.models import (
    AlreadyEnrolledError,
    CourseEnrollment,
    CourseEnrollmentException,
    CourseFullError,
    EnrollmentClosedError,
    EnrollmentNotAllowed,
    NonExistentCourseError,
    UnenrollmentNotAllowed,
)
from common.djangoapps.student.signals import UNENROLL_DONE
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseEnrollmentData
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import CourseEnrollmentStarted, CourseUnenrollmentStarted

from tests.factories import UserFactory
from tests.sandbox.conftest import COURSE_KEY, event_types, make_course

pytestmark = pytest.mark.django_db

ENROLLMENT_STARTED = "org.openedx.learning.course.enrollment.started.v1"
UNENROLLMENT_STARTED = "org.openedx.learning.course.unenrollment.started.v1"
SEEN: list[tuple] = []


class RefuseEnrollment(PipelineStep):
    """A CourseEnrollmentStarted step that refuses every paid mode."""

    def run_filter(self, user, course_key, mode):
        SEEN.append((user.username, course_key, mode))
        if mode not in (None, "audit"):
            raise CourseEnrollmentStarted.PreventEnrollment("Pay first, please.")
        return {"user": user, "course_key": course_key, "mode": mode}


class ForceHonor(PipelineStep):
    """A step that changes the mode, as a partial dict."""

    def run_filter(self, user, course_key, mode):
        return {"mode": "honor"}


class RefuseUnenrollment(PipelineStep):
    def run_filter(self, enrollment):
        raise CourseUnenrollmentStarted.PreventUnenrollment("You cannot leave this course.")


@pytest.fixture
def only_step(settings):
    """Replace the enrolment pipeline by the given steps."""

    def configure(filter_type, *steps):
        SEEN.clear()
        settings.OPEN_EDX_FILTERS_CONFIG = {
            filter_type: {
                "fail_silently": False,
                "pipeline": [f"{__name__}.{step.__name__}" for step in steps],
            }
        }

    return configure


def test_enroll_sends_changed_then_created_with_the_platform_payload(course, learner, events):
    enrollment = CourseEnrollment.enroll(learner, COURSE_KEY, mode="verified", check_access=True)

    assert event_types(events) == ["course.enrollment.changed.v1", "course.enrollment.created.v1"]
    for event in events:
        data = event.payload
        assert isinstance(data, CourseEnrollmentData)
        assert data.user.id == learner.id
        assert data.user.is_active is True
        assert (data.user.pii.username, data.user.pii.email, data.user.pii.name) == (
            "alice",
            "alice@example.com",
            "Alice Archer",
        )
        assert data.course.course_key == COURSE_KEY
        assert data.course.display_name == "Python for Everyone"
        assert (data.mode, data.is_active) == ("verified", True)
        assert data.creation_date == enrollment.created
        assert data.created_by is None
        assert event.kwargs["metadata"].event_type == event.event_type
    row = CourseEnrollment.objects.get(user=learner)
    assert (row.course_id, row.mode, row.is_active) == (COURSE_KEY, "verified", True)
    assert isinstance(row.course_id, CourseKey)


def test_enroll_without_mode_picks_the_default_mode(course, learner, events, only_step):
    only_step(ENROLLMENT_STARTED, RefuseEnrollment)

    CourseEnrollment.enroll(learner, COURSE_KEY)

    assert SEEN == [("alice", COURSE_KEY, None)]  # the filter sees mode=None, as on the REST path
    assert CourseEnrollment.enrollment_mode_for_user(learner, COURSE_KEY) == ("audit", True)
    assert events[-1].payload.mode == "audit"


def test_the_filter_can_change_the_mode(course, learner, only_step):
    only_step(ENROLLMENT_STARTED, ForceHonor)

    CourseEnrollment.enroll(learner, COURSE_KEY, mode="verified")

    assert CourseEnrollment.enrollment_mode_for_user(learner, COURSE_KEY) == ("honor", True)


def test_prevent_enrollment_becomes_enrollment_not_allowed(course, learner, events, only_step):
    only_step(ENROLLMENT_STARTED, RefuseEnrollment)

    with pytest.raises(EnrollmentNotAllowed, match="Pay first, please") as caught:
        CourseEnrollment.enroll(learner, COURSE_KEY, mode="verified", check_access=True)

    assert isinstance(caught.value, CourseEnrollmentException)
    assert isinstance(caught.value.__cause__, CourseEnrollmentStarted.PreventEnrollment)
    assert SEEN == [("alice", COURSE_KEY, "verified")]
    assert not CourseEnrollment.objects.exists()
    assert events == []


def test_enrolling_again_without_check_access_sends_created_again(course, learner, events):
    CourseEnrollment.enroll(learner, COURSE_KEY)
    events.clear()

    CourseEnrollment.enroll(learner, COURSE_KEY)

    assert event_types(events) == ["course.enrollment.created.v1"]


def test_reactivation_through_enroll_sends_changed_and_created(course, learner, events):
    CourseEnrollment.enroll(learner, COURSE_KEY)
    CourseEnrollment.unenroll(learner, COURSE_KEY)
    events.clear()

    CourseEnrollment.enroll(learner, COURSE_KEY, mode="verified")

    assert event_types(events) == ["course.enrollment.changed.v1", "course.enrollment.created.v1"]
    assert CourseEnrollment.objects.count() == 1


def test_mode_change_sends_only_changed(course, learner, events):
    enrollment = CourseEnrollment.enroll(learner, COURSE_KEY)
    events.clear()

    enrollment.update_enrollment(mode="verified")
    enrollment.update_enrollment(mode="verified")  # nothing changed: no event

    assert event_types(events) == ["course.enrollment.changed.v1"]
    assert events[0].payload.mode == "verified"


def test_unenroll_sends_changed_then_unenrollment_completed(course, learner, events):
    CourseEnrollment.enroll(learner, COURSE_KEY, mode="verified")
    events.clear()
    legacy = []

    def on_unenroll_done(sender, course_enrollment, skip_refund, **kwargs):
        legacy.append((course_enrollment.user_id, skip_refund))

    UNENROLL_DONE.connect(on_unenroll_done, weak=False, dispatch_uid="tests.sandbox.unenroll_done")
    try:
        CourseEnrollment.unenroll(learner, COURSE_KEY, skip_refund=True)
    finally:
        UNENROLL_DONE.disconnect(dispatch_uid="tests.sandbox.unenroll_done")

    assert event_types(events) == ["course.enrollment.changed.v1", "course.unenrollment.completed.v1"]
    assert [(e.payload.mode, e.payload.is_active) for e in events] == [("verified", False)] * 2
    assert legacy == [(learner.id, True)]
    assert CourseEnrollment.enrollment_mode_for_user(learner, COURSE_KEY) == ("verified", False)
    assert not CourseEnrollment.is_enrolled(learner, COURSE_KEY)


def test_unenroll_without_enrolment_does_nothing(course, learner, events):
    CourseEnrollment.unenroll(learner, COURSE_KEY)

    assert events == []


def test_prevent_unenrollment_becomes_unenrollment_not_allowed(course, learner, events, only_step):
    CourseEnrollment.enroll(learner, COURSE_KEY)
    events.clear()
    only_step(UNENROLLMENT_STARTED, RefuseUnenrollment)

    with pytest.raises(UnenrollmentNotAllowed, match="You cannot leave this course"):
        CourseEnrollment.unenroll(learner, COURSE_KEY)

    assert CourseEnrollment.is_enrolled(learner, COURSE_KEY)
    assert events == []


class TestAccessChecks:
    def test_unknown_course(self, learner):
        with pytest.raises(NonExistentCourseError):
            CourseEnrollment.enroll(
                learner, CourseKey.from_string("course-v1:Nope+N1+2026"), check_access=True
            )

    def test_unknown_course_without_check_access_still_enrols(self, learner, events):
        key = CourseKey.from_string("course-v1:Nope+N1+2026")

        CourseEnrollment.enroll(learner, key)

        assert CourseEnrollment.is_enrolled(learner, key)
        assert events[-1].payload.course.display_name == ""

    def test_closed_enrolment(self, learner):
        make_course(enrollment_end=timezone.now() - timedelta(days=1))

        with pytest.raises(EnrollmentClosedError):
            CourseEnrollment.enroll(learner, COURSE_KEY, check_access=True)
        CourseEnrollment.enroll(learner, COURSE_KEY, check_access=True, can_upgrade=True)
        assert CourseEnrollment.is_enrolled(learner, COURSE_KEY)

    def test_not_yet_open(self, learner):
        make_course(enrollment_start=timezone.now() + timedelta(days=1))

        with pytest.raises(EnrollmentClosedError):
            CourseEnrollment.enroll(learner, COURSE_KEY, check_access=True)

    def test_staff_may_enrol_when_closed(self, staff):
        make_course(enrollment_end=timezone.now() - timedelta(days=1))

        CourseEnrollment.enroll(staff, COURSE_KEY, check_access=True)

        assert CourseEnrollment.is_enrolled(staff, COURSE_KEY)

    def test_full_course(self, learner, staff):
        make_course(max_student_enrollments_allowed=1)
        CourseEnrollment.enroll(staff, COURSE_KEY)  # staff do not take a place
        CourseEnrollment.enroll(UserFactory(), COURSE_KEY)

        with pytest.raises(CourseFullError):
            CourseEnrollment.enroll(learner, COURSE_KEY, check_access=True)

    def test_already_enrolled(self, course, learner):
        CourseEnrollment.enroll(learner, COURSE_KEY, check_access=True)

        with pytest.raises(AlreadyEnrolledError):
            CourseEnrollment.enroll(learner, COURSE_KEY, check_access=True)


def test_reading_helpers(course, learner):
    assert CourseEnrollment.enrollment_mode_for_user(learner, COURSE_KEY) == (None, None)
    assert CourseEnrollment.get_enrollment(learner, COURSE_KEY) is None
    assert CourseEnrollment.is_enrolled(learner, COURSE_KEY) is False

    CourseEnrollment.enroll(learner, COURSE_KEY, mode="professional")

    assert CourseEnrollment.get_enrollment(learner, str(COURSE_KEY)).mode == "professional"
    assert CourseEnrollment.is_enrolled(learner, COURSE_KEY) is True


class TestCourseModes:
    def test_modes_for_course(self, course):
        modes = CourseMode.modes_for_course(COURSE_KEY)

        assert [(m.slug, m.min_price, m.currency) for m in modes] == [
            ("audit", 0, "usd"),
            ("verified", 49, "usd"),
            ("professional", 149, "usd"),
        ]
        assert CourseMode.AUDIT in CourseMode.AUDIT_MODES
        assert CourseMode.objects.get(mode_slug="verified").course_id == COURSE_KEY

    def test_expired_modes_are_left_out(self, course):
        verified = CourseMode.objects.get(mode_slug="verified")
        verified.expiration_datetime = timezone.now() - timedelta(days=1)
        verified.save()

        assert [m.slug for m in CourseMode.modes_for_course(COURSE_KEY)] == ["audit", "professional"]
        assert len(CourseMode.modes_for_course(COURSE_KEY, include_expired=True)) == 3

    def test_a_course_without_modes_has_the_default_mode(self, db):
        assert CourseMode.modes_for_course(CourseKey.from_string("course-v1:X+Y+Z")) == [
            CourseMode.DEFAULT_MODE
        ]
