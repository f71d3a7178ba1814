"""Domain exceptions: every refusal the plugin answers with on purpose, in one place.

Every exception carries a stable machine ``code`` and a translatable human ``message``. Each
refusal is one class under one of five groups, named for what the caller should do about it:

* :class:`InvalidInput` (HTTP 400): correct the request;
* :class:`Forbidden` (403): the caller may not do this; asking again will not help;
* :class:`NotFound` (404): what the request names does not exist (or is not the caller's to see);
* :class:`Conflict` (409): the request clashes with the current state; look again, then decide;
* :class:`PaymentRequired` (402): not enough credits (or allowance) for this amount.

The HTTP status of a refusal is that of its group (:func:`http_status`), used by the REST
handler (``rest_api/v1/base.py``) and by the learner pages alike. A new refusal is a new
subclass of its group with its own ``code`` and ``default_message``, never
``CreditsError(code=...)``. See docs/decisions/0011-error-hierarchy.rst.
"""

from django.utils.translation import gettext_lazy as _


class CreditsError(Exception):
    """Base class of every error the plugin raises on purpose.

    Raise one of its subclasses, never this class itself: a subclass carries the stable
    ``code``, the message and, through its group, the HTTP status.
    """

    code = "credits_error"
    status_code = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, **details):
        self.message = message if message is not None else self.default_message
        self.details = details
        super().__init__(str(self.message))


# --- The groups: what the caller should do ---------------------------------------------------


class InvalidInput(CreditsError):
    """The request itself is wrong: the caller corrects it and sends it again."""

    code = "invalid_input"
    status_code = 400
    default_message = _("The request is not valid.")


class Forbidden(CreditsError):
    """The caller may not do this, whatever the request says."""

    code = "forbidden"
    status_code = 403
    default_message = _("You may not do this.")


class NotFound(CreditsError):
    """What the request names does not exist."""

    code = "not_found"
    status_code = 404
    default_message = _("Not found.")


class Conflict(CreditsError):
    """The request clashes with the current state of what it names."""

    code = "conflict"
    status_code = 409
    default_message = _("The request conflicts with the current state.")


class PaymentRequired(CreditsError):
    """There are not enough credits, or not enough allowance, for the amount."""

    code = "payment_required"
    status_code = 402
    default_message = _("There are not enough credits for this amount.")


#: The groups, each with the HTTP status of every refusal under it.
GROUPS: tuple[type[CreditsError], ...] = (InvalidInput, Forbidden, NotFound, Conflict, PaymentRequired)


def http_status(exc: CreditsError) -> int:
    """The HTTP status of a refusal: that of its group (400 for a bare ``CreditsError``).

    The one mapping of domain errors to HTTP: the REST handler and the learner pages both use it.
    """
    for group in GROUPS:
        if isinstance(exc, group):
            return group.status_code
    return CreditsError.status_code


# --- Amounts, units, accounts and transfers ------------------------------------------------


class InvalidAmount(InvalidInput):
    code = "invalid_amount"
    default_message = _("The amount must be a whole number of hundredths greater than zero.")


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    default_message = _("'before' must be a transfer id: a whole number made of the digits 0-9.")


class UnitMismatch(InvalidInput):
    code = "unit_mismatch"
    default_message = _("Both accounts of a transfer must hold the same unit.")


class UnknownUnit(InvalidInput):
    code = "unknown_unit"
    default_message = _("This unit is not known.")


class AccountNotFound(NotFound):
    code = "account_not_found"
    default_message = _("The account does not exist.")


class AccountInactive(Conflict):
    code = "account_inactive"
    default_message = _("The account is closed.")


class InsufficientFunds(PaymentRequired):
    code = "insufficient_funds"
    default_message = _("The balance is not sufficient for this amount.")


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    default_message = _("This idempotency key was already used for a different request.")


class InvalidIdempotencyKey(InvalidInput):
    code = "invalid_idempotency_key"
    default_message = _(
        "The idempotency key must be between 1 and 255 characters and must not start with a "
        "prefix the ledger keeps for itself ('hold-post:', 'lot-expiry:')."
    )


class HoldNotFound(NotFound):
    code = "hold_not_found"
    default_message = _("The hold does not exist.")


class HoldAlreadyResolved(Conflict):
    code = "hold_resolved"
    default_message = _("The hold was already posted, voided or expired.")


class TransferNotFound(NotFound):
    code = "transfer_not_found"
    default_message = _("The transfer does not exist.")


class AlreadyReversed(Conflict):
    code = "already_reversed"
    default_message = _("This transfer was already reversed.")


class NotReversible(Conflict):
    code = "not_reversible"
    default_message = _("This transfer cannot be reversed.")


# --- Courses, enrolment and checkout -------------------------------------------------------


class InvalidCourseKey(InvalidInput):
    code = "invalid_course_key"
    default_message = _("This is not a valid course key.")


class UnknownCourse(NotFound):
    code = "unknown_course"
    default_message = _("There is no such course.")


class UnknownMode(NotFound):
    code = "unknown_mode"
    default_message = _("The course has no such mode.")


class CreditsDisabled(Forbidden):
    code = "credits_disabled"
    default_message = _("Paying with credits is switched off for this course.")


class AlreadyEnrolled(Conflict):
    code = "already_enrolled"
    default_message = _("You are already enrolled in this course mode.")


class EnrollmentFailed(Conflict):
    code = "enrollment_failed"
    default_message = _("The enrolment did not go through, so no credits were taken.")


class CheckoutInProgress(Conflict):
    code = "checkout_in_progress"
    default_message = _("This purchase is already being processed. Refresh the page in a moment.")


class NotAMember(Forbidden):
    code = "not_a_member"
    default_message = _("You cannot pay from this organisation's wallet.")


class SpendingCapExceeded(PaymentRequired):
    code = "spending_cap_exceeded"
    default_message = _("This purchase would exceed your spending limit on the organisation wallet.")


class UnknownUser(NotFound):
    code = "unknown_user"
    default_message = _("There is no such user.")


class WalletNotVisible(Forbidden):
    """Asking for another user's wallet without the right to see it.

    The same answer whether or not the user exists, so that it tells nothing about who does.
    """

    code = "wallet_not_visible"
    default_message = _("You may only see your own wallet and those of your organisation's members.")


class UnknownTarget(NotFound):
    code = "unknown_target"
    default_message = _("There is no such group or organisation.")


class ModeRequired(InvalidInput):
    code = "mode_required"
    default_message = _("Choose a course mode.")


class PriceChanged(Conflict):
    """The price the learner was shown is not the price a checkout would charge now."""

    code = "price_changed"
    default_message = _(
        "The price of this course mode changed since you saw it, so nothing was charged. "
        "Check the new price and confirm again."
    )


class SummaryOutdated(Conflict):
    """The learner confirmed a mode or wallet other than the one the summary showed."""

    code = "summary_outdated"
    default_message = _(
        "You changed the course mode or the wallet after the summary was shown, so nothing was "
        "charged. Check the new summary and confirm again."
    )


# --- Awarded credits ---------------------------------------------------------------------------


class UnknownCredit(NotFound):
    code = "unknown_credit"
    default_message = _("There is no such credit.")


class UnknownCreditType(NotFound):
    code = "unknown_credit_type"
    default_message = _("There is no such credit type.")


class CreditInactive(Conflict):
    code = "credit_inactive"
    default_message = _("This credit is not active, so it cannot be added to a course.")


class ReferenceNumberRequired(InvalidInput):
    code = "reference_number_required"
    default_message = _("Credits of this type need a reference number. Add it to the credit first.")


class OneCreditPerType(Conflict):
    code = "one_credit_per_type"
    default_message = _(
        "This course already carries a credit of this type, and the type allows only one per course."
    )


class DuplicateName(Conflict):
    code = "duplicate_name"
    default_message = _("This name is already used.")


class InvalidValue(InvalidInput):
    code = "invalid_value"
    default_message = _("A value is missing or not valid.")


# --- Bulk operations ---------------------------------------------------------------------------


class BatchInProgress(Conflict):
    code = "batch_in_progress"
    default_message = _(
        "This operation is still running. Undo it when it has finished, or once it has stopped "
        "making progress."
    )


# --- Operators and pricing -------------------------------------------------------------------


class InvalidAction(InvalidInput):
    code = "invalid_action"
    default_message = _("This bulk action is not known.")


class CommentRequired(InvalidInput):
    code = "comment_required"
    default_message = _("A comment is required.")


class ModeNotForSale(InvalidInput):
    """Refusal of a mode that cannot be bought with credits (free, not for sale, or no price)."""

    code = "mode_not_for_sale"
    default_message = _("This course mode cannot be bought with credits.")


# --- For the ledger (credits_plugin/ledger/ raises CreditsError(code=...) until it uses these) --


class InvalidTransferKind(InvalidInput):
    code = "invalid_kind"
    default_message = _("This kind of transfer is not known.")


class SameAccount(InvalidInput):
    code = "same_account"
    default_message = _("A transfer or hold needs two different accounts.")
