"""Feature switches (edx-toggles)."""

from edx_toggles.toggles import WaffleSwitch

# .. toggle_name: credits_plugin.enabled
# .. toggle_implementation: WaffleSwitch
# .. toggle_default: False
# .. toggle_description: Switches wallet credits on for the whole site: learners see their balance
#   and prices in credits, and can pay for paid course modes with credits. Organisations can
#   still be switched off one by one (Organisation.credits_enabled in the admin).
# .. toggle_use_cases: opt_in, open_edx
# .. toggle_creation_date: 2026-11-25
CREDITS_ENABLED = WaffleSwitch("credits_plugin.enabled", module_name=__name__)


def credits_enabled() -> bool:
    return CREDITS_ENABLED.is_enabled()
