"""Learner and authoring pages, backfill_awards and seed_demo's awarded credits."""

from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from lms.djangoapps.certificates.models import GeneratedCertificate
from openedx_events.learning.signals import CERTIFICATE_CHANGED, CERTIFICATE_CREATED

from credits_plugin import api
from credits_plugin.awards.models import AwardedCredit, CourseCredit, LearnerLicence
from tests.awards.conftest import COURSE
from tests.factories import UserFactory, operator

pytestmark = pytest.mark.django_db
AUTHORING = f"/credits/courses/{quote(COURSE)}/credits/"


class TestMyAwards:
    def test_sign_in_required(self, client):
        response = client.get(reverse("credits_plugin:my-awards"))
        assert response.status_code == 302

    def test_table_totals_and_csv(self, client, course, learner, ethics):
        api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
        api.award_for_certificate(user=learner, course_id=COURSE)
        client.force_login(learner)

        html = client.get(reverse("credits_plugin:my-awards")).content.decode()
        csv = client.get(reverse("credits_plugin:my-awards-transcript"))

        assert "My awarded credits" in html
        assert 'data-testid="award-totals"' in html and 'data-testid="award-courses"' in html
        assert "1.50 hours" in html and COURSE in html and "CPE-123" in html
        assert api.learner_summary(user=learner)["courses"][0]["course_name"] in html
        assert '<th scope="col">' in html and '<label for="id_licence_number">' in html
        assert csv["Content-Type"].startswith("text/csv")
        assert "Ethics,1.50,hours" in csv.content.decode()

    def test_licence_form(self, client, learner):
        client.force_login(learner)
        url = reverse("credits_plugin:my-awards")

        saved = client.post(url, {"accrediting_body": "NASBA", "licence_number": "L-77"})
        bad = client.post(url, {"accrediting_body": "", "licence_number": "L-78"})

        assert saved.status_code == 302
        assert bad.status_code == 400
        assert list(LearnerLicence.objects.values_list("accrediting_body", "licence_number")) == [
            ("NASBA", "L-77")
        ]
        assert "NASBA: L-77" in client.get(url).content.decode()


class TestAuthoring:
    def test_course_staff_add_change_remove(self, client, course, ethics):
        author = UserFactory(username="author")
        author.groups.add(Group.objects.create(name=f"course_staff:{COURSE}"))
        client.force_login(author)

        added = client.post(AUTHORING, {"credit": ethics.pk, "amount": "1.5"})
        assert added.status_code == 302
        assert list(CourseCredit.objects.values_list("amount", flat=True)) == [150]
        assert "1.50 hours" in client.get(AUTHORING).content.decode()

        client.post(AUTHORING, {"remove": ethics.pk})
        assert not CourseCredit.objects.exists()

    @pytest.mark.parametrize("amount", ["-1", "0", "1.555", "abc"])
    def test_bad_amounts(self, client, course, ethics, amount):
        client.force_login(UserFactory(username="root", is_staff=True))
        response = client.post(AUTHORING, {"credit": ethics.pk, "amount": amount})
        assert response.status_code == 400
        assert not CourseCredit.objects.exists()

    def test_rule_violation_is_shown(self, client, course, cpe, ethics):
        tax = api.create_credit(type=cpe, name="Tax", reference_number="T-1")
        api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
        client.force_login(UserFactory(username="root", is_staff=True))

        response = client.post(AUTHORING, {"credit": tax.pk, "amount": "2"})

        assert response.status_code == 409
        assert "already carries a credit of this type" in response.content.decode()
        assert CourseCredit.objects.count() == 1

    def test_learner_is_refused_and_bad_keys(self, client, course, learner):
        client.force_login(learner)
        assert client.get(AUTHORING).status_code == 403
        assert client.get("/credits/courses/not-a-key/credits/").status_code == 400
        assert client.get(f"/credits/courses/{quote('course-v1:No+Such+1')}/credits/").status_code == 404


def test_backfill_awards_certificates_issued_before_the_credits(course, learner, ethics, capsys):
    CERTIFICATE_CREATED.disable()
    CERTIFICATE_CHANGED.disable()
    try:
        certificate = GeneratedCertificate.objects.create(
            user=learner, course_id=api.parse_course_key(COURSE), status="downloadable", verify_uuid="v1"
        )
        GeneratedCertificate.objects.create(
            user=UserFactory(), course_id=api.parse_course_key(COURSE), status="notpassing"
        )
    finally:
        CERTIFICATE_CREATED.enable()
        CERTIFICATE_CHANGED.enable()
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)

    call_command("backfill_awards", "--dry-run")
    assert not AwardedCredit.objects.exists()
    call_command("backfill_awards", "--course", COURSE)
    call_command("backfill_awards")

    award = AwardedCredit.objects.get()
    assert (award.user, award.certificate_id, award.issued_at) == (learner, "v1", certificate.created_date)
    assert "1 credit(s) awarded" in capsys.readouterr().out


def test_seed_demo_awards_credits_to_the_demo_learner():
    call_command("seed_demo")
    call_command("seed_demo")

    alice = api.find_user("alice")
    awards = list(api.awards(user=alice))
    assert [(a.course_id, a.credit_name, a.amount) for a in awards] == [
        ("course-v1:DemoX+Py101+2026", "Information Technology", 150)
    ]
    assert CourseCredit.objects.count() == 4


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF made by ReportLab: its content streams, inflated."""
    import base64
    import re
    import zlib

    assert data.startswith(b"%PDF-")
    chunks = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\n?endstream", data, flags=re.S):
        if raw.rstrip().endswith(b"~>"):  # ReportLab's default: ASCII85, then Flate
            raw = base64.a85decode(raw.strip()[:-2])
        try:
            chunks.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            chunks.append(raw.decode("latin-1"))
    return " ".join(re.findall(r"\((.*?)\) Tj", "\n".join(chunks)))


class TestPdfTranscript:
    def test_learner_downloads_the_pdf(self, client, course, learner, ethics):
        api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
        api.award_for_certificate(user=learner, course_id=COURSE)
        api.set_licence(user=learner, accrediting_body="NASBA", licence_number="L-77")
        client.force_login(learner)

        page = client.get(reverse("credits_plugin:my-awards")).content.decode()
        response = client.get(reverse("credits_plugin:my-awards-transcript-pdf"))

        assert reverse("credits_plugin:my-awards-transcript-pdf") in page
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "awarded-credits.pdf" in response["Content-Disposition"]
        text = pdf_text(response.content)
        name = api.learner_summary(user=learner)["courses"][0]["course_name"]
        assert name != COURSE  # the course's display name, not only its key
        for expected in (
            "Transcript of awarded credits",
            name,
            "Ethics",
            "1.50 hours",
            "CPE-123",
            "NASBA",
            "L-77",
        ):
            assert expected in text, expected

    def test_no_awards_yet(self, client, learner):
        client.force_login(learner)
        text = pdf_text(client.get(reverse("credits_plugin:my-awards-transcript-pdf")).content)
        assert "No credits have been awarded yet." in text

    def test_rest_pdf_is_own_or_staff_only(self, client, course, learner, ethics):
        from rest_framework.test import APIClient

        api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
        api.award_for_certificate(user=learner, course_id=COURSE)
        own, snoop, staff = APIClient(), APIClient(), APIClient()
        own.force_authenticate(learner)
        snoop.force_authenticate(UserFactory(username="snoop"))
        staff.force_authenticate(operator("boss", "credits_plugin.view_awardedcredit"))
        url = "/api/credits_plugin/v1/awards/transcript.pdf"

        mine = own.get(url)
        assert mine.status_code == 200 and "Ethics" in pdf_text(mine.content)
        assert snoop.get(f"{url}?username={learner.username}").status_code == 403
        assert "Ethics" in pdf_text(staff.get(f"{url}?username={learner.username}").content)


def test_course_name_falls_back_to_the_key(course):
    from credits_plugin.courses import course_name

    assert course_name(COURSE) == "Ethics for Accountants"
    assert course_name("course-v1:Gone+X1+2020") == "course-v1:Gone+X1+2020"
    assert course_name("not a key") == "not a key"
