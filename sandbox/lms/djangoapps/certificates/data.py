"""Certificate statuses, as in ``lms/djangoapps/certificates/data.py``."""

from django.utils.translation import gettext_lazy as _


class CertificateStatuses:
    """The statuses a GeneratedCertificate can have."""

    deleted = "deleted"
    deleting = "deleting"
    downloadable = "downloadable"
    error = "error"
    generating = "generating"
    notpassing = "notpassing"
    restricted = "restricted"
    unavailable = "unavailable"
    auditing = "auditing"
    audit_passing = "audit_passing"
    audit_notpassing = "audit_notpassing"
    honor_passing = "honor_passing"
    unverified = "unverified"
    invalidated = "invalidated"
    requesting = "requesting"

    readable_statuses = {
        downloadable: _("already received"),
        notpassing: _("didn't receive"),
        error: _("error states"),
        audit_passing: _("audit passing states"),
        audit_notpassing: _("audit not passing states"),
    }

    PASSED_STATUSES = (downloadable, generating)
    NON_REFUNDABLE_STATUSES = (downloadable, generating, unavailable)

    @classmethod
    def is_passing_status(cls, status: str) -> bool:
        return status in cls.PASSED_STATUSES

    @classmethod
    def is_refundable_status(cls, status: str) -> bool:
        return status not in cls.NON_REFUNDABLE_STATUSES
