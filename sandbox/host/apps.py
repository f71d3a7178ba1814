"""Stand-in for openedx.core.djangoapps.plugins: connects plugin signal receivers at start-up."""

from django.apps import AppConfig
from edx_django_utils.plugins import connect_plugin_receivers


class HostConfig(AppConfig):
    name = "host"
    verbose_name = "Demo LMS host"

    def ready(self) -> None:
        connect_plugin_receivers("lms.djangoapp")
