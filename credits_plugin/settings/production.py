"""Production settings: operators may override any credits setting through ENV_TOKENS."""

from .common import DEFAULTS
from .common import plugin_settings as common_plugin_settings


def plugin_settings(settings) -> None:
    """Apply the common defaults, then values from the platform's ENV_TOKENS (lms.yml)."""
    common_plugin_settings(settings)
    env_tokens = getattr(settings, "ENV_TOKENS", {}) or {}
    for name in DEFAULTS:
        if name in env_tokens:
            setattr(settings, name, env_tokens[name])
