"""Feature switches (edx-toggles).

Whether credits apply to a course is decided by :func:`credits_plugin.wallets.services.
credits_enabled_for_org` from the course key's organisation: the site-wide switch must be on,
then the organisation's own switch (``Organisation.credits_enabled``, edited in the admin)
decides; an organisation without a row follows ``CREDITS_PLUGIN_ORGANISATIONS_OPT_IN``.
"""

from edx_toggles.toggles import SettingToggle, WaffleSwitch

# .. toggle_name: credits_plugin.enabled
# .. toggle_implementation: WaffleSwitch
# .. toggle_default: False
# .. toggle_description: Switches wallet credits on for the whole site: learners see their balance
#   and prices in credits, and can pay for paid course modes with credits. Organisations can
#   still be switched off one by one (Organisation.credits_enabled in the admin), or, with
#   CREDITS_PLUGIN_ORGANISATIONS_OPT_IN, switched on one by one.
# .. toggle_use_cases: opt_in, open_edx
# .. toggle_creation_date: 2026-11-25
CREDITS_ENABLED = WaffleSwitch("credits_plugin.enabled", module_name=__name__)

# .. toggle_name: CREDITS_PLUGIN_ORGANISATIONS_OPT_IN
# .. toggle_implementation: SettingToggle
# .. toggle_default: False
# .. toggle_description: When False (the default), every organisation's courses can be bought
#   with credits while credits_plugin.enabled is on, except organisations switched off in the
#   admin (Credits > Organisations, "credits enabled" unticked). When True, only organisations
#   that have a row in Credits > Organisations with "credits enabled" ticked have credits; the
#   courses of every other organisation show no price in credits and cannot be bought with them.
# .. toggle_use_cases: open_edx
# .. toggle_creation_date: 2026-11-25
ORGANISATIONS_OPT_IN = SettingToggle(
    "CREDITS_PLUGIN_ORGANISATIONS_OPT_IN", default=False, module_name=__name__
)


def credits_enabled() -> bool:
    """The site-wide switch."""
    return CREDITS_ENABLED.is_enabled()


def organisations_opt_in() -> bool:
    """Whether an organisation needs its own switch on to have credits."""
    return ORGANISATIONS_OPT_IN.is_enabled()
