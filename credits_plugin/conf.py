"""Reading the plugin's settings, with the documented defaults when a host never set them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings

from credits_plugin.settings.common import DEFAULTS

if TYPE_CHECKING:
    from credits_plugin.platform import Platform


def setting(name: str) -> Any:
    """The value of the credits_plugin setting ``name``."""
    return getattr(settings, name, DEFAULTS[name])


def platform() -> Platform:
    """The platform backend: the module named by ``CREDITS_PLUGIN_PLATFORM_BACKEND`` (by default
    the Open edX compat module), loaded when first used. It provides
    :class:`credits_plugin.platform.Platform`."""
    return cast("Platform", importlib.import_module(setting("CREDITS_PLUGIN_PLATFORM_BACKEND")))
