"""Tutor plugin for credits_plugin: install it, configure it, initialise it, run its jobs.

Everything it adds to the Tutor environment is a patch (``patches/``, one file per patch name)
or an init task (``templates/credits/tasks/<service>/init``); the MFE widgets go through
tutor-mfe's PLUGIN_SLOTS filter.
"""

from __future__ import annotations

import os
import sys
import typing as t
from importlib import resources

from tutor import hooks
from tutormfe.hooks import PLUGIN_SLOTS

from .__about__ import __version__

HERE = resources.files("tutorcredits")

config: dict[str, dict[str, t.Any]] = {
    # Tutor prefixes every name with the plugin's: VERSION is CREDITS_VERSION.
    "defaults": {
        "VERSION": __version__,
        # What the openedx image pip-installs: a pin by default; while the plugin is not on
        # PyPI, a git URL such as "credits-plugin @ git+https://<host>/<repo>.git@<ref>".
        "PIP_REQUIREMENT": "credits-plugin=={{ CREDITS_VERSION }}",
        # `do init`: create the credits_plugin.enabled waffle switch, on, unless it exists.
        "SWITCH_ON_AT_INIT": True,
        # Add the periodic jobs to the LMS's CELERYBEAT_SCHEDULE ...
        "SCHEDULE_JOBS": True,
        # ... and run celery beat for them (the credits-beat service). Set to false when
        # another service of the platform already runs celery beat for the LMS.
        "RUN_BEAT": True,
        # Register the learner-facing widgets in the MFEs (and install their npm package).
        "MFE_WIDGETS": True,
        "NPM_REQUIREMENT": "@credits-plugin/frontend-plugin-credits@{{ CREDITS_VERSION }}",
        # credits_plugin settings (CREDITS_X becomes CREDITS_PLUGIN_X in the LMS and Studio);
        # the defaults are the plugin's own, see docs/configuration.rst.
        "WALLET_UNIT": "credits",
        "HOLD_TIMEOUT_SECONDS": 900,
        "SYSTEM_ACCOUNT_SHARDS": 16,
        "REFUND_WINDOW_DAYS": 14,
        "DEFAULT_OVERDRAFT": 0,
        "EXPIRY_WARNING_DAYS": 7,
        "BULK_CHUNK_SIZE": 500,
        "BULK_STALE_SECONDS": 600,
        "ORGANISATIONS_OPT_IN": False,
        "THROTTLE_RATES": {
            "credits_plugin.checkout": "10/minute",
            "credits_plugin.operator": "60/minute",
            "credits_plugin.redeem": "5/minute",
            "credits_plugin.redeem_ip": "20/minute",
        },
    },
}

hooks.Filters.CONFIG_DEFAULTS.add_items(
    [(f"CREDITS_{key}", value) for key, value in config["defaults"].items()]
)

# Python literals in the settings patches: repr() of the YAML value (None, True, dicts...).
hooks.Filters.ENV_TEMPLATE_FILTERS.add_item(("credits_python", repr))

# templates/ is only read through {% include %} from the patches and by the init tasks below;
# nothing of it is rendered into the environment on its own.
hooks.Filters.ENV_TEMPLATE_ROOTS.add_item(str(HERE / "templates"))

for service in ("lms",):
    with open(str(HERE / "templates" / "credits" / "tasks" / service / "init"), encoding="utf-8") as f:
        hooks.Filters.CLI_DO_INIT_TASKS.add_item((service, f.read()))

for path in sorted((HERE / "patches").iterdir()):
    with open(str(path), encoding="utf-8") as f:
        hooks.Filters.ENV_PATCHES.add_item((os.path.basename(str(path)), f.read()))


# Frontend plugin slots. Slot ids verified in frontend-component-header (v8.2, which the
# Verawood MFEs use) and frontend-app-learner-dashboard (release/verawood) src/plugin-slots/.
def _widget(widget_id: str, component: str, priority: int) -> str:
    return f"""{{
  op: PLUGIN_OPERATIONS.Insert,
  widget: {{
    id: '{widget_id}',
    type: DIRECT_PLUGIN,
    priority: {priority},
    RenderWidget: {component},
  }},
}}"""


WIDGETS: list[tuple[str, str, str]] = [
    # The balance, left of the user menu, in the header of every MFE that has the desktop
    # header (the learning MFE has its own header and is left alone).
    (
        "all",
        "org.openedx.frontend.layout.header_desktop_user_menu.v1",
        _widget("credits_header_balance", "HeaderBalance", 40),
    ),
    # Price in credits and the pay button on each course card (the slot passes cardId).
    (
        "learner-dashboard",
        "org.openedx.frontend.learner_dashboard.course_card_action.v1",
        _widget("credits_course_card", "CourseCardCredits", 60),
    ),
    # Awarded CE credits of the course, on each course card (the slot passes cardId).
    (
        "learner-dashboard",
        "org.openedx.frontend.learner_dashboard.course_card_banner.v1",
        _widget("credits_awarded_credits", "AwardedCreditsCard", 40),
    ),
]

# PLUGIN_SLOTS items are plain JSX strings, not templates, so CREDITS_MFE_WIDGETS is read
# when the configuration is loaded (before anything is rendered) and the filter below adds
# the widgets only when it is true.
_widgets_enabled = False


@hooks.Actions.CONFIG_LOADED.add()
def _read_widgets_switch(loaded: dict[str, t.Any]) -> None:
    global _widgets_enabled
    enabled = bool(loaded.get("CREDITS_MFE_WIDGETS"))
    if enabled != _widgets_enabled:
        _widgets_enabled = enabled
        # tutor-mfe caches the slots it has computed; forget them when the answer changes.
        mfe_plugin = sys.modules.get("tutormfe.plugin")
        cached = getattr(mfe_plugin, "get_plugin_slots", None)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()


@PLUGIN_SLOTS.add()
def _add_widgets(items: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    if _widgets_enabled:
        items.extend(WIDGETS)
    return items
