"""What the plugin asks of the learning platform, as a typed :class:`Platform` protocol.

The backend is the module named by the ``CREDITS_PLUGIN_PLATFORM_BACKEND`` setting (by default
:mod:`credits_plugin.integrations.openedx.compat`; the demo host provides stand-ins of the LMS
models at the platform's own dotted paths, so the same module serves there). Any module, or
object, with these functions can serve as a backend; :func:`credits_plugin.conf.platform`
loads it when first used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Platform(Protocol):
    """The functions a platform backend provides. Course keys are ``opaque_keys`` ``CourseKey``."""

    def get_course_overview(self, course_key) -> Any | None:
        """The course's overview (``display_name`` ...), or None when the course does not exist."""

    def course_modes(self, course_key) -> list:
        """The course's modes, each with ``mode_slug``, ``mode_display_name``, ``min_price``
        and ``currency``."""

    def enroll(self, user, course_key, mode: str) -> Any:
        """Enrol ``user`` in the course's ``mode`` with the platform's access checks; raises an
        :meth:`enrollment_exception` when the platform refuses."""

    def enrollment_mode(self, user, course_key) -> tuple[str | None, bool | None]:
        """``(mode, is_active)`` of the user's enrolment, ``(None, None)`` when there is none."""

    def enrollment_exception(self) -> type[Exception]:
        """The parent class of every enrolment refusal (closed, full, already enrolled ...)."""

    def has_studio_write_access(self, user, course_key) -> bool:
        """Whether the user may author the course."""

    def bearer_authentication_classes(self) -> Sequence[type]:
        """The platform's OAuth2 bearer authentication classes for the REST API (may be empty)."""

    def certificate_for(self, user, course_key) -> Any | None:
        """The user's certificate in the course (any status), or None."""

    def is_saved_certificate(self, verify_uuid: str) -> bool:
        """Whether a certificate with this verify UUID is stored (a preview one never is)."""

    def passing_certificates(self) -> Any:
        """Every eligible certificate with a passing status (a queryset with ``user``)."""
