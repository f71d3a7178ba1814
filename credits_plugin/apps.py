"""Django app configuration, wired for the Open edX plugin framework (edx-django-utils)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The platform's ProjectType and SettingsType live in edx-platform; their string values are
# used here so that the plugin imports without the platform.
_LMS = "lms.djangoapp"
_CMS = "cms.djangoapp"


def _settings_config() -> dict:
    return {
        "common": {"relative_path": "settings.common"},
        "production": {"relative_path": "settings.production"},
        "devstack": {"relative_path": "settings.common"},
        "test": {"relative_path": "settings.common"},
    }


def _url_config() -> dict:
    return {"namespace": "credits_plugin", "regex": r"", "relative_path": "urls"}


_EVENTS = "openedx_events.learning.signals"

# Receivers in credits_plugin/integrations/openedx/handlers.py, by the event they listen to.
RECEIVERS = [
    ("on_enrollment_created", "COURSE_ENROLLMENT_CREATED"),
    ("on_enrollment_created", "COURSE_ENROLLMENT_CHANGED"),
    ("on_unenrollment_completed", "COURSE_UNENROLLMENT_COMPLETED"),
    ("on_course_passing_status_updated", "COURSE_PASSING_STATUS_UPDATED"),
    ("on_certificate_created_earn", "CERTIFICATE_CREATED"),
    ("on_certificate_created_award", "CERTIFICATE_CREATED"),
    ("on_certificate_revoked_award", "CERTIFICATE_REVOKED"),
    ("on_certificate_changed_award", "CERTIFICATE_CHANGED"),
]


# The platform's retirement signal (a plain Django signal of edx-platform).
RETIREMENT_SIGNAL = "openedx.core.djangoapps.user_api.accounts.signals.USER_RETIRE_LMS_CRITICAL"


def _signals_config() -> dict:
    receivers = [
        {
            "receiver_func_name": func,
            "signal_path": f"{_EVENTS}.{signal}",
            "dispatch_uid": f"credits_plugin.{func}.{signal.lower()}",
        }
        for func, signal in RECEIVERS
    ]
    receivers.append(
        {
            "receiver_func_name": "on_user_retired",
            "signal_path": RETIREMENT_SIGNAL,
            "dispatch_uid": "credits_plugin.on_user_retired",
        }
    )
    return {"relative_path": "integrations.openedx.handlers", "receivers": receivers}


class CreditsPluginConfig(AppConfig):
    """The credits plugin: wallet credits, training credits and awarded credits."""

    name = "credits_plugin"
    label = "credits_plugin"
    verbose_name = _("Credits")
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {_LMS: _url_config(), _CMS: _url_config()},
        "settings_config": {_LMS: _settings_config(), _CMS: _settings_config()},
        "signals_config": {_LMS: _signals_config(), _CMS: _signals_config()},
        "view_context_config": {
            _LMS: {"course_dashboard": "credits_plugin.integrations.openedx.context.dashboard_context"}
        },
    }

    def ready(self) -> None:
        from credits_plugin import checks  # noqa: F401  (registers the system checks)
