"""GeneratedCertificate stand-in: certificate events, generation and the HTML certificate view."""

from datetime import UTC

import pytest
from django.http import HttpResponse
from django.urls import reverse
from lms.djangoapps.certificates.data import CertificateStatuses
from lms.djangoapps.certificates.generation import (
    CertificateGenerationNotAllowed,
    generate_course_certificate,
)
from lms.djangoapps.certificates.models import GeneratedCertificate
from openedx_events.learning.data import CertificateData
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import CertificateCreationRequested, CertificateRenderStarted

from tests.sandbox.conftest import COURSE_KEY, event_types

pytestmark = pytest.mark.django_db

CREATION_REQUESTED = "org.openedx.learning.certificate.creation.requested.v1"
RENDER_STARTED = "org.openedx.learning.certificate.render.started.v1"
RENDERED: list[dict] = []


class AddCreditsLine(PipelineStep):
    """Adds a line to a key the stock template prints, and a template of its own."""

    def run_filter(self, context, custom_template):
        RENDERED.append(dict(context))
        context["accomplishment_copy_course_description"] += " 3.0 CPE credits."
        context["extra_certificate_templates"] = [
            *context["extra_certificate_templates"],
            "sandbox_tests/extra_section.html",
        ]
        return {"context": context, "custom_template": custom_template}


class CustomResponse(PipelineStep):
    def run_filter(self, context, custom_template):
        raise CertificateRenderStarted.RenderCustomResponse("custom", response=HttpResponse("my own page"))


class Redirect(PipelineStep):
    def run_filter(self, context, custom_template):
        raise CertificateRenderStarted.RedirectToPage("go away", redirect_to="")


class AlternativeInvalid(PipelineStep):
    def run_filter(self, context, custom_template):
        raise CertificateRenderStarted.RenderAlternativeInvalidCertificate("nope")


class RefuseCertificate(PipelineStep):
    def run_filter(self, user, course_key, mode, status, grade, generation_mode):
        raise CertificateCreationRequested.PreventCertificateCreation("Not for you.")


@pytest.fixture
def pipeline(settings):
    def configure(filter_type, step):
        RENDERED.clear()
        settings.OPEN_EDX_FILTERS_CONFIG = {
            filter_type: {"fail_silently": False, "pipeline": [f"{__name__}.{step.__name__}"]}
        }

    return configure


@pytest.fixture
def test_templates(settings):
    """Adds tests/sandbox/templates to the template directories."""
    from pathlib import Path

    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates


def issue(user, mode="verified"):
    return generate_course_certificate(user, COURSE_KEY, enrollment_mode=mode, course_grade="0.92")


def test_passing_certificate_sends_changed_then_created(course, learner, events):
    certificate = issue(learner)

    assert event_types(events) == ["certificate.changed.v1", "certificate.created.v1"]
    for event in events:
        data = event.payload
        assert isinstance(data, CertificateData)
        assert data.user.id == learner.id
        assert data.user.pii.username == "alice"
        assert data.course.course_key == COURSE_KEY
        assert data.course.display_name == ""  # the platform only fills the key
        assert (data.mode, data.grade, data.current_status, data.previous_status) == (
            "verified",
            "0.92",
            "downloadable",
            "",
        )
        assert data.name == "Alice Archer"
        assert event.kwargs["metadata"].time == certificate.modified_date.astimezone(UTC)
    assert len(certificate.verify_uuid) == 32


def test_not_passing_save_sends_only_changed(course, learner, events):
    GeneratedCertificate.objects.create(
        user=learner, course_id=COURSE_KEY, status=CertificateStatuses.notpassing
    )

    assert event_types(events) == ["certificate.changed.v1"]


def test_resaving_a_passing_certificate_sends_created_again(course, learner, events):
    certificate = issue(learner)
    events.clear()

    certificate.save()

    assert event_types(events) == ["certificate.changed.v1", "certificate.created.v1"]


def test_invalidate_sends_changed_then_revoked(course, learner, events):
    certificate = issue(learner)
    events.clear()

    certificate.invalidate()

    assert event_types(events) == ["certificate.changed.v1", "certificate.revoked.v1"]
    assert [event.payload.current_status for event in events] == ["unavailable", "unavailable"]
    assert events[1].payload.previous_status == ""
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatuses.unavailable


def test_regeneration_keeps_the_verify_uuid(course, learner):
    first = issue(learner)
    first.invalidate()

    again = issue(learner)

    assert again.pk == first.pk
    assert again.verify_uuid == first.verify_uuid
    assert again.status == CertificateStatuses.downloadable


def test_creation_requested_filter_can_refuse(course, learner, events, pipeline):
    pipeline(CREATION_REQUESTED, RefuseCertificate)

    with pytest.raises(CertificateGenerationNotAllowed, match="Not for you"):
        issue(learner)

    assert not GeneratedCertificate.objects.exists()
    assert events == []


class TestWebView:
    def test_renders_the_certificate_and_runs_the_render_filter(
        self, client, course, learner, pipeline, test_templates
    ):
        pipeline(RENDER_STARTED, AddCreditsLine)
        certificate = issue(learner)

        response = client.get(reverse("certificates:render_cert_by_uuid", args=[certificate.verify_uuid]))

        assert response.status_code == 200
        html = response.content.decode()
        assert "Alice Archer" in html
        assert "Python for Everyone" in html
        assert certificate.verify_uuid in html
        assert "Write your first programs. 3.0 CPE credits." in html
        assert "Extra section for alice" in html
        (context,) = RENDERED
        assert context["accomplishment_user_id"] == learner.id
        assert context["username"] == "alice"
        assert context["course_id"] == str(COURSE_KEY)
        assert context["accomplishment_copy_course_name"] == "Python for Everyone"
        assert context["certificate_id_number"] == certificate.verify_uuid
        assert context["course_mode"] == "verified"
        assert context["platform_name"] == "Demo LMS"
        assert context["certificate_date_issued"]
        assert context["document_title"] == "DemoX Py101 Certificate | Demo LMS"

    def test_by_user_and_course(self, client, course, learner):
        issue(learner)
        url = reverse("certificates:html_view", kwargs={"user_id": learner.id, "course_id": str(COURSE_KEY)})

        response = client.get(url)

        assert response.status_code == 200
        assert "Certificate of Completion" in response.content.decode()

    def test_custom_response(self, client, course, learner, pipeline):
        pipeline(RENDER_STARTED, CustomResponse)

        response = client.get(reverse("certificates:render_cert_by_uuid", args=[issue(learner).verify_uuid]))

        assert response.content == b"my own page"

    def test_redirect(self, client, course, learner, pipeline):
        pipeline(RENDER_STARTED, Redirect)

        response = client.get(reverse("certificates:render_cert_by_uuid", args=[issue(learner).verify_uuid]))

        assert response.status_code == 302
        assert response["Location"] == reverse("dashboard")

    def test_alternative_invalid(self, client, course, learner, pipeline):
        pipeline(RENDER_STARTED, AlternativeInvalid)

        response = client.get(reverse("certificates:render_cert_by_uuid", args=[issue(learner).verify_uuid]))

        assert response.status_code == 404
        assert "Cannot find certificate" in response.content.decode()

    def test_revoked_certificate_is_not_shown(self, client, course, learner):
        certificate = issue(learner)
        certificate.invalidate()

        response = client.get(reverse("certificates:render_cert_by_uuid", args=[certificate.verify_uuid]))

        assert response.status_code == 404
        assert "Alice Archer" not in response.content.decode()

    def test_staff_preview(self, client, course, staff):
        client.force_login(staff)
        url = reverse("certificates:html_view", kwargs={"user_id": staff.id, "course_id": str(COURSE_KEY)})

        assert client.get(url).status_code == 404
        response = client.get(url, {"preview": "verified"})

        assert response.status_code == 200
        assert not GeneratedCertificate.objects.exists()
