"""openedx-filters pipeline steps for enrolment, the dashboard and the course about page."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import CourseEnrollmentStarted

from credits_plugin import api


class RequireCreditsPayment(PipelineStep):
    """CourseEnrollmentStarted: block enrolment into a credits-only mode that was not paid.

    It only guards and never charges: the platform's own checks (closed, full, already
    enrolled) run after it, so the plugin's checkout takes the payment instead. ``mode`` is
    None on the REST enrolment path and for default modes: those pass.
    """

    def run_filter(self, user, course_key, mode):
        if (
            mode
            and api.mode_requires_payment(course_key=course_key, mode_slug=mode)
            and not (api.has_pending_payment(user=user, course_key=course_key, mode_slug=mode))
        ):
            raise CourseEnrollmentStarted.PreventEnrollment(
                _("This course mode is paid with credits. Buy it from the course page first.")
            )
        return {"user": user, "course_key": course_key, "mode": mode}


class AddCreditsToDashboard(PipelineStep):
    """DashboardRenderStarted: the learner's wallet balance for the dashboard template."""

    def run_filter(self, context, template_name):
        user = context.get("user")
        if user is not None and getattr(user, "is_authenticated", False):
            context["credits_plugin"] = api.wallet_context(user=user)
        return {"context": context, "template_name": template_name}


class AddCreditsPriceToCourseAbout(PipelineStep):
    """CourseAboutRenderStarted: prices in credits of the course's paid modes.

    The about page is cached for anonymous visitors, so only user-independent data is added.
    """

    def run_filter(self, context, template_name):
        course = context.get("course")
        course_key = getattr(course, "id", None) or context.get("course_key")
        if course_key is not None:
            context["credits_plugin_prices"] = api.course_prices(course_key=course_key)
        return {"context": context, "template_name": template_name}
