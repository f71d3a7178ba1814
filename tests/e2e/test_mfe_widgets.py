"""The MFE widgets of frontend/ (@credits-plugin/frontend-plugin-credits) in a real browser.

The demo host's /mfe-demo/ page loads the bundle `make frontend` builds from frontend/demo/: the
package's HeaderBalance, CourseCardCredits and AwardedCreditsCard, mounted as the header's and
the learner dashboard's plugin slots mount them (the card widgets get the dashboard's
``cardId``), reading the plugin's REST API with the learner's session.

Seeded (seed_demo): alice has 165.00 credits available; she is enrolled in Python for Everyone
(verified, with a certificate that awarded CPE, Information Technology: 1.50 hours; its
professional mode costs 99.00 credits) and audits Infection Prevention and Control (verified
49.00 credits, professional 199.00).
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect
from waffle.models import Switch

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

PY101 = "course-v1:DemoX+Py101+2026"
NURSE101 = "course-v1:HealthU+Nurse101+2026"


@pytest.fixture(autouse=True)
def bundle_built() -> None:
    bundle = settings.MFE_DEMO_BUNDLE_DIR / "assets" / "demo.js"
    if not bundle.is_file():
        # make test builds it first (scripts/run-tests.sh, target frontend): missing is a failure.
        pytest.fail(f"no MFE demo bundle at {bundle}: run `make frontend` first")


def open_demo(page: Page, login_as) -> Page:
    login_as("alice")
    page.goto("/mfe-demo/")
    expect(page.get_by_role("heading", name="My courses")).to_be_visible()
    return page


def card(page: Page, course_id: str):
    return page.get_by_test_id(f"course-card-{course_id}")


def test_widgets_show_the_balance_a_price_and_awarded_credits(
    page: Page, login_as, artifacts_dir, live_server
):
    open_demo(page, login_as)

    menu = page.get_by_role("navigation", name="Account menu")
    balance = menu.get_by_role("link", name="My credits: 165.00 credits")
    expect(balance).to_be_visible()
    expect(balance).to_have_attribute("href", f"{live_server.url}/credits/")
    # Inserted before the menu's own items (priority 10 < the default contents' 50).
    expect(menu.get_by_role("link").first).to_have_text("My credits: 165.00 credits")

    nursing = card(page, NURSE101)
    buy = nursing.get_by_role("link", name=re.compile(r"^Buy Professional Education with credits: "))
    expect(buy).to_have_text("Buy Professional Education with credits")
    expect(buy).to_have_accessible_name(
        "Buy Professional Education with credits: Professional Education, "
        "Infection Prevention and Control, 199.00 credits"
    )
    expect(buy).to_have_attribute("href", f"{live_server.url}/credits/checkout/{NURSE101}/?mode=professional")
    expect(nursing).to_contain_text("Price: 199.00 credits")
    expect(
        nursing.get_by_role("link", name=re.compile(r"^Buy Verified Certificate with credits: "))
    ).to_have_attribute("href", f"{live_server.url}/credits/checkout/{NURSE101}/?mode=verified")
    expect(nursing).to_contain_text("Price: 49.00 credits")
    expect(nursing.get_by_role("region", name="Credits awarded")).to_have_count(0)

    python = card(page, PY101)
    awarded = python.get_by_role("region", name="Credits awarded")
    expect(awarded).to_contain_text("CPE, Information Technology: 1.50 hours")
    expect(awarded.get_by_role("link", name="My awarded credits")).to_have_attribute(
        "href", f"{live_server.url}/credits/awards/"
    )
    # One mode for sale besides her verified enrolment: one plain "Buy with credits".
    python_buy = python.get_by_role("link", name=re.compile(r"^Buy with credits: "))
    expect(python_buy).to_have_text("Buy with credits")
    expect(python_buy).to_have_attribute(
        "href", f"{live_server.url}/credits/checkout/{PY101}/?mode=professional"
    )
    expect(python).to_contain_text("Price: 99.00 credits")
    page.screenshot(path=str(artifacts_dir / "mfe-widgets.png"), full_page=True)

    buy.click()
    expect(page.get_by_role("heading", name="Pay with credits", level=1)).to_be_visible()
    expect(page.get_by_label(re.compile(r"— 199\.00 credits$"))).to_be_checked()


def test_no_widgets_when_credits_are_switched_off(page: Page, login_as, artifacts_dir):
    switch = Switch.objects.get(name="credits_plugin.enabled")
    switch.active = False
    switch.save()  # through save(), so that waffle forgets the cached switch
    open_demo(page, login_as)

    expect(card(page, NURSE101)).to_be_visible()
    # The awards still show (they are not wallet credits); the balance and the prices do not.
    expect(card(page, PY101).get_by_role("region", name="Credits awarded")).to_be_visible()
    expect(page.get_by_role("navigation", name="Account menu").get_by_role("link")).to_have_text(
        ["Dashboard"]
    )
    expect(page.get_by_test_id("credits-header-balance")).to_have_count(0)
    expect(page.get_by_test_id("credits-course-card")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "mfe-widgets-credits-off.png"), full_page=True)
