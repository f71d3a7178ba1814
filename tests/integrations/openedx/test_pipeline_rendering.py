"""The certificate page and the course about page show the awarded credits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lms.djangoapps.certificates.generation import generate_course_certificate
from openedx_events.learning.signals import CERTIFICATE_CHANGED, CERTIFICATE_CREATED, CERTIFICATE_REVOKED

from credits_plugin import api
from tests.awards.conftest import COURSE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def certificate_events():
    for signal in (CERTIFICATE_CHANGED, CERTIFICATE_CREATED, CERTIFICATE_REVOKED):
        signal.enable()


def offer(count, cle):
    credits = [
        api.create_credit(
            type=cle, name=f"Skill {n}", reference_number=f"R-{n}", accrediting_body="State Bar"
        )
        for n in range(count)
    ]
    for n, credit in enumerate(credits, start=1):
        api.set_course_credit(course_id=COURSE, credit=credit, amount=150 * n)
    return credits


def certificate_page(client, certificate):
    return client.get(reverse("certificates:render_cert_by_uuid", args=[certificate.verify_uuid]))


def test_certificate_page_prints_the_awarded_credits(client, course, learner, ethics):
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    certificate = generate_course_certificate(learner, api.parse_course_key(COURSE))

    response = certificate_page(client, certificate)  # viewed by an anonymous visitor

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="awarded-credits"' in html
    assert "Credits awarded" in html
    for text in ("CPE", "Ethics", "1.50 hours", "CPE-123", "NASBA", '<th scope="col">'):
        assert text in html
    assert response.context["credits_plugin_awarded_credits"][0]["amount"] == 150
    assert "1.50 hours" in response.context["credits_plugin_awarded_credits_html"]
    # The stock key too, which the platform's own templates print (see test_pipeline_stock_certificate).
    sentence = "Credits awarded: CPE: Ethics, 1.50 hours, reference number CPE-123, accredited by NASBA."
    assert response.context["accomplishment_copy_course_description"].endswith(sentence)
    assert html.count(sentence) == 1


def test_certificate_shows_what_was_awarded_not_what_the_course_carries_now(client, course, learner, ethics):
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    certificate = generate_course_certificate(learner, api.parse_course_key(COURSE))
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=900)

    html = certificate_page(client, certificate).content.decode()

    assert "1.50 hours" in html and "9.00 hours" not in html


def test_certificate_without_awards_has_no_section(client, course, learner):
    certificate = generate_course_certificate(learner, api.parse_course_key(COURSE))
    html = certificate_page(client, certificate).content.decode()
    assert 'data-testid="awarded-credits"' not in html


def test_staff_preview_shows_the_course_credits(client, course, learner, ethics):
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=250)
    client.force_login(UserFactory(username="staffer", is_staff=True))
    url = reverse("certificates:html_view", kwargs={"user_id": learner.pk, "course_id": COURSE})

    html = client.get(url, {"preview": "verified"}).content.decode()

    assert "2.50 hours" in html


def test_query_count_does_not_grow_with_the_number_of_credits(client, course, cle):
    counts = []
    for number, how_many in ((1, 1), (2, 4)):
        learner = UserFactory(username=f"learner-{number}")
        if number == 1:
            offer(how_many, cle)
        else:
            for n in range(1, how_many):
                credit = api.create_credit(type=cle, name=f"More {n}")
                api.set_course_credit(course_id=COURSE, credit=credit, amount=100)
        certificate = generate_course_certificate(learner, api.parse_course_key(COURSE))
        assert len(api.certificate_credits(user_id=learner.pk, course_id=COURSE)) == how_many
        with CaptureQueriesContext(connection) as queries:
            response = certificate_page(client, certificate)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_about_page_lists_the_credits_offered(client, course, ethics):
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)

    response = client.get(reverse("about_course", kwargs={"course_id": COURSE}))

    html = response.content.decode()
    assert 'data-testid="credits-offered"' in html
    assert "CPE: Ethics, 1.50 hours" in html
    assert response.context["credits_plugin_credits_offered"][0]["amount"] == 150
