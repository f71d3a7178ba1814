"""Receivers of Open edX events, connected through plugin_app's signals_config."""

from credits_plugin.integrations.openedx.certificates import (  # noqa: F401
    on_certificate_changed_award,
    on_certificate_created_award,
    on_certificate_revoked_award,
)
from credits_plugin.integrations.openedx.enrollments import (  # noqa: F401
    on_certificate_created_earn,
    on_course_passing_status_updated,
    on_enrollment_created,
    on_unenrollment_completed,
)
from credits_plugin.integrations.openedx.retirement import on_user_retired  # noqa: F401
