"""Ledger models. Amounts are integers of the unit's minor unit (hundredths); never floats.

Transfers, entries and holds are append-only history: a mistake is fixed by a reversing
transfer, never by editing a row. The database refuses what must never happen (CHECK and
UNIQUE constraints), so a bug in Python cannot corrupt a balance.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credits_plugin.constants import AccountKind, HoldStatus, LotSource, TransferKind


class Unit(models.Model):
    """A unit of value: wallet credits, or an ISO 4217 currency for training credits.

    .. no_pii:
    """

    code = models.CharField(
        primary_key=True, max_length=16, help_text=_("'credits', or an ISO 4217 code such as 'USD'.")
    )
    name = models.CharField(max_length=64, help_text=_("Name shown to people."))
    exponent = models.PositiveSmallIntegerField(
        default=2, help_text=_("Digits after the decimal point: amounts are stored in 10^-exponent.")
    )

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_unit"
        verbose_name = _("unit")

    def __str__(self) -> str:
        return self.code


class Account(models.Model):
    """Anything that holds a balance in one unit.

    ``balance`` and ``held`` cache the sum of the account's entries and of its pending holds so
    that a balance read never sums history; ``verify_ledger`` proves the cache right.

    .. pii: ``user`` and ``holder`` ('user:<id>') link a learner's wallet to their user id.
        Retained on retirement: the platform keeps the (anonymised) user row, and the balance
        and its history are money records that the ledger never deletes.
    .. pii_types: id
    .. pii_retirement: retained
    """

    kind = models.CharField(
        max_length=16, choices=AccountKind.choices, help_text=_("What the account is for.")
    )
    holder = models.CharField(
        max_length=128,
        help_text=_("Who holds it: 'user:<id>', 'org:<key>', 'training:<id>' or 'system:<name>'."),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, db_column="unit", related_name="+")
    shard = models.PositiveSmallIntegerField(
        default=0, help_text=_("System accounts are split over several rows to avoid a hot row lock.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The learner who owns this wallet, for user wallets."),
    )
    balance = models.BigIntegerField(default=0, help_text=_("Sum of posted entries, in minor units."))
    held = models.BigIntegerField(default=0, help_text=_("Sum of pending holds, in minor units."))
    overdraft_limit = models.BigIntegerField(
        null=True,
        blank=True,
        default=0,
        help_text=_("How far below zero the available balance may go; empty means no limit."),
    )
    is_active = models.BooleanField(default=True, help_text=_("A closed account accepts no new transfers."))
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_account"
        verbose_name = _("account")
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "unit", "shard"], name="credits_account_holder_unit_shard"
            ),
            models.CheckConstraint(condition=Q(held__gte=0), name="credits_account_held_not_negative"),
            models.CheckConstraint(
                condition=Q(overdraft_limit__isnull=True) | Q(overdraft_limit__gte=0),
                name="credits_account_overdraft_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(overdraft_limit__isnull=True) | Q(balance__gte=F("held") - F("overdraft_limit")),
                name="credits_account_available_within_overdraft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} ({self.unit_id})"

    @property
    def available(self) -> int:
        return self.balance - self.held

    @property
    def tracks_lots(self) -> bool:
        return self.kind != AccountKind.SYSTEM


class Hold(models.Model):
    """A pending transfer: value reserved on the debit account, later posted, voided or expired.

    .. pii: ``actor`` is the user id of who placed the hold; ``reason`` is a text written by
        the system (the course and mode of a checkout) or by an operator. Retained on
        retirement with the amounts: holds are ledger history.
    .. pii_types: id, other
    .. pii_retirement: retained
    """

    idempotency_key = models.CharField(max_length=255, unique=True)
    request_hash = models.CharField(max_length=64, help_text=_("Fingerprint of the request behind the key."))
    kind = models.CharField(max_length=16, choices=TransferKind.choices, default=TransferKind.CHARGE)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, db_column="unit", related_name="+")
    amount = models.BigIntegerField()
    debit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="holds")
    credit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=HoldStatus.choices, default=HoldStatus.PENDING)
    allocations = models.JSONField(
        default=list, blank=True, help_text=_("Lots reserved by the hold: [[lot id, amount], ...].")
    )
    expires_at = models.DateTimeField(help_text=_("When a still pending hold is released."))
    resolved_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    reference = models.CharField(max_length=255, blank=True, db_index=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_hold"
        verbose_name = _("hold")
        indexes = [models.Index(fields=["status", "expires_at"], name="credits_hold_status_expiry")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credits_hold_amount_positive")]

    def __str__(self) -> str:
        return f"hold {self.pk} {self.amount} {self.unit_id} {self.status}"


class Transfer(models.Model):
    """One balanced movement of value between two accounts of the same unit.

    .. pii: ``actor`` is the user id of who caused the transfer; ``reason`` is the comment an
        operator wrote (or a text of the system) and ``idempotency_key`` may contain user ids.
        Retained on retirement: transfers are the append-only money history, and learners type
        nothing into them.
    .. pii_types: id, other
    .. pii_retirement: retained
    """

    idempotency_key = models.CharField(max_length=255, unique=True)
    request_hash = models.CharField(max_length=64, help_text=_("Fingerprint of the request behind the key."))
    kind = models.CharField(max_length=16, choices=TransferKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, db_column="unit", related_name="+")
    amount = models.BigIntegerField(help_text=_("Value moved, in minor units; always positive."))
    debit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    credit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    hold = models.OneToOneField(
        Hold,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer",
        help_text=_("The hold this transfer posted."),
    )
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        help_text=_("The transfer this one undoes."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who caused the transfer; empty for the system."),
    )
    reason = models.TextField(blank=True, help_text=_("Comment recorded with the transfer."))
    reference = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text=_("External reference: course key, enrolment, certificate, payment id."),
    )
    batch = models.CharField(
        max_length=64, blank=True, db_index=True, help_text=_("Groups a bulk operation.")
    )
    created = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_transfer"
        verbose_name = _("transfer")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credits_transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")), name="credits_transfer_distinct_accounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.unit_id} #{self.pk}"


class Lot(models.Model):
    """Value that arrived on an account together, with a source and an optional expiry.

    Invariant: the remainders of an account's lots add up to max(0, available).

    .. no_pii:
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lots")
    source = models.CharField(max_length=16, choices=LotSource.choices, default=LotSource.GRANTED)
    amount = models.BigIntegerField(help_text=_("Value the lot arrived with."))
    remaining = models.BigIntegerField(help_text=_("Value still unspent."))
    expired_amount = models.BigIntegerField(default=0, help_text=_("Value moved out by expiry so far."))
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    warned_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the holder was told that this lot is about to expire.")
    )
    transfer = models.ForeignKey(
        Transfer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The transfer that created the lot."),
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_lot"
        verbose_name = _("lot")
        indexes = [models.Index(fields=["account", "remaining"], name="credits_lot_account_remaining")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credits_lot_amount_positive"),
            models.CheckConstraint(condition=Q(remaining__gte=0), name="credits_lot_remaining_not_negative"),
        ]

    def __str__(self) -> str:
        return f"lot {self.pk}: {self.remaining}/{self.amount}"


class Entry(models.Model):
    """One side of a transfer on one account (and, for spendable accounts, one lot).

    A negative amount leaves the account, a positive one arrives. The entries of a transfer add
    up to zero.

    .. no_pii:
    """

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_entry"
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        indexes = [models.Index(fields=["account", "transfer"], name="credits_entry_account_transfer")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="credits_entry_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.amount} on {self.account_id}"
