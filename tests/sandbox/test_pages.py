"""The demo host's pages: course list, about page, enrolment, dashboard and staff certificate actions."""

from datetime import timedelta

import pytest
from common.djangoapps.student.models import CourseEnrollment
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from lms.djangoapps.certificates.models import GeneratedCertificate
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import CourseEnrollmentStarted

from tests.sandbox.conftest import COURSE_KEY, event_types, make_course

pytestmark = pytest.mark.django_db
ABOUT = reverse("about_course", kwargs={"course_id": str(COURSE_KEY)})
ENROLL = reverse("enroll", kwargs={"course_id": str(COURSE_KEY)})
UNENROLL = reverse("unenroll", kwargs={"course_id": str(COURSE_KEY)})
RAN: list[str] = []


class MarkAbout(PipelineStep):
    def run_filter(self, context, template_name):
        RAN.append("about")
        return {"context": context, "template_name": template_name}


class MarkDashboard(PipelineStep):
    def run_filter(self, context, template_name):
        RAN.append("dashboard")
        return {"context": context, "template_name": template_name}


class RefusePaid(PipelineStep):
    def run_filter(self, user, course_key, mode):
        if mode != "audit":
            raise CourseEnrollmentStarted.PreventEnrollment("Buy it with credits first.")
        return {}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_home_lists_courses_with_modes_and_prices(client, course):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Python for Everyone" in html
    assert "49 USD" in html and "149 USD" in html and "Free" in html
    assert "How to sign in" in html


def test_login_page_and_sign_in(client, learner):
    learner.set_password("alice")
    learner.save()

    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "alice", "password": "alice"})

    assert response.status_code == 302
    assert client.get("/").content.decode().count("Signed in as alice") == 1


def test_about_page_runs_the_course_about_filter(client, course, settings):
    settings.OPEN_EDX_FILTERS_CONFIG = {
        "org.openedx.learning.course_about.render.started.v1": {"pipeline": [f"{__name__}.MarkAbout"]}
    }
    RAN.clear()

    response = client.get(ABOUT)

    assert response.status_code == 200
    assert "Python for Everyone" in response.content.decode()
    assert RAN == ["about"]


def test_unknown_course_is_404(client, db):
    assert client.get("/courses/course-v1:Nope+N1+2026/about/").status_code == 404


def test_enrol_and_unenrol(client, course, learner, events):
    client.force_login(learner)

    response = client.post(ENROLL, {"mode": "verified"})

    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert CourseEnrollment.enrollment_mode_for_user(learner, COURSE_KEY) == ("verified", True)
    assert event_types(events) == ["course.enrollment.changed.v1", "course.enrollment.created.v1"]
    assert "Python for Everyone" in client.get(reverse("dashboard")).content.decode()

    response = client.post(UNENROLL)

    assert not CourseEnrollment.is_enrolled(learner, COURSE_KEY)
    assert "You are no longer enrolled in Python for Everyone." in messages_of(response)


def test_enrol_errors_are_shown(client, learner):
    make_course(enrollment_end=timezone.now() - timedelta(days=1))
    client.force_login(learner)

    response = client.post(ENROLL, {"mode": "audit"}, follow=True)

    assert "Enrolment in this course is closed." in response.content.decode()
    assert not CourseEnrollment.is_enrolled(learner, COURSE_KEY)


def test_filter_refusal_is_shown(client, course, learner, settings):
    settings.OPEN_EDX_FILTERS_CONFIG = {
        "org.openedx.learning.course.enrollment.started.v1": {
            "fail_silently": False,
            "pipeline": [f"{__name__}.RefusePaid"],
        }
    }
    client.force_login(learner)

    response = client.post(ENROLL, {"mode": "verified"}, follow=True)

    assert "Buy it with credits first." in response.content.decode()


def test_unknown_mode_is_refused(client, course, learner):
    client.force_login(learner)

    response = client.post(ENROLL, {"mode": "gold"})

    assert messages_of(response) == ["Choose one of the course's modes."]
    assert not CourseEnrollment.objects.exists()


def test_enrolling_needs_a_signed_in_user_and_post(client, course):
    assert client.post(ENROLL, {"mode": "audit"})["Location"].startswith(reverse("login"))
    assert not CourseEnrollment.objects.exists()


def test_dashboard_runs_the_dashboard_filter(client, learner, settings):
    settings.OPEN_EDX_FILTERS_CONFIG = {
        "org.openedx.learning.dashboard.render.started.v1": {"pipeline": [f"{__name__}.MarkDashboard"]}
    }
    RAN.clear()
    client.force_login(learner)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert RAN == ["dashboard"]
    assert "plugins" in response.context


def test_staff_issue_and_revoke_a_certificate(client, course, learner, staff, events):
    CourseEnrollment.enroll(learner, COURSE_KEY, mode="verified")
    client.force_login(staff)
    assert "Issue certificate to alice" in client.get(ABOUT).content.decode()
    events.clear()

    client.post(reverse("issue_certificate", kwargs={"course_id": str(COURSE_KEY)}), {"user_id": learner.pk})

    certificate = GeneratedCertificate.objects.get(user=learner)
    assert (certificate.status, certificate.mode) == ("downloadable", "verified")
    assert event_types(events) == ["certificate.changed.v1", "certificate.created.v1"]

    client.post(reverse("revoke_certificate", kwargs={"course_id": str(COURSE_KEY)}), {"user_id": learner.pk})

    certificate.refresh_from_db()
    assert certificate.status == "unavailable"
    assert event_types(events)[-1] == "certificate.revoked.v1"


def test_learners_cannot_issue_certificates(client, course, learner):
    client.force_login(learner)

    response = client.post(
        reverse("issue_certificate", kwargs={"course_id": str(COURSE_KEY)}), {"user_id": learner.pk}
    )

    assert response.status_code == 403
    assert not GeneratedCertificate.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/course_overviews/courseoverview/",
        "/admin/course_modes/coursemode/",
        "/admin/student/courseenrollment/",
        "/admin/certificates/generatedcertificate/",
    ],
)
def test_stand_ins_in_the_admin(client, course, learner, url):
    CourseEnrollment.enroll(learner, COURSE_KEY)
    operator = learner.__class__.objects.create_superuser("root", "root@example.com", "root")
    client.force_login(operator)

    assert client.get(url).status_code == 200
