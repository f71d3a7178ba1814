"""Enumerations shared across the plugin."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    USER_WALLET = "user_wallet", _("User wallet")
    ORG_WALLET = "org_wallet", _("Organisation wallet")
    TRAINING = "training", _("Training-credit account")
    SYSTEM = "system", _("System account")


class SystemAccount(models.TextChoices):
    """The system accounts that balance every transfer, one set per unit."""

    ISSUANCE = "issuance", _("Issuance")
    REVENUE = "revenue", _("Sales revenue")
    EXPIRY = "expiry", _("Expiry")
    PROMOTION = "promotion", _("Promotion")


class TransferKind(models.TextChoices):
    GRANT = "grant", _("Grant")
    RESET = "reset", _("Reset")
    ADJUSTMENT = "adjustment", _("Adjustment")
    CHARGE = "charge", _("Charge")
    REFUND = "refund", _("Refund")
    REFILL = "refill", _("Refill")
    REDEMPTION = "redemption", _("Redemption")
    EARNED = "earned", _("Earned")
    EXPIRY = "expiry", _("Expiry")
    REVERSAL = "reversal", _("Reversal")


class HoldStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    POSTED = "posted", _("Posted")
    VOIDED = "voided", _("Voided")
    EXPIRED = "expired", _("Expired")


class LotSource(models.TextChoices):
    GRANTED = "granted", _("Granted")
    PURCHASED = "purchased", _("Purchased")
    EARNED = "earned", _("Earned")


# Free credits are spent before paid ones: the rank orders lots of the same expiry.
LOT_SOURCE_RANK: dict[str, int] = {LotSource.GRANTED: 0, LotSource.EARNED: 0, LotSource.PURCHASED: 1}

# Which lot source a transfer of each kind creates on the receiving account.
LOT_SOURCE_FOR_KIND: dict[str, str] = {
    TransferKind.REFILL: LotSource.PURCHASED,
    TransferKind.EARNED: LotSource.EARNED,
}
