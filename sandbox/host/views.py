"""Pages of the demo host: a course list, course about pages, enrolment, the learner dashboard and
staff actions on certificates. They call the LMS stand-ins the way the platform's views do, so the
plugin's filter steps and event receivers run as they would in the LMS."""

from __future__ import annotations

from common.djangoapps.course_modes.models import CourseMode, Mode
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
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from edx_django_utils.plugins import get_plugins_view_context
from lms.djangoapps.certificates.data import CertificateStatuses
from lms.djangoapps.certificates.generation import (
    CertificateGenerationNotAllowed,
    generate_course_certificate,
)
from lms.djangoapps.certificates.models import GeneratedCertificate
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview
from openedx_filters.learning.filters import CourseAboutRenderStarted, DashboardRenderStarted

from host.demo_accounts import DEMO_ACCOUNTS

LMS = "lms.djangoapp"


def price_label(mode: Mode) -> str:
    """A mode's price as people read it: "Free" or "49 USD"."""
    if not mode.min_price:
        return _("Free")
    return _("{amount} {currency}").format(amount=mode.min_price, currency=(mode.currency or "usd").upper())


def _modes(course: CourseOverview) -> list[dict]:
    return [
        {"slug": mode.slug, "name": mode.name, "price": price_label(mode), "free": not mode.min_price}
        for mode in CourseMode.modes_for_course(course.id)
    ]


def _course_or_404(course_id: str) -> CourseOverview:
    try:
        return CourseOverview.get_from_id(CourseKey.from_string(course_id))
    except (InvalidKeyError, CourseOverview.DoesNotExist):
        raise Http404(_("There is no course with this ID.")) from None


def _certificate_url(certificate: GeneratedCertificate | None) -> str:
    if certificate is None or not certificate.is_valid():
        return ""
    return reverse("certificates:render_cert_by_uuid", kwargs={"certificate_uuid": certificate.verify_uuid})


def home(request: HttpRequest) -> HttpResponse:
    """Every course with its modes and prices, the visitor's enrolments and the demo accounts."""
    courses = list(CourseOverview.objects.order_by("org", "display_name"))
    enrollments: dict = {}
    if request.user.is_authenticated:
        enrollments = {
            e.course_id: e for e in CourseEnrollment.objects.filter(user=request.user, is_active=True)
        }
    rows = [
        {"course": course, "modes": _modes(course), "enrollment": enrollments.get(course.id)}
        for course in courses
    ]
    context = {
        "courses": rows,
        "enrollments": [row for row in rows if row["enrollment"] is not None],
        "demo_accounts": DEMO_ACCOUNTS,
    }
    return render(request, "host/home.html", context)


def course_about(request: HttpRequest, course_id: str) -> HttpResponse:
    """The course about page; runs CourseAboutRenderStarted like the platform's ``course_about``."""
    course = _course_or_404(course_id)
    user = request.user
    enrollment = CourseEnrollment.get_enrollment(user, course.id) if user.is_authenticated else None
    registered = bool(enrollment and enrollment.is_active)
    certificate = (
        GeneratedCertificate.certificate_for_student(user, course.id) if user.is_authenticated else None
    )
    learners = []
    if user.is_authenticated and user.is_staff:
        certificates = {c.user_id: c for c in GeneratedCertificate.objects.filter(course_id=course.id)}
        for learner_enrollment in CourseEnrollment.objects.users_enrolled_in(course.id).order_by(
            "user__username"
        ):
            learner_certificate = certificates.get(learner_enrollment.user_id)
            learners.append(
                {
                    "user": learner_enrollment.user,
                    "mode": learner_enrollment.mode,
                    "certificate": learner_certificate,
                    "certificate_url": _certificate_url(learner_certificate),
                }
            )
    context = {
        "course": course,
        "course_id": str(course.id),
        "modes": _modes(course),
        "enrollment": enrollment,
        "registered": registered,
        "can_enroll": not CourseEnrollment.is_enrollment_closed(user, course),
        "is_course_full": CourseEnrollment.objects.is_course_full(course),
        "certificate_url": _certificate_url(certificate),
        "learners": learners,
        "extra_course_about_templates": [],
    }
    template_name = "host/course_about.html"
    try:
        context, template_name = CourseAboutRenderStarted.run_filter(
            context=context, template_name=template_name
        )
    except CourseAboutRenderStarted.RenderInvalidCourseAbout as exc:
        return render(request, exc.course_about_template, exc.template_context)
    except CourseAboutRenderStarted.RedirectToPage as exc:
        return HttpResponseRedirect(exc.redirect_to or reverse("dashboard"))
    except CourseAboutRenderStarted.RenderCustomResponse as exc:
        return exc.response or render(request, template_name, context)
    return render(request, template_name, context)


def _enrollment_error(exc: CourseEnrollmentException) -> str:
    """What to tell the learner when CourseEnrollment.enroll refused."""
    if isinstance(exc, EnrollmentNotAllowed) and str(exc):
        return str(exc)  # the message of the pipeline step that stopped it
    if isinstance(exc, NonExistentCourseError):
        return _("There is no course with this ID.")
    if isinstance(exc, EnrollmentClosedError):
        return _("Enrolment in this course is closed.")
    if isinstance(exc, CourseFullError):
        return _("This course is full.")
    if isinstance(exc, AlreadyEnrolledError):
        return _("You are already enrolled in this course.")
    return _("You could not be enrolled in this course.")


@login_required
@require_POST
def enroll(request: HttpRequest, course_id: str) -> HttpResponse:
    """Enrol the signed-in learner in the chosen mode, with the platform's access checks."""
    course = _course_or_404(course_id)
    about = reverse("about_course", kwargs={"course_id": str(course.id)})
    mode = request.POST.get("mode") or None
    if mode is not None and mode not in {m.slug for m in CourseMode.modes_for_course(course.id)}:
        messages.error(request, _("Choose one of the course's modes."))
        return redirect(about)
    try:
        enrollment = CourseEnrollment.enroll(request.user, course.id, mode=mode, check_access=True)
    except CourseEnrollmentException as exc:
        messages.error(request, _enrollment_error(exc))
        return redirect(about)
    messages.success(
        request,
        _("You are enrolled in {course} ({mode}).").format(course=course.display_name, mode=enrollment.mode),
    )
    return redirect("dashboard")


@login_required
@require_POST
def unenroll(request: HttpRequest, course_id: str) -> HttpResponse:
    """Unenrol the signed-in learner."""
    course = _course_or_404(course_id)
    if not CourseEnrollment.is_enrolled(request.user, course.id):
        messages.error(request, _("You are not enrolled in this course."))
        return redirect("dashboard")
    try:
        CourseEnrollment.unenroll(request.user, course.id)
    except UnenrollmentNotAllowed as exc:
        messages.error(request, str(exc) or _("You cannot unenrol from this course."))
        return redirect("dashboard")
    messages.success(request, _("You are no longer enrolled in {course}.").format(course=course.display_name))
    return redirect("dashboard")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The learner dashboard; merges plugin view contexts and runs DashboardRenderStarted."""
    enrollments = list(
        CourseEnrollment.objects.filter(user=request.user, is_active=True)
        .select_related("course")
        .order_by("created")
    )
    certificates = {c.course_id: c for c in GeneratedCertificate.objects.filter(user=request.user)}
    rows = []
    for enrollment in enrollments:
        certificate = certificates.get(enrollment.course_id)
        rows.append(
            {
                "enrollment": enrollment,
                "course": enrollment.course,
                "certificate": certificate,
                "certificate_url": _certificate_url(certificate),
            }
        )
    context: dict = {"user": request.user, "course_enrollments": rows, "extra_dashboard_templates": []}
    context["plugins"] = get_plugins_view_context(LMS, "course_dashboard", context)
    template_name = "host/dashboard.html"
    try:
        context, template_name = DashboardRenderStarted.run_filter(
            context=context, template_name=template_name
        )
    except DashboardRenderStarted.RenderInvalidDashboard as exc:
        return render(request, exc.dashboard_template, exc.template_context)
    except DashboardRenderStarted.RedirectToPage as exc:
        return HttpResponseRedirect(exc.redirect_to or reverse("home"))
    except DashboardRenderStarted.RenderCustomResponse as exc:
        return exc.response or render(request, template_name, context)
    return render(request, template_name, context)


def _staff_target(request: HttpRequest, course_id: str):
    course = _course_or_404(course_id)
    learner = get_user_model().objects.filter(pk=request.POST.get("user_id") or 0).first()
    if learner is None:
        raise Http404(_("There is no such learner."))
    return course, learner


@login_required
@require_POST
def issue_certificate(request: HttpRequest, course_id: str) -> HttpResponse:
    """Staff: issue (or re-issue) a passing certificate to a learner, as the platform's task does."""
    if not request.user.is_staff:
        return HttpResponseForbidden(_("Only staff can issue certificates."))
    course, learner = _staff_target(request, course_id)
    mode, __ = CourseEnrollment.enrollment_mode_for_user(learner, course.id)
    try:
        generate_course_certificate(
            learner,
            course.id,
            status=CertificateStatuses.downloadable,
            enrollment_mode=mode or CourseMode.DEFAULT_MODE_SLUG,
            course_grade=request.POST.get("grade") or "0.9",
            generation_mode="self",
        )
    except CertificateGenerationNotAllowed as exc:
        messages.error(request, str(exc) or _("The certificate could not be issued."))
    else:
        messages.success(request, _("Certificate issued to {username}.").format(username=learner.username))
    return redirect("about_course", course_id=str(course.id))


@login_required
@require_POST
def revoke_certificate(request: HttpRequest, course_id: str) -> HttpResponse:
    """Staff: revoke a learner's certificate (GeneratedCertificate.invalidate)."""
    if not request.user.is_staff:
        return HttpResponseForbidden(_("Only staff can revoke certificates."))
    course, learner = _staff_target(request, course_id)
    certificate = GeneratedCertificate.certificate_for_student(learner, course.id)
    if certificate is None or not certificate.is_valid():
        messages.error(
            request, _("{username} has no certificate to revoke.").format(username=learner.username)
        )
    else:
        certificate.invalidate(source="demo_host")
        messages.success(request, _("Certificate of {username} revoked.").format(username=learner.username))
    return redirect("about_course", course_id=str(course.id))
