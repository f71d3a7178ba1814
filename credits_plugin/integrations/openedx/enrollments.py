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
