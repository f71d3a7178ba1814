"""Browser tests of awarded credits: the printed certificate and the learner's page."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]


def test_certificate_prints_the_awarded_credits(page: Page, login_as, artifacts_dir):
    login_as("alice")
    page.goto("/dashboard/")
    page.get_by_role("link", name="View certificate for Python for Everyone").click()

    section = page.get_by_test_id("awarded-credits")
    expect(section.get_by_role("heading", name="Credits awarded")).to_be_visible()
    table = section.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Amount")).to_be_visible()
    expect(table).to_contain_text("CPE")
    expect(table).to_contain_text("Information Technology")
    expect(table).to_contain_text("1.50 hours")
    expect(table).to_contain_text("NASBA-112233")
    page.screenshot(path=str(artifacts_dir / "certificate-awarded-credits.png"), full_page=True)


def test_my_awarded_credits_page(page: Page, login_as, artifacts_dir):
    login_as("alice")
    page.goto("/credits/awards/")

    expect(page.get_by_role("heading", name="My awarded credits", level=1)).to_be_visible()
    expect(page.get_by_test_id("award-totals")).to_contain_text("1.50 hours")
    page.get_by_role("textbox", name="Accrediting body").fill("NASBA")
    page.get_by_role("textbox", name="Licence number").fill("CPA-12345")
    page.get_by_role("button", name="Save licence number").click()
    expect(page.get_by_role("status")).to_contain_text("Your licence number was saved.")
    expect(page.get_by_text("NASBA: CPA-12345")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "my-awarded-credits.png"), full_page=True)
