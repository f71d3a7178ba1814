"""Django discovers the plugin's models here; each domain keeps its own models module."""

from credits_plugin.awards.models import AwardedCredit, CourseCredit, Credit, CreditType, LearnerLicence
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer, Unit
from credits_plugin.pricing.models import CourseTier, CurrencyValue, ModePrice, PriceTier
from credits_plugin.purchases.models import Purchase
from credits_plugin.wallets.models import (
    CreditGroup,
    EarningRule,
    GrantBatch,
    Organisation,
    OrganisationMember,
)

__all__ = [
    "Account",
    "AwardedCredit",
    "CourseCredit",
    "CourseTier",
    "Credit",
    "CreditGroup",
    "CreditType",
    "CurrencyValue",
    "EarningRule",
    "Entry",
    "GrantBatch",
    "Hold",
    "LearnerLicence",
    "Lot",
    "ModePrice",
    "Organisation",
    "OrganisationMember",
    "PriceTier",
    "Purchase",
    "Transfer",
    "Unit",
]
