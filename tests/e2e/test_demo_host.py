"""First browser tests of the demo host: the course list, signing in, enrolling, the certificate."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]


def test_home_page_shows_the_course_list(page: Page, artifacts_dir):
    page.goto("/")

    expect(page.get_by_role("heading", name="Courses", level=1)).to_be_visible()
    courses = page.get_by_test_id("course-list")
    expect(courses.get_by_role("heading", level=2)).to_have_count(4)
    expect(courses).to_contain_text("Python for Everyone")
    expect(courses).to_contain_text("49 USD")
    expect(page.get_by_role("heading", name="How to sign in")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "home.png"), full_page=True)


def test_sign_in_as_alice(page: Page, login_as, artifacts_dir):
    login_as("alice")

    expect(page.get_by_role("heading", name="My enrolments")).to_be_visible()
    expect(page.get_by_test_id("my-enrollments")).to_contain_text("Python for Everyone")
    page.screenshot(path=str(artifacts_dir / "home-alice.png"), full_page=True)


def test_wrong_password_is_refused(page: Page):
    page.goto("/login/")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)


def test_enrol_with_the_keyboard_and_unenrol(page: Page, login_as):
    login_as("carol")
    page.goto("/courses/course-v1:HealthU+Nurse101+2026/about/")

    page.get_by_label("Audit").check()
    page.get_by_role("button", name="Enrol").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You are enrolled in Infection Prevention and Control")
    page.get_by_role("button", name="Unenrol from Infection Prevention and Control").click()
    expect(page.get_by_role("status")).to_contain_text("You are no longer enrolled")


def test_certificate_page(page: Page, login_as, artifacts_dir):
    login_as("alice")
    page.goto("/dashboard/")

    page.get_by_role("link", name="View certificate for Python for Everyone").click()

    expect(page.get_by_role("heading", name="Certificate of Completion")).to_be_visible()
    expect(page.get_by_test_id("certificate-recipient")).to_have_text("Alice Archer")
    expect(page.get_by_test_id("certificate-course")).to_have_text("Python for Everyone")
    page.screenshot(path=str(artifacts_dir / "certificate.png"), full_page=True)
