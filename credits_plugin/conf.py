"""Reading the plugin's settings, with the documented defaults when a host never set them."""

import importlib
from types import ModuleType
from typing import Any

from django.conf import settings

from credits_plugin.settings.common import DEFAULTS


def setting(name: str) -> Any:
    """The value of the credits_plugin setting ``name``."""
    return getattr(settings, name, DEFAULTS[name])


def platform() -> ModuleType:
    """The platform backend (by default the Open edX compat module), loaded when first used."""
    return importlib.import_module(setting("CREDITS_PLUGIN_PLATFORM_BACKEND"))
