"""Stand-in for ``lms/djangoapps/certificates/views/webview.py``: the HTML certificate.

The context carries the platform's keys (OPENEDX_HOOKS.md, section 4). CertificateRenderStarted
runs after the whole context is built; its three exceptions are handled as the platform does.
The demo template prints the stock keys and then includes every template named in the context
key ``extra_certificate_templates`` (a list), which is how a pipeline step adds a section.
"""

from __future__ import annotations

import logging
from uuid import uuid4

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview
from openedx_filters.learning.filters import CertificateRenderStarted

from lms.djangoapps.certificates.data import CertificateStatuses
from lms.djangoapps.certificates.models import GeneratedCertificate

log = logging.getLogger(__name__)

VALID_CERTIFICATE_TEMPLATE_PATH = "certificates/valid.html"
INVALID_CERTIFICATE_TEMPLATE_PATH = "certificates/invalid.html"


def _platform_name() -> str:
    return getattr(settings, "PLATFORM_NAME", "Demo LMS")


def _render_invalid_certificate(
    request: HttpRequest,
    course_id: str,
    platform_name: str,
    cert_path: str = INVALID_CERTIFICATE_TEMPLATE_PATH,
) -> HttpResponse:
    context = {
        "platform_name": platform_name,
        "course_id": course_id,
        "document_title": _("Invalid Certificate | {platform_name}").format(platform_name=platform_name),
    }
    return render(request, cert_path, context, status=404)


def _render_valid_certificate(request: HttpRequest, context: dict, custom_template=None) -> HttpResponse:
    if custom_template is not None:
        # The platform renders custom_template.template as Mako; the demo renders it with Django.
        template = Template(custom_template.template)
        return HttpResponse(template.render(Context(context)))
    return render(request, VALID_CERTIFICATE_TEMPLATE_PATH, context)


def _preview_certificate(user, course_key: CourseKey, preview_mode: str) -> GeneratedCertificate:
    """An unsaved certificate, as the platform builds one for ``?preview=<mode>``."""
    now = timezone.now()
    return GeneratedCertificate(
        user=user,
        course_id=course_key,
        mode=preview_mode,
        verify_uuid=uuid4().hex,
        status=CertificateStatuses.downloadable,
        name=user.get_full_name() or user.username,
        created_date=now,
        modified_date=now,
    )


def _certificate_context(
    user, course: CourseOverview, certificate: GeneratedCertificate, platform_name: str
) -> dict:
    course_name = course.display_name_with_default
    issued = certificate.modified_date or timezone.now()
    learner_name = certificate.name or user.get_full_name() or user.username
    return {
        "platform_name": platform_name,
        "accomplishment_user_id": user.id,
        "username": user.username,
        "course_id": str(course.id),
        "course_mode": certificate.mode,
        "certificate_id_number": certificate.verify_uuid,
        "certificate_date_issued": date_format(issued, "DATE_FORMAT"),
        "accomplishment_copy_name": learner_name,
        "accomplishment_copy_username": user.username,
        "accomplishment_copy_course_org": course.display_org_with_default,
        "accomplishment_copy_course_name": course_name,
        "accomplishment_copy_course_description": course.short_description or "",
        "accomplishment_copy_description_full": _(
            "successfully completed, received a passing grade, and was awarded this {platform_name} "
            "{certificate_type} Certificate of Completion in "
        ).format(platform_name=platform_name, certificate_type=certificate.mode.title()),
        "accomplishment_copy_about": _("About {platform_name} Certificates").format(
            platform_name=platform_name
        ),
        "document_title": _("{partner_short_name} {course_number} Certificate | {platform_name}").format(
            partner_short_name=course.display_org_with_default,
            course_number=course.display_number_with_default,
            platform_name=platform_name,
        ),
        "certificate_data": {"course_title": course_name, "signatories": []},
        "extra_certificate_templates": [],
    }


def render_html_view(
    request: HttpRequest, course_id: str, user_id: int | str | None = None, certificate=None
) -> HttpResponse:
    """The certificate of ``user_id`` (default: the signed-in user) in ``course_id``.

    Staff may add ``?preview=<mode>`` to see an unsaved certificate in that mode.
    """
    platform_name = _platform_name()
    preview_mode = request.GET.get("preview")
    try:
        course_key = CourseKey.from_string(str(course_id))
        course = CourseOverview.get_from_id(course_key)
    except (InvalidKeyError, CourseOverview.DoesNotExist):
        log.info("Invalid certificate view request for course %s", course_id)
        return _render_invalid_certificate(request, str(course_id), platform_name)

    if certificate is not None:
        user = certificate.user
    elif user_id is not None:
        user = get_user_model().objects.filter(pk=user_id).first() if str(user_id).isdigit() else None
    else:
        user = request.user if request.user.is_authenticated else None
    if user is None:
        return _render_invalid_certificate(request, str(course_id), platform_name)

    if preview_mode and request.user.is_authenticated and request.user.is_staff:
        certificate = _preview_certificate(user, course_key, preview_mode)
    elif certificate is None:
        certificate = GeneratedCertificate.eligible_certificates.filter(
            user=user, course_id=course_key, status=CertificateStatuses.downloadable
        ).first()
    if certificate is None or not certificate.is_valid():
        return _render_invalid_certificate(request, str(course_id), platform_name)

    context = _certificate_context(user, course, certificate, platform_name)
    try:
        context, custom_template = CertificateRenderStarted.run_filter(context=context, custom_template=None)
    except CertificateRenderStarted.RenderAlternativeInvalidCertificate as exc:
        return _render_invalid_certificate(
            request,
            str(course_id),
            platform_name,
            cert_path=exc.template_name or INVALID_CERTIFICATE_TEMPLATE_PATH,
        )
    except CertificateRenderStarted.RedirectToPage as exc:
        return HttpResponseRedirect(exc.redirect_to or reverse("dashboard"))
    except CertificateRenderStarted.RenderCustomResponse as exc:
        return exc.response
    return _render_valid_certificate(request, context, custom_template)


def render_cert_by_uuid(request: HttpRequest, certificate_uuid: str) -> HttpResponse:
    """The public certificate page, by the certificate's verify UUID."""
    certificate = GeneratedCertificate.eligible_available_certificates.filter(
        verify_uuid=certificate_uuid, status=CertificateStatuses.downloadable
    ).first()
    if certificate is None:
        return _render_invalid_certificate(request, "", _platform_name())
    return render_html_view(request, str(certificate.course_id), certificate=certificate)
