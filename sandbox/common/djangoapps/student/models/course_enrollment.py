"""Stand-in for ``common/djangoapps/student/models/course_enrollment.py``.

``enroll``, ``update_enrollment`` and ``unenroll`` keep the platform's signatures and call order:
the enrolment filters run first, COURSE_ENROLLMENT_CHANGED is sent by ``update_enrollment`` when
the active flag or the mode changed, and ``enroll`` sends COURSE_ENROLLMENT_CREATED last. Like the
platform, none of these methods opens a transaction.
"""

from __future__ import annotations

import logging
from collections import namedtuple
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.learning.signals import (
    COURSE_ENROLLMENT_CHANGED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_UNENROLLMENT_COMPLETED,
)
from openedx_filters.learning.filters import CourseEnrollmentStarted, CourseUnenrollmentStarted

from common.djangoapps.course_modes.models import CourseMode
from common.djangoapps.student.signals import UNENROLL_DONE

log = logging.getLogger(__name__)

CourseEnrollmentState = namedtuple("CourseEnrollmentState", "mode, is_active")


class CourseEnrollmentException(Exception):
    pass


class NonExistentCourseError(CourseEnrollmentException):
    pass


class EnrollmentClosedError(CourseEnrollmentException):
    pass


class CourseFullError(CourseEnrollmentException):
    pass


class AlreadyEnrolledError(CourseEnrollmentException):
    pass


class EnrollmentNotAllowed(CourseEnrollmentException):
    pass


class UnenrollmentNotAllowed(CourseEnrollmentException):
    pass


def _default_course_mode(course_id: str) -> str:
    """The mode a learner gets when no mode is asked for (the platform's rule)."""
    available = [mode.slug for mode in CourseMode.modes_for_course(CourseKey.from_string(course_id))]
    if CourseMode.DEFAULT_MODE_SLUG in available:
        return CourseMode.DEFAULT_MODE_SLUG
    if CourseMode.AUDIT in available:
        return CourseMode.AUDIT
    if CourseMode.HONOR in available:
        return CourseMode.HONOR
    return CourseMode.DEFAULT_MODE_SLUG


def _user_data(user) -> UserData:
    # The platform reads the name from user.profile.name; the demo has no profiles.
    return UserData(
        pii=UserPersonalData(username=user.username, email=user.email, name=user.get_full_name()),
        id=user.id,
        is_active=user.is_active,
    )


class CourseEnrollmentManager(models.Manager):
    def num_enrolled_in_exclude_admins(self, course_id: CourseKey | None) -> int:
        """Active enrolments in a course, not counting staff."""
        return self.filter(course_id=course_id, is_active=True, user__is_staff=False).count()

    def is_course_full(self, course: CourseOverview) -> bool:
        if course.max_student_enrollments_allowed is None:
            return False
        return self.num_enrolled_in_exclude_admins(course.id) >= course.max_student_enrollments_allowed

    def users_enrolled_in(self, course_id: CourseKey):
        return self.filter(course_id=course_id, is_active=True).select_related("user")


class CourseEnrollment(models.Model):
    """A learner's enrolment in a course, in one mode. Rows are deactivated, never deleted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course = models.ForeignKey(CourseOverview, db_constraint=False, on_delete=models.DO_NOTHING)
    created = models.DateTimeField(auto_now_add=True, null=True, db_index=True)
    is_active = models.BooleanField(default=True)
    mode = models.CharField(default=CourseMode.DEFAULT_MODE_SLUG, max_length=100)

    objects = CourseEnrollmentManager()

    class Meta:
        app_label = "student"
        unique_together = (("user", "course"),)
        indexes = [models.Index(fields=["user", "-created"])]
        ordering = ("user", "course")
        verbose_name = _("course enrollment")

    def __str__(self) -> str:
        return (
            f"[CourseEnrollment] {self.user}: {self.course_id} ({self.created}); active: ({self.is_active})"
        )

    # Django sets ``course_id`` from the database; like the platform, turn it into a CourseKey.
    @property  # type: ignore[no-redef]
    def course_id(self) -> CourseKey:
        return self._course_id

    @course_id.setter
    def course_id(self, value) -> None:
        self._course_id = CourseKey.from_string(value) if isinstance(value, str) else value

    # --- Reading -------------------------------------------------------------------------------

    @classmethod
    def get_enrollment(cls, user, course_key) -> CourseEnrollment | None:
        """The user's enrolment row (active or not), or None."""
        if user is None or user.is_anonymous:
            return None
        return cls.objects.filter(user=user, course_id=course_key).first()

    @classmethod
    def _get_enrollment_state(cls, user, course_key) -> CourseEnrollmentState:
        record = cls.get_enrollment(user, course_key)
        if record is None:
            return CourseEnrollmentState(None, None)
        return CourseEnrollmentState(record.mode, record.is_active)

    @classmethod
    def is_enrolled(cls, user, course_key) -> bool:
        return cls._get_enrollment_state(user, course_key).is_active or False

    @classmethod
    def enrollment_mode_for_user(cls, user, course_id) -> tuple[str | None, bool | None]:
        """(mode, is_active) of the user's enrolment; (None, None) when there is none."""
        state = cls._get_enrollment_state(user, course_id)
        return state.mode, state.is_active

    @classmethod
    def enrollments_for_user(cls, user):
        return cls.objects.filter(user=user, is_active=True).select_related("course")

    @classmethod
    def is_enrollment_closed(cls, user, course: CourseOverview) -> bool:
        """Outside the course's enrolment window (staff may always enrol)."""
        if user is not None and user.is_staff:
            return False
        now = timezone.now()
        if course.enrollment_start is not None and now < course.enrollment_start:
            return True
        return course.enrollment_end is not None and now > course.enrollment_end

    # --- Changing ------------------------------------------------------------------------------

    def _course_display_name(self) -> str:
        try:
            return self.course.display_name or ""
        except CourseOverview.DoesNotExist:  # enrolled without check_access in a course with no overview
            return ""

    def _enrollment_data(self) -> CourseEnrollmentData:
        return CourseEnrollmentData(
            user=_user_data(self.user),
            course=CourseData(course_key=self.course_id, display_name=self._course_display_name()),
            mode=self.mode,
            is_active=self.is_active,
            creation_date=self.created,
        )

    def update_enrollment(
        self,
        mode: str | None = None,
        is_active: bool | None = None,
        skip_refund: bool = False,
        enterprise_uuid=None,
    ) -> None:
        """Change the mode and/or the active flag; ``None`` leaves a value as it is.

        Sends COURSE_ENROLLMENT_CHANGED when something changed and, on deactivation,
        UNENROLL_DONE then COURSE_UNENROLLMENT_COMPLETED.
        """
        activation_changed = False
        if is_active is not None and self.is_active != is_active:
            self.is_active = is_active
            activation_changed = True

        mode_changed = False
        if mode is not None and self.mode != mode:
            self.mode = mode
            mode_changed = True

        if activation_changed or mode_changed:
            self.save()
            COURSE_ENROLLMENT_CHANGED.send_event(enrollment=self._enrollment_data())

        if activation_changed and not self.is_active:
            UNENROLL_DONE.send(sender=None, course_enrollment=self, skip_refund=skip_refund)
            COURSE_UNENROLLMENT_COMPLETED.send_event(enrollment=self._enrollment_data())

    def change_mode(self, mode: str) -> None:
        self.update_enrollment(mode=mode)

    def activate(self) -> None:
        self.update_enrollment(is_active=True)

    def deactivate(self) -> None:
        self.update_enrollment(is_active=False)

    @classmethod
    def get_or_create_enrollment(cls, user, course_key) -> CourseEnrollment:
        """The user's row for the course; a new row starts inactive, in the default mode."""
        if user.id is None:
            user.save()
        enrollment, __ = cls.objects.get_or_create(
            user=user,
            course_id=course_key,
            defaults={"mode": CourseMode.DEFAULT_MODE_SLUG, "is_active": False},
        )
        return enrollment

    @classmethod
    def enroll(
        cls,
        user,
        course_key: CourseKey,
        mode: str | None = None,
        check_access: bool = False,
        can_upgrade: bool = False,
        enterprise_uuid=None,
    ) -> CourseEnrollment:
        """Enrol ``user`` in the course, as the platform does.

        1. the CourseEnrollmentStarted filter (PreventEnrollment -> EnrollmentNotAllowed);
        2. the default mode when ``mode`` is None;
        3. with ``check_access``: NonExistentCourseError, EnrollmentClosedError (unless
           ``can_upgrade``), CourseFullError, AlreadyEnrolledError;
        4. get or create the row, then ``update_enrollment(is_active=True, mode=mode)``;
        5. COURSE_ENROLLMENT_CREATED, unconditionally.
        """
        try:
            # The platform passes mode=None when no mode was asked for (the REST enrolment path).
            filtered: tuple[Any, ...] = CourseEnrollmentStarted.run_filter(
                user=user,
                course_key=course_key,
                mode=mode,  # type: ignore[arg-type]
            )
        except CourseEnrollmentStarted.PreventEnrollment as exc:
            raise EnrollmentNotAllowed(str(exc)) from exc
        user, course_key, mode = filtered

        if mode is None:
            mode = _default_course_mode(str(course_key))

        try:
            course = CourseOverview.get_from_id(course_key)
        except CourseOverview.DoesNotExist:
            if check_access:
                log.warning("User %s failed to enroll in non-existent course %s", user.username, course_key)
                raise NonExistentCourseError from None
            course = None

        if check_access and course is not None:
            if cls.is_enrollment_closed(user, course) and not can_upgrade:
                log.warning(
                    "User %s failed to enroll in course %s: enrollment is closed", user.username, course_key
                )
                raise EnrollmentClosedError
            if cls.objects.is_course_full(course):
                log.warning("User %s failed to enroll in full course %s", user.username, course_key)
                raise CourseFullError
        if cls.is_enrolled(user, course_key):
            log.warning(
                "User %s attempted to enroll in %s, but they were already enrolled", user.username, course_key
            )
            if check_access:
                raise AlreadyEnrolledError

        enrollment = cls.get_or_create_enrollment(user, course_key)
        enrollment.update_enrollment(is_active=True, mode=mode, enterprise_uuid=enterprise_uuid)

        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment._enrollment_data())
        return enrollment

    @classmethod
    def unenroll(cls, user, course_id: CourseKey, skip_refund: bool = False) -> None:
        """Deactivate the user's enrolment, after the CourseUnenrollmentStarted filter.

        PreventUnenrollment becomes UnenrollmentNotAllowed; no enrolment is logged and ignored.
        """
        try:
            record = cls.objects.get(user=user, course_id=course_id)
        except cls.DoesNotExist:
            log.error("Tried to unenroll student %s from %s but they were not enrolled", user, course_id)
            return
        try:
            record = CourseUnenrollmentStarted.run_filter(enrollment=record)
        except CourseUnenrollmentStarted.PreventUnenrollment as exc:
            raise UnenrollmentNotAllowed(str(exc)) from exc
        record.update_enrollment(is_active=False, skip_refund=skip_refund)
