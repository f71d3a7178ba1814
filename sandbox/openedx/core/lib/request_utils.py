"""Stand-in for the platform's ``openedx/core/lib/request_utils.py``: the LMS's DRF exception
handler, ``REST_FRAMEWORK["EXCEPTION_HANDLER"]`` in ``openedx/envs/common.py``.

``ignored_error_exception_handler`` returns exactly what DRF's default handler returns (so an
exception DRF does not know, such as a plugin's own domain error, is NOT turned into a response
and becomes a 500), and in addition logs and monitors the errors listed in the ``IGNORED_ERRORS``
setting, once per request. Read from openedx-platform master (2026-12); only the observability
part is shortened.
"""

from __future__ import annotations

import logging

from django.conf import settings
from edx_django_utils.cache import RequestCache
from edx_django_utils.monitoring import set_custom_attribute
from rest_framework.views import exception_handler

log = logging.getLogger(__name__)


def ignored_error_exception_handler(exc, context):
    """DRF's default exception handler, plus logging and monitoring of ignored errors."""
    response = exception_handler(exc, context)
    request = context.get("request") if isinstance(context, dict) else None
    _log_and_monitor_ignored_errors(request, exc, "drf")
    return response


def _ignored_error_settings() -> dict[str, dict]:
    """``IGNORED_ERRORS`` keyed by ``module.Class``; entries without a reason are skipped."""
    configured = getattr(settings, "IGNORED_ERRORS", None) or []
    result = {}
    for index, entry in enumerate(configured):
        module_and_class = entry.get("MODULE_AND_CLASS")
        if not isinstance(module_and_class, str) or not entry.get("REASON_IGNORED"):
            log.error("Skipping IGNORED_ERRORS[%d]: MODULE_AND_CLASS and REASON_IGNORED are required.", index)
            continue
        result[module_and_class.replace(":", ".")] = {
            "log_error": entry.get("LOG_ERROR", False),
            "log_stack_trace": entry.get("LOG_STACK_TRACE", False),
        }
    return result


def _log_and_monitor_ignored_errors(request, exception, caller: str) -> None:
    ignored = _ignored_error_settings()
    if not ignored:
        return
    module = getattr(exception, "__module__", "")
    module_and_class = f"{module}{'.' if module else ''}{exception.__class__.__name__}"
    set_custom_attribute("checked_error_ignored_from", caller)
    cache = RequestCache("openedx.core.lib.request_utils")
    if cache.get_cached_response("handled_exception").is_found:
        return
    cache.set("handled_exception", module_and_class)
    if module_and_class not in ignored:
        return
    set_custom_attribute("error_ignored_class", module_and_class)
    set_custom_attribute("error_ignored_message", str(exception))
    if ignored[module_and_class]["log_error"]:
        log.info(
            "Ignored error %s: %s: seen for path %s",
            module_and_class,
            exception,
            getattr(request, "path", "request-path-unknown"),
            exc_info=exception if ignored[module_and_class]["log_stack_trace"] else None,
        )
