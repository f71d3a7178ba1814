"""Celery tasks of the plugin. Operators schedule them with celery beat (or run the commands)."""

from celery import shared_task

from credits_plugin import api


@shared_task(name="credits_plugin.expire_holds")
def expire_holds_task() -> int:
    """Release pending holds past their expiry time."""
    return api.expire_holds()


@shared_task(name="credits_plugin.expire_lots")
def expire_lots_task() -> int:
    """Move the remainders of expired lots to the expiry account."""
    return api.expire_lots()
