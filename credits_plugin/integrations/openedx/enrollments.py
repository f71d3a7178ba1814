"""Receivers of enrolment events: they keep purchases true whichever path enrols.

The platform sends these events inside its own transaction (ATOMIC_REQUESTS in the LMS), and
may send them more than once; every receiver is idempotent and keyed by the enrolment's
natural identity (user, course, mode).
"""

from __future__ import annotations

import logging

from credits_plugin import api

log = logging.getLogger(__name__)


def on_enrollment_created(sender, enrollment=None, **kwargs) -> None:
    """COURSE_ENROLLMENT_CREATED / CHANGED: post the checkout hold that paid for this mode."""
    if enrollment is None or not enrollment.is_active:
        return
    purchase = api.settle_enrollment(
        user_id=enrollment.user.id, course_key=enrollment.course.course_key, mode_slug=enrollment.mode
    )
    if purchase is not None:
        log.info(
            "Enrolment of user %s in %s settled purchase %s",
            enrollment.user.id,
            enrollment.course.course_key,
            purchase.pk,
        )


def on_unenrollment_completed(sender, enrollment=None, **kwargs) -> None:
    """COURSE_UNENROLLMENT_COMPLETED: refund the purchase when inside the refund window."""
    if enrollment is None:
        return
    purchase = api.refund_unenrollment(user_id=enrollment.user.id, course_key=enrollment.course.course_key)
    if purchase is not None:
        log.info(
            "Unenrolment of user %s from %s: purchase %s is %s",
            enrollment.user.id,
            enrollment.course.course_key,
            purchase.pk,
            purchase.status,
        )


def on_course_passing_status_updated(sender, course_passing_status=None, **kwargs) -> None:
    """COURSE_PASSING_STATUS_UPDATED: a learner who passes earns the matching rules' credits."""
    if course_passing_status is None or not course_passing_status.is_passing:
        return
    _earn(course_passing_status.user.id, course_passing_status.course.course_key, "passed")


def on_certificate_created_earn(sender, certificate=None, **kwargs) -> None:
    """CERTIFICATE_CREATED with a passing status: the learner earns certificate rules' credits."""
    if certificate is None or certificate.current_status not in ("downloadable", "generating"):
        return
    _earn(certificate.user.id, certificate.course.course_key, "certificate")


def _earn(user_id: int, course_key, trigger: str) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        api.earn(user=user, course_key=course_key, trigger=trigger)
