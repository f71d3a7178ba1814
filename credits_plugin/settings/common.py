"""Settings every environment gets; the platform calls plugin_settings(settings) at start-up.

Each setting is only given its default when the operator has not set it already, so values set
in the platform's settings (or a Tutor patch) win.
"""

DEFAULTS: dict[str, object] = {
    # .. setting_name: CREDITS_PLUGIN_WALLET_UNIT
    # .. setting_default: credits
    # .. setting_description: The code of the unit of wallet credits (a row of the Unit model,
    #   created on first use). Amounts are stored in hundredths of this unit.
    "CREDITS_PLUGIN_WALLET_UNIT": "credits",
    # .. setting_name: CREDITS_PLUGIN_HOLD_TIMEOUT_SECONDS
    # .. setting_default: 900
    # .. setting_description: Seconds a checkout hold may stay pending before the expiry task
    #   (expire_credit_holds) releases the credits it reserved (900: 15 minutes).
    "CREDITS_PLUGIN_HOLD_TIMEOUT_SECONDS": 15 * 60,
    # .. setting_name: CREDITS_PLUGIN_SYSTEM_ACCOUNT_SHARDS
    # .. setting_default: 16
    # .. setting_description: Number of rows each system account is split over, so that
    #   concurrent transfers to the same system account (sales revenue, issuance) do not queue on
    #   one row lock.
    "CREDITS_PLUGIN_SYSTEM_ACCOUNT_SHARDS": 16,
    # .. setting_name: CREDITS_PLUGIN_REFUND_WINDOW_DAYS
    # .. setting_default: 14
    # .. setting_description: Days after a purchase during which unenrolling gives the credits
    #   back.
    "CREDITS_PLUGIN_REFUND_WINDOW_DAYS": 14,
    # .. setting_name: CREDITS_PLUGIN_DEFAULT_OVERDRAFT
    # .. setting_default: 0
    # .. setting_description: Overdraft given to new user wallets, in hundredths of a credit
    #   (0: balances never go below zero). Existing wallets keep theirs.
    "CREDITS_PLUGIN_DEFAULT_OVERDRAFT": 0,
    # .. setting_name: CREDITS_PLUGIN_PLATFORM_BACKEND
    # .. setting_default: credits_plugin.integrations.openedx.compat
    # .. setting_description: Dotted path of the module through which the plugin enrols
    #   learners and reads courses and certificates. Another LMS provides its own module with the
    #   same functions.
    "CREDITS_PLUGIN_PLATFORM_BACKEND": "credits_plugin.integrations.openedx.compat",
    # .. setting_name: CREDITS_PLUGIN_EXPIRY_WARNING_DAYS
    # .. setting_default: 7
    # .. setting_description: Days before expiry when learners are told by email that credits
    #   are about to expire.
    "CREDITS_PLUGIN_EXPIRY_WARNING_DAYS": 7,
    # .. setting_name: CREDITS_PLUGIN_BULK_CHUNK_SIZE
    # .. setting_default: 500
    # .. setting_description: Users per chunk (and per transaction) when a bulk operation runs
    #   in the background.
    "CREDITS_PLUGIN_BULK_CHUNK_SIZE": 500,
    # .. setting_name: CREDITS_PLUGIN_BULK_STALE_SECONDS
    # .. setting_default: 600
    # .. setting_description: Seconds without progress after which a running bulk operation (or
    #   its undo) counts as stuck (its worker died) and resume_credit_batches may take it over.
    "CREDITS_PLUGIN_BULK_STALE_SECONDS": 600,
    # .. setting_name: CREDITS_PLUGIN_PREPARED_STATEMENTS
    # .. setting_default: None
    # .. setting_description: PostgreSQL only: send the ledger's hot-path statements as
    #   server-side prepared statements, so the server plans them once per connection. None: on,
    #   unless the database's settings have DISABLE_SERVER_SIDE_CURSORS (the sign of a
    #   transaction-pooling PgBouncer); True: on; False: off.
    "CREDITS_PLUGIN_PREPARED_STATEMENTS": None,
    # A boolean setting, so a toggle: annotated (toggle_name) in credits_plugin/toggles.py.
    # False: every organisation has credits unless switched off in the admin. True: only the
    # organisations switched on in the admin have credits.
    "CREDITS_PLUGIN_ORGANISATIONS_OPT_IN": False,
    # .. setting_name: CREDITS_PLUGIN_THROTTLE_RATES
    # .. setting_default: {"credits_plugin.checkout": "10/minute", "credits_plugin.operator":
    #   "60/minute", "credits_plugin.redeem": "5/minute", "credits_plugin.redeem_ip": "20/minute"}
    # .. setting_description: Rate limits of the REST API, per scope ("N/second|minute|hour|day";
    #   None: no limit), counted per user (per IP address for the "_ip" scopes) in the default
    #   cache: checkouts per learner, operator actions (grants, resets, adjustments, undos) per
    #   operator, code redemptions per learner and per IP address. A host that sets this dict
    #   only for some scopes keeps the defaults of the others.
    "CREDITS_PLUGIN_THROTTLE_RATES": {
        # Checkouts (paying with credits), per learner.
        "credits_plugin.checkout": "10/minute",
        # Grants, resets, balance adjustments and undos, per operator.
        "credits_plugin.operator": "60/minute",
        # Code redemptions: per learner, and per IP address.
        "credits_plugin.redeem": "5/minute",
        "credits_plugin.redeem_ip": "20/minute",
    },
}

# openedx-filters pipeline steps the plugin adds, per filter type. Steps are appended to the
# operator's OPEN_EDX_FILTERS_CONFIG, never replacing what is already configured.
_STEPS = "credits_plugin.integrations.openedx.pipeline"
PIPELINE_STEPS: dict[str, list[str]] = {
    "org.openedx.learning.course.enrollment.started.v1": [f"{_STEPS}.RequireCreditsPayment"],
    "org.openedx.learning.dashboard.render.started.v1": [f"{_STEPS}.AddCreditsToDashboard"],
    "org.openedx.learning.course_about.render.started.v1": [
        f"{_STEPS}.AddCreditsPriceToCourseAbout",
        f"{_STEPS}.AddCreditsOfferedToCourseAbout",
    ],
    "org.openedx.learning.certificate.render.started.v1": [f"{_STEPS}.AddAwardedCreditsToCertificate"],
}


# Filters whose steps must not be skipped on an error: a guard that fails must block.
_STRICT_FILTERS = {"org.openedx.learning.course.enrollment.started.v1"}


def _add_pipeline_steps(settings) -> None:
    config = getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None)
    if config is None:
        config = {}
        settings.OPEN_EDX_FILTERS_CONFIG = config
    for filter_type, steps in PIPELINE_STEPS.items():
        entry = config.setdefault(
            filter_type, {"fail_silently": filter_type not in _STRICT_FILTERS, "pipeline": []}
        )
        if isinstance(entry, str):
            entry = config[filter_type] = {"fail_silently": True, "pipeline": [entry]}
        elif isinstance(entry, list):
            entry = config[filter_type] = {"fail_silently": True, "pipeline": entry}
        pipeline = entry.setdefault("pipeline", [])
        if isinstance(pipeline, str):
            pipeline = entry["pipeline"] = [pipeline]
        for step in steps:
            if step not in pipeline:
                pipeline.append(step)


def plugin_settings(settings) -> None:
    """Give every credits_plugin setting its default unless it is already set."""
    for name, value in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
    _add_pipeline_steps(settings)
