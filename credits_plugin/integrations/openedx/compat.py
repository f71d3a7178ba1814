"""The only module that imports edx-platform code. Every import is lazy, so that the plugin
loads, and its tests run, without the platform; the demo host provides stand-ins at the same
dotted paths."""

from __future__ import annotations

from typing import Any


def course_enrollment_model() -> Any:
    from common.djangoapps.student.models import CourseEnrollment

    return CourseEnrollment


def enrollment_exception() -> type[Exception]:
    """The platform's parent of every enrolment refusal (closed, full, already enrolled, ...)."""
    from common.djangoapps.student.models import CourseEnrollmentException

    return CourseEnrollmentException


def course_mode_model() -> Any:
    from common.djangoapps.course_modes.models import CourseMode

    return CourseMode


def course_overview_model() -> Any:
    from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

    return CourseOverview


def get_course_overview(course_key) -> Any | None:
    """The course's overview, or None when the course does not exist."""
    model = course_overview_model()
    try:
        return model.get_from_id(course_key)
    except model.DoesNotExist:
        return None


def course_modes(course_key) -> list:
    """The modes of a course (slug, display name, min_price, currency)."""
    return list(course_mode_model().objects.filter(course_id=course_key))


def enroll(user, course_key, mode: str):
    """Enrol through the platform, with its access checks (closed, full, already enrolled)."""
    return course_enrollment_model().enroll(user, course_key, mode=mode, check_access=True)


def enrollment_mode(user, course_key) -> tuple[str | None, bool | None]:
    """(mode, is_active) of the user's enrolment; (None, None) when there is none, as the platform."""
    return course_enrollment_model().enrollment_mode_for_user(user, course_key)


def bearer_authentication_classes() -> list:
    """The LMS's OAuth2 bearer authentication class, when running inside the LMS."""
    try:
        from openedx.core.lib.api.authentication import BearerAuthenticationAllowInactiveUser
    except ImportError:
        return []
    return [BearerAuthenticationAllowInactiveUser]


def generated_certificate_model() -> Any:
    from lms.djangoapps.certificates.models import GeneratedCertificate

    return GeneratedCertificate


def certificate_for(user, course_key) -> Any | None:
    """The user's certificate in the course (any status), or None."""
    return generated_certificate_model().certificate_for_student(user, course_key)


def is_saved_certificate(verify_uuid: str) -> bool:
    """Whether a certificate with this verify UUID is stored (a ``?preview=`` one never is)."""
    return (
        bool(verify_uuid) and generated_certificate_model().objects.filter(verify_uuid=verify_uuid).exists()
    )


def passing_certificates() -> Any:
    """Every eligible certificate with a passing status, for reconciliation (a queryset)."""
    from lms.djangoapps.certificates.data import CertificateStatuses

    return (
        generated_certificate_model()
        .eligible_certificates.filter(status__in=CertificateStatuses.PASSED_STATUSES)
        .select_related("user")
        .order_by("pk")
    )


def has_studio_write_access(user, course_key) -> bool:
    """Whether the user may author the course (global staff, or the course's staff/instructors)."""
    from common.djangoapps.student.auth import has_studio_write_access as platform_check

    return bool(platform_check(user, course_key))


def user_language(user) -> str | None:
    """The language the learner chose in their account settings (the platform's ``pref-lang``
    preference, the one the LMS sends its own e-mails in), or None when they chose none."""
    from openedx.core.djangoapps.lang_pref import LANGUAGE_KEY
    from openedx.core.djangoapps.user_api.preferences.api import get_user_preference

    return get_user_preference(user, LANGUAGE_KEY) or None
