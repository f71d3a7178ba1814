"""Reading the plugin's settings, with the documented defaults when a host never set them."""

from typing import Any

from django.conf import settings

from credits_plugin.settings.common import DEFAULTS


def setting(name: str) -> Any:
    """The value of the credits_plugin setting ``name``."""
    return getattr(settings, name, DEFAULTS[name])
