"""Template context every page of the demo host gets."""

from django.conf import settings
from django.http import HttpRequest


def demo_host(request: HttpRequest) -> dict:
    """The site name, and the host layout for the plugin's own pages (``credits_base_template``)."""
    return {
        "platform_name": getattr(settings, "PLATFORM_NAME", "Demo LMS"),
        "credits_base_template": "host/base.html",
    }
