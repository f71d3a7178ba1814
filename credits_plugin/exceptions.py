"""Domain exceptions. The REST layer maps each to one HTTP status and a readable message.

Every exception carries a stable machine ``code`` and a translatable human ``message``.
"""

from django.utils.translation import gettext_lazy as _


class CreditsError(Exception):
    """Base class of every error the plugin raises on purpose."""

    code = "credits_error"
    status_code = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, **details):
        self.message = message if message is not None else self.default_message
        self.details = details
        super().__init__(str(self.message))


class InvalidAmount(CreditsError):
    code = "invalid_amount"
    default_message = _("The amount must be a whole number of hundredths greater than zero.")


class UnitMismatch(CreditsError):
    code = "unit_mismatch"
    default_message = _("Both accounts of a transfer must hold the same unit.")


class UnknownUnit(CreditsError):
    code = "unknown_unit"
    default_message = _("This unit is not known.")


class AccountNotFound(CreditsError):
    code = "account_not_found"
    status_code = 404
    default_message = _("The account does not exist.")


class AccountInactive(CreditsError):
    code = "account_inactive"
    status_code = 409
    default_message = _("The account is closed.")


class InsufficientFunds(CreditsError):
    code = "insufficient_funds"
    status_code = 402
    default_message = _("The balance is not sufficient for this amount.")


class IdempotencyConflict(CreditsError):
    code = "idempotency_conflict"
    status_code = 409
    default_message = _("This idempotency key was already used for a different request.")


class HoldNotFound(CreditsError):
    code = "hold_not_found"
    status_code = 404
    default_message = _("The hold does not exist.")


class HoldAlreadyResolved(CreditsError):
    code = "hold_resolved"
    status_code = 409
    default_message = _("The hold was already posted, voided or expired.")


class TransferNotFound(CreditsError):
    code = "transfer_not_found"
    status_code = 404
    default_message = _("The transfer does not exist.")


class AlreadyReversed(CreditsError):
    code = "already_reversed"
    status_code = 409
    default_message = _("This transfer was already reversed.")


class NotReversible(CreditsError):
    code = "not_reversible"
    status_code = 409
    default_message = _("This transfer cannot be reversed.")
