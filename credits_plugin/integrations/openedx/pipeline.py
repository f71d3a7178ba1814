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


AWARDED_CREDITS_TEMPLATE = "credits_plugin/certificates/awarded_credits.html"
CREDITS_OFFERED_TEMPLATE = "credits_plugin/courses/credits_offered.html"


def _preview_requested() -> bool:
    """Whether staff asked for ``?preview=<mode>``: the certificate is then an unsaved one."""
    from crum import get_current_request

    request = get_current_request()
    user = getattr(request, "user", None)
    if request is None or user is None or not request.GET.get("preview"):
        return False
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False))


class AddAwardedCreditsToCertificate(PipelineStep):
    """CertificateRenderStarted: the credits the certificate's learner was awarded for the course.

    Looked up by the certificate's learner (``accomplishment_user_id``), never the viewer; a
    staff preview shows what the course carries now. Adds:

    - ``credits_plugin_awarded_credits``: a list of dicts (type, credit, amount in hundredths,
      ``amount_display`` e.g. "1.50 hours", reference number, accrediting body);
    - ``credits_plugin_awarded_credits_html``: the section rendered, for a custom (Mako)
      certificate template to print as ``${credits_plugin_awarded_credits_html}``;
    - the template's name to ``extra_certificate_templates`` where the host includes sections.
    """

    def run_filter(self, context, custom_template):
        from django.template.loader import render_to_string

        user_id = context.get("accomplishment_user_id")
        course_id = context.get("course_id")
        if not user_id or not course_id:
            return {"context": context, "custom_template": custom_template}
        rows = api.certificate_credits(user_id=user_id, course_id=course_id, preview=_preview_requested())
        context["credits_plugin_awarded_credits"] = rows
        context["credits_plugin_awarded_credits_html"] = (
            render_to_string(AWARDED_CREDITS_TEMPLATE, {"credits_plugin_awarded_credits": rows})
            if rows
            else ""
        )
        if rows and isinstance(context.get("extra_certificate_templates"), list):
            context["extra_certificate_templates"] = [
                *context["extra_certificate_templates"],
                AWARDED_CREDITS_TEMPLATE,
            ]
        return {"context": context, "custom_template": custom_template}


class AddCreditsOfferedToCourseAbout(PipelineStep):
    """CourseAboutRenderStarted: the awarded credits a certificate of the course carries.

    User-independent (the page is cached for anonymous visitors).
    """

    def run_filter(self, context, template_name):
        course = context.get("course")
        course_key = getattr(course, "id", None) or context.get("course_key")
        if course_key is not None:
            rows = api.preview_course_credits(course_key)
            context["credits_plugin_credits_offered"] = rows
            if rows and isinstance(context.get("extra_course_about_templates"), list):
                context["extra_course_about_templates"] = [
                    *context["extra_course_about_templates"],
                    CREDITS_OFFERED_TEMPLATE,
                ]
        return {"context": context, "template_name": template_name}
