"""openedx-filters pipeline steps for enrolment, the dashboard, the course about page and the
certificate page."""

from __future__ import annotations

from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext as _
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import CourseEnrollmentStarted

from credits_plugin import api
from credits_plugin.integrations.openedx import compat


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
# The key of the stock certificate templates the awarded credits are added to: they print it as
# plain, HTML-escaped text (``_accomplishment-rendering.html``, under ``expression_filter="h"``)
# just below the course name (OPENEDX_HOOKS.md, sections 4 and 9.16).
STOCK_DESCRIPTION_KEY = "accomplishment_copy_course_description"


def _is_preview(context) -> bool:
    """Whether the page shows an unsaved certificate, as the platform builds for ``?preview=<mode>``.

    The platform only builds one for a viewer allowed to preview (course staff included), and
    then its verify UUID matches no stored certificate; without that permission it ignores the
    parameter. So the parameter alone is not trusted: the certificate must also be unsaved.
    """
    from crum import get_current_request

    request = get_current_request()
    if request is None or not request.GET.get("preview"):
        return False
    return not compat.is_saved_certificate(str(context.get("certificate_id_number") or ""))


def _credit_text(row: dict) -> str:
    # Translators: one awarded credit on a certificate, e.g. "CPE: Ethics, 1.50 hours".
    text = _("{credit_type}: {credit}, {amount}").format(
        credit_type=row["type_name"], credit=row["credit_name"], amount=row["amount_display"]
    )
    if row.get("reference_number"):
        # Translators: the reference number of an awarded credit, e.g. "..., reference number CPE-123".
        text = _("{credit_text}, reference number {reference_number}").format(
            credit_text=text, reference_number=row["reference_number"]
        )
    if row.get("accrediting_body"):
        # Translators: who accredits an awarded credit, e.g. "..., accredited by NASBA".
        text = _("{credit_text}, accredited by {accrediting_body}").format(
            credit_text=text, accrediting_body=row["accrediting_body"]
        )
    return text


def awarded_credits_sentence(rows: list[dict]) -> str:
    """The awarded credits as one plain-text sentence, for a key the stock certificate prints.

    Plain text, never HTML: the stock template escapes the key.
    """
    if not rows:
        return ""
    # Translators: printed on a certificate after the course description; {credits} is a list
    # such as "CPE: Ethics, 1.50 hours, reference number CPE-123; CLE: Law, 2.00 hours".
    return _("Credits awarded: {credits}.").format(credits="; ".join(_credit_text(row) for row in rows))


def _with_sentence(description, sentence: str):
    """The description with the sentence appended once (the step may run twice on a context)."""
    if not sentence:
        return description
    if hasattr(description, "__html__"):
        # Already marked safe by the platform or a theme: keep its markup, escape ours.
        if conditional_escape(sentence) in str(description):
            return description
        return format_html("{} {}", description, sentence)
    description = str(description or "")
    if sentence in description:
        return description
    return f"{description} {sentence}" if description else sentence


class AddAwardedCreditsToCertificate(PipelineStep):
    """CertificateRenderStarted: the credits the certificate's learner was awarded for the course.

    Looked up by the certificate's learner (``accomplishment_user_id``), never the viewer; a
    preview (an unsaved certificate) shows what the course carries now.

    - The stock certificate page: a sentence such as "Credits awarded: CPE: Ethics, 1.50 hours,
      reference number CPE-123, accredited by NASBA." is appended to
      ``accomplishment_copy_course_description``, which the platform's templates print under the
      course name. No template work is needed.
    - A custom (Mako) certificate template can print more:
      ``credits_plugin_awarded_credits``, a list of dicts (type, credit, amount in hundredths,
      ``amount_display`` e.g. "1.50 hours", reference number, accrediting body);
      ``credits_plugin_awarded_credits_html``, the section rendered as a table (marked safe), to
      print as ``${credits_plugin_awarded_credits_html}``; ``credits_plugin_awarded_credits_text``,
      the sentence alone. Where the host includes the templates named in
      ``extra_certificate_templates`` (the demo host does), the section's template is added.
    """

    def run_filter(self, context, custom_template):
        from django.template.loader import render_to_string

        user_id = context.get("accomplishment_user_id")
        course_id = context.get("course_id")
        if not user_id or not course_id:
            return {"context": context, "custom_template": custom_template}
        rows = api.certificate_credits(user_id=user_id, course_id=course_id, preview=_is_preview(context))
        sentence = awarded_credits_sentence(rows)
        context["credits_plugin_awarded_credits"] = rows
        context["credits_plugin_awarded_credits_text"] = sentence
        context["credits_plugin_awarded_credits_html"] = (
            render_to_string(AWARDED_CREDITS_TEMPLATE, {"credits_plugin_awarded_credits": rows})
            if rows
            else ""
        )
        if sentence:
            context[STOCK_DESCRIPTION_KEY] = _with_sentence(context.get(STOCK_DESCRIPTION_KEY), sentence)
        templates = context.get("extra_certificate_templates")
        if rows and isinstance(templates, list) and AWARDED_CREDITS_TEMPLATE not in templates:
            context["extra_certificate_templates"] = [*templates, AWARDED_CREDITS_TEMPLATE]
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
