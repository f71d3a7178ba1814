"""Stand-in for ``common.djangoapps.student.models`` (a package in the platform too)."""

from common.djangoapps.student.models.course_enrollment import (
    AlreadyEnrolledError,
    CourseEnrollment,
    CourseEnrollmentException,
    CourseEnrollmentState,
    CourseFullError,
    EnrollmentClosedError,
    EnrollmentNotAllowed,
    NonExistentCourseError,
    UnenrollmentNotAllowed,
)

__all__ = [
    "AlreadyEnrolledError",
    "CourseEnrollment",
    "CourseEnrollmentException",
    "CourseEnrollmentState",
    "CourseFullError",
    "EnrollmentClosedError",
    "EnrollmentNotAllowed",
    "NonExistentCourseError",
    "UnenrollmentNotAllowed",
]
