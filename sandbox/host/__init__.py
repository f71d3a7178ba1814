"""The demo host: a small LMS that loads credits_plugin as Open edX does."""

from host.celery import app as celery_app

__all__ = ["celery_app"]
