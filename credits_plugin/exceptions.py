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


class InvalidCursor(CreditsError):
    code = "invalid_cursor"
    default_message = _("'before' must be a transfer id: a whole number made of the digits 0-9.")


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


class InvalidIdempotencyKey(CreditsError):
    code = "invalid_idempotency_key"
    default_message = _(
        "The idempotency key must be between 1 and 255 characters and must not start with a "
        "prefix the ledger keeps for itself ('hold-post:', 'lot-expiry:')."
    )


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


# --- Ledger ------------------------------------------------------------------------------------


class InvalidTransferKind(CreditsError):
    """A transfer of a kind the ledger does not know (``TransferKind``)."""

    code = "invalid_kind"


class SameAccount(CreditsError):
    """A transfer or hold whose debit and credit account are the same account."""

    code = "same_account"


# --- Courses, enrolment and checkout -------------------------------------------------------


class InvalidCourseKey(CreditsError):
    code = "invalid_course_key"
    default_message = _("This is not a valid course key.")


class UnknownCourse(CreditsError):
    code = "unknown_course"
    status_code = 404
    default_message = _("There is no such course.")


class UnknownMode(CreditsError):
    code = "unknown_mode"
    status_code = 404
    default_message = _("The course has no such mode.")


class CreditsDisabled(CreditsError):
    code = "credits_disabled"
    status_code = 403
    default_message = _("Paying with credits is switched off for this course.")


class AlreadyEnrolled(CreditsError):
    code = "already_enrolled"
    status_code = 409
    default_message = _("You are already enrolled in this course mode.")


class EnrollmentFailed(CreditsError):
    code = "enrollment_failed"
    status_code = 409
    default_message = _("The enrolment did not go through, so no credits were taken.")


class CheckoutInProgress(CreditsError):
    code = "checkout_in_progress"
    status_code = 409
    default_message = _("This purchase is already being processed. Refresh the page in a moment.")


class NotAMember(CreditsError):
    code = "not_a_member"
    status_code = 403
    default_message = _("You cannot pay from this organisation's wallet.")


class SpendingCapExceeded(CreditsError):
    code = "spending_cap_exceeded"
    status_code = 402
    default_message = _("This purchase would exceed your spending limit on the organisation wallet.")


class UnknownUser(CreditsError):
    code = "unknown_user"
    status_code = 404
    default_message = _("There is no such user.")


class WalletNotVisible(CreditsError):
    """Asking for another user's wallet without the right to see it.

    The same answer whether or not the user exists, so that it tells nothing about who does.
    """

    code = "wallet_not_visible"
    status_code = 403
    default_message = _("You may only see your own wallet and those of your organisation's members.")


class UnknownTarget(CreditsError):
    code = "unknown_target"
    status_code = 404
    default_message = _("There is no such group or organisation.")


class ModeRequired(CreditsError):
    code = "mode_required"
    default_message = _("Choose a course mode.")


class PriceChanged(CreditsError):
    """The price the learner was shown is not the price a checkout would charge now."""

    code = "price_changed"
    status_code = 409
    default_message = _(
        "The price of this course mode changed since you saw it, so nothing was charged. "
        "Check the new price and confirm again."
    )


class SummaryOutdated(CreditsError):
    """The learner confirmed a mode or wallet other than the one the summary showed."""

    code = "summary_outdated"
    status_code = 409
    default_message = _(
        "You changed the course mode or the wallet after the summary was shown, so nothing was "
        "charged. Check the new summary and confirm again."
    )


# --- Awarded credits ---------------------------------------------------------------------------


class UnknownCredit(CreditsError):
    code = "unknown_credit"
    status_code = 404
    default_message = _("There is no such credit.")


class UnknownCreditType(CreditsError):
    code = "unknown_credit_type"
    status_code = 404
    default_message = _("There is no such credit type.")


class CreditInactive(CreditsError):
    code = "credit_inactive"
    status_code = 409
    default_message = _("This credit is not active, so it cannot be added to a course.")


class ReferenceNumberRequired(CreditsError):
    code = "reference_number_required"
    default_message = _("Credits of this type need a reference number. Add it to the credit first.")


class OneCreditPerType(CreditsError):
    code = "one_credit_per_type"
    status_code = 409
    default_message = _(
        "This course already carries a credit of this type, and the type allows only one per course."
    )


class DuplicateName(CreditsError):
    code = "duplicate_name"
    status_code = 409
    default_message = _("This name is already used.")


class InvalidValue(CreditsError):
    code = "invalid_value"
    default_message = _("A value is missing or not valid.")


# --- Bulk operations ---------------------------------------------------------------------------


class BatchInProgress(CreditsError):
    code = "batch_in_progress"
    status_code = 409
    default_message = _(
        "This operation is still running. Undo it when it has finished, or once it has stopped "
        "making progress."
    )
