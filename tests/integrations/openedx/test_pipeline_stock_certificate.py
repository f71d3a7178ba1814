"""The stock Open edX certificate page prints the awarded credits, with no template work.

The certificate is rendered from a copy of the platform's own Mako markup (stock_certificate/,
which says where it was copied from) with the context CertificateRenderStarted returns, built
from the keys the platform's webview sets. The stock templates print a fixed set of keys under
``expression_filter="h"``; the plugin adds its sentence to ``accomplishment_copy_course_description``.
"""

import html
import re
from pathlib import Path

import crum
import pytest
from django.test import RequestFactory
from django.utils.safestring import mark_safe
from lms.djangoapps.certificates.generation import generate_course_certificate
from mako.lookup import TemplateLookup
from openedx_events.learning.signals import CERTIFICATE_CHANGED, CERTIFICATE_CREATED, CERTIFICATE_REVOKED
from openedx_filters.learning.filters import CertificateRenderStarted

from credits_plugin import api
from credits_plugin.integrations.openedx.pipeline import awarded_credits_sentence
from tests.awards.conftest import COURSE

pytestmark = pytest.mark.django_db

STOCK_TEMPLATES = TemplateLookup(directories=[str(Path(__file__).parent / "stock_certificate")])
# What the platform's webview puts in the key (``_update_course_context``).
STOCK_DESCRIPTION = "a course of study offered by DemoX, an online learning initiative of Demo University."
ETHICS_TEXT = "Credits awarded: CPE: Ethics, 1.50 hours, reference number CPE-123, accredited by NASBA."


@pytest.fixture(autouse=True)
def certificate_events():
    for signal in (CERTIFICATE_CHANGED, CERTIFICATE_CREATED, CERTIFICATE_REVOKED):
        signal.enable()


@pytest.fixture
def current_request():
    """Set crum's current request, as the platform's middleware does during a page view."""

    def use(**params):
        crum.set_current_request(RequestFactory().get("/certificates/", params))

    yield use
    crum.set_current_request(None)


def stock_context(learner, verify_uuid: str) -> dict:
    """The keys the platform's certificate webview sets that the stock templates print."""
    return {
        "platform_name": "Demo LMS",
        "accomplishment_user_id": learner.pk,
        "username": learner.username,
        "course_id": COURSE,
        "course_mode": "verified",
        "course_number": "Ethics",
        "document_title": "DemoX Ethics Certificate | Demo LMS",
        "accomplishment_copy_name": "Cora Credit",
        "accomplishment_copy_username": learner.username,
        "accomplishment_copy_description_full": "successfully completed, received a passing grade, and was "
        "awarded this Demo LMS Verified Certificate of Completion in ",
        "accomplishment_copy_course_org": "DemoX",
        "accomplishment_copy_course_name": "Ethics for Accountants",
        "accomplishment_copy_course_description": STOCK_DESCRIPTION,
        "accomplishment_copy_more_about": "More about Cora Credit's accomplishment",
        "certificate_id_number_title": "Certificate ID Number",
        "certificate_id_number": verify_uuid,
        "certificate_date_issued_title": "Issued On:",
        "certificate_date_issued": "December 4, 2026",
        "certificate_data": {"course_title": "", "signatories": []},
    }


def render_stock_page(context: dict) -> str:
    filtered, _custom_template = CertificateRenderStarted.run_filter(context=context, custom_template=None)
    return STOCK_TEMPLATES.get_template("valid.html").render(**filtered)


def statement_detail(page: str) -> str:
    """The text of the stock <p> that prints accomplishment_copy_course_description, as HTML."""
    found = re.search(r'<p class="accomplishment-statement-detail copy copy-lead">(.*?)</p>', page, re.S)
    assert found, page
    return found.group(1)


def test_the_stock_page_prints_the_awarded_credits(course, learner, ethics):
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    certificate = generate_course_certificate(learner, api.parse_course_key(COURSE))

    page = render_stock_page(stock_context(learner, certificate.verify_uuid))

    assert statement_detail(page) == f"{STOCK_DESCRIPTION} {ETHICS_TEXT}"
    assert page.count("Credits awarded") == 1


def test_several_credits_are_listed_in_one_sentence(course, learner, ethics, cle):
    law = api.create_credit(type=cle, name="Law", unit_label="hours")
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    api.set_course_credit(course_id=COURSE, credit=law, amount=1_025)
    certificate = generate_course_certificate(learner, api.parse_course_key(COURSE))

    detail = statement_detail(render_stock_page(stock_context(learner, certificate.verify_uuid)))

    assert detail == (
        f"{STOCK_DESCRIPTION} Credits awarded: CLE: Law, 10.25 hours; "
        "CPE: Ethics, 1.50 hours, reference number CPE-123, accredited by NASBA."
    )


def test_names_are_printed_escaped_as_plain_text(course, learner, cle):
    credit = api.create_credit(type=cle, name="Law & <Ethics>", unit_label="hours", accrediting_body='"Bar"')
    api.set_course_credit(course_id=COURSE, credit=credit, amount=200)
    certificate = generate_course_certificate(learner, api.parse_course_key(COURSE))

    detail = statement_detail(render_stock_page(stock_context(learner, certificate.verify_uuid)))

    assert "Law &amp; &lt;Ethics&gt;, 2.00 hours, accredited by &#34;Bar&#34;." in detail
    assert "<Ethics>" not in detail and "&amp;amp;" not in detail
    assert html.unescape(detail).endswith(
        'Credits awarded: CLE: Law & <Ethics>, 2.00 hours, accredited by "Bar".'
    )


def test_running_the_step_twice_adds_the_sentence_once(course, learner, ethics, settings):
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    certificate = generate_course_certificate(learner, api.parse_course_key(COURSE))
    step = "credits_plugin.integrations.openedx.pipeline.AddAwardedCreditsToCertificate"
    settings.OPEN_EDX_FILTERS_CONFIG = {
        "org.openedx.learning.certificate.render.started.v1": {
            "fail_silently": False,
            "pipeline": [step, step],
        }
    }
    context = stock_context(learner, certificate.verify_uuid)

    once, _ = CertificateRenderStarted.run_filter(context=context, custom_template=None)
    again, _ = CertificateRenderStarted.run_filter(context=once, custom_template=None)

    assert again["accomplishment_copy_course_description"] == f"{STOCK_DESCRIPTION} {ETHICS_TEXT}"


def test_a_description_marked_safe_keeps_its_markup_and_ours_is_escaped(course, learner, cle):
    credit = api.create_credit(type=cle, name="<b>Law</b>", unit_label="hours")
    api.set_course_credit(course_id=COURSE, credit=credit, amount=100)
    certificate = generate_course_certificate(learner, api.parse_course_key(COURSE))
    context = stock_context(learner, certificate.verify_uuid)
    context["accomplishment_copy_course_description"] = mark_safe("a course of <em>DemoX</em>.")

    detail = statement_detail(render_stock_page(context))

    assert detail == "a course of <em>DemoX</em>. Credits awarded: CLE: &lt;b&gt;Law&lt;/b&gt;, 1.00 hours."


def test_no_credits_leaves_the_description_as_the_platform_wrote_it(course, learner):
    certificate = generate_course_certificate(learner, api.parse_course_key(COURSE))

    page = render_stock_page(stock_context(learner, certificate.verify_uuid))

    assert statement_detail(page) == STOCK_DESCRIPTION


def test_a_preview_shows_the_course_credit_value(course, learner, ethics, current_request):
    """``?preview=<mode>``: an unsaved certificate with a fresh verify UUID, for any viewer the
    platform lets preview (course staff too, not only global staff)."""
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=250)
    current_request(preview="verified")

    page = render_stock_page(stock_context(learner, "0123456789abcdef0123456789abcdef"))

    assert statement_detail(page).endswith(
        "Credits awarded: CPE: Ethics, 2.50 hours, reference number CPE-123, accredited by NASBA."
    )


def test_a_preview_parameter_on_a_saved_certificate_shows_what_was_awarded(
    course, learner, ethics, current_request
):
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=150)
    certificate = generate_course_certificate(learner, api.parse_course_key(COURSE))
    api.set_course_credit(course_id=COURSE, credit=ethics, amount=900)
    current_request(preview="verified")

    detail = statement_detail(render_stock_page(stock_context(learner, certificate.verify_uuid)))

    assert "1.50 hours" in detail and "9.00 hours" not in detail


def test_the_sentence_is_plain_text():
    rows = [
        {"type_name": "CPE", "credit_name": "A&B", "amount_display": "1.00 hours", "reference_number": ""}
    ]
    sentence = awarded_credits_sentence(rows)
    assert sentence == "Credits awarded: CPE: A&B, 1.00 hours."
    assert type(sentence) is str and not hasattr(sentence, "__html__")
    assert awarded_credits_sentence([]) == ""
