"""The enrolment guard (real CourseEnrollmentStarted pipeline, configured by plugin_settings)."""

import pytest
from django.conf import settings
from opaque_keys.edx.keys import CourseKey
from openedx_filters.learning.filters import CourseEnrollmentStarted

from credits_plugin.pricing.models import ModePrice
from tests.factories import UserFactory
from tests.integrations.openedx.test_enrollments import pending_purchase

pytestmark = pytest.mark.django_db
COURSE = CourseKey.from_string("course-v1:DemoX+Py101+2026")


class TestEnrollmentGuard:
    def test_the_step_is_installed_by_plugin_settings(self):
        config = settings.OPEN_EDX_FILTERS_CONFIG["org.openedx.learning.course.enrollment.started.v1"]
        assert "credits_plugin.integrations.openedx.pipeline.RequireCreditsPayment" in config["pipeline"]
        assert config["fail_silently"] is False

    def test_credits_only_mode_without_payment_is_blocked(self):
        ModePrice.objects.create(course_key=COURSE, mode_slug="verified", price=2_000, credits_only=True)
        with pytest.raises(CourseEnrollmentStarted.PreventEnrollment, match="paid with credits"):
            CourseEnrollmentStarted.run_filter(user=UserFactory(), course_key=COURSE, mode="verified")

    @pytest.mark.parametrize("mode", [None, "audit", "professional"])
    def test_default_free_and_other_modes_pass(self, mode):
        ModePrice.objects.create(course_key=COURSE, mode_slug="verified", price=2_000, credits_only=True)
        user = UserFactory()
        assert CourseEnrollmentStarted.run_filter(user=user, course_key=COURSE, mode=mode) == (
            user,
            COURSE,
            mode,
        )

    def test_paid_checkout_in_progress_passes(self):
        ModePrice.objects.create(course_key=COURSE, mode_slug="verified", price=2_000, credits_only=True)
        user = UserFactory()
        pending_purchase(user)
        assert (
            CourseEnrollmentStarted.run_filter(user=user, course_key=COURSE, mode="verified")[2] == "verified"
        )
