"""View contexts for the platform's plugin slots (plugin_app view_context_config)."""

from credits_plugin import api


def dashboard_context(existing_context: dict) -> dict:
    """course_dashboard: the learner's wallet, placed in context["plugins"]["credits_plugin"]."""
    user = existing_context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    return {"wallet": api.wallet_context(user=user)}
