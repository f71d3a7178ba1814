"""Groups, organisations and bulk operations around wallets."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from credits_plugin.money import format_credits


class CreditGroup(models.Model):
    """A group (branch) of users that operators give credits to together.

    .. pii: ``members`` (the table credits_plugin_creditgroup_members) links users to a group.
        A retired learner is removed from every group (``api.retire_user``).
    .. pii_types: id
    .. pii_retirement: local_api
    """

    name = models.CharField(max_length=128, unique=True, help_text=_("Name shown to operators."))
    description = models.TextField(blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="credit_groups")
    created = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(table_name="credits_plugin_historicalcreditgroup")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_creditgroup"
        verbose_name = _("credit group")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """An organisation whose members may share a wallet.

    .. no_pii:
    """

    key = models.CharField(
        max_length=255,
        unique=True,
        help_text=_("The organisation's short name, as in course keys (e.g. 'DemoX')."),
    )
    name = models.CharField(max_length=255)
    credits_enabled = models.BooleanField(
        default=True, help_text=_("When off, the organisation's courses cannot be bought with credits.")
    )
    members_can_spend = models.BooleanField(
        default=False, help_text=_("Members may pay for courses from the organisation wallet.")
    )
    member_spending_cap = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Most a member may spend from the organisation wallet, in hundredths; empty means no cap."
        ),
    )
    history = HistoricalRecords(table_name="credits_plugin_historicalorganisation")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_organisation"
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name or self.key


class OrganisationMember(models.Model):
    """A user's membership of an organisation.

    .. pii: links a user to an organisation. Deleted on retirement (``api.retire_user``).
    .. pii_types: id
    .. pii_retirement: local_api
    """

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ADMIN = "admin", _("Administrator")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_organisations"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_organisationmember"
        verbose_name = _("organisation member")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="credits_org_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation}"


class GrantBatch(models.Model):
    """One operator action over many wallets (give or reset credits), run in the background.

    .. pii: ``target_value`` of a one-user operation is the username, email or id the operator
        typed; ``actor`` and ``undo_actor`` are operators' user ids; ``comment`` is the
        operator's text. On retirement ``api.retire_user`` replaces the retired learner's
        username or email in ``target_value`` by their user id (and re-fingerprints the
        request); user ids and comments are retained with the money history.
    .. pii_types: id, username, email_address, other
    .. pii_retirement: local_api
    """

    class Action(models.TextChoices):
        GRANT = "grant", _("Give credits")
        RESET = "reset", _("Reset credits")

    class Target(models.TextChoices):
        ALL = "all", _("All active users")
        GROUP = "group", _("A group")
        ORGANISATION = "organisation", _("An organisation's members")
        USER = "user", _("One user")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        UNDOING = "undoing", _("Undoing")
        UNDONE = "undone", _("Undone")
        PARTLY_UNDONE = "partly_undone", _("Partly undone")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.CharField(max_length=16, choices=Action.choices)
    target = models.CharField(max_length=16, choices=Target.choices)
    target_value = models.CharField(
        max_length=255, blank=True, help_text=_("Group id, organisation key or user id.")
    )
    amount = models.BigIntegerField(
        help_text=_("Credits in hundredths: given per user, or the balance to reset to.")
    )
    comment = models.TextField(help_text=_("Why: recorded on every transfer of the batch."))
    expires_at = models.DateTimeField(null=True, blank=True, help_text=_("Expiry of the credits given."))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total_users = models.PositiveIntegerField(default=0)
    done_users = models.PositiveIntegerField(default=0)
    total_amount = models.BigIntegerField(
        default=0, help_text=_("Net credits moved by the batch, in hundredths.")
    )
    error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    finished = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The operator's key for this request (scoped to the operator); a repeat is a replay."),
    )
    request_hash = models.CharField(
        max_length=64, blank=True, editable=False, help_text=_("Fingerprint of the request behind the key.")
    )
    # Resuming: the worker that owns the batch, its last sign of life, and how far it got.
    worker = models.CharField(max_length=64, blank=True, editable=False)
    heartbeat = models.DateTimeField(
        default=timezone.now, help_text=_("Last progress of the background work on this operation.")
    )
    cursor = models.BigIntegerField(
        default=0, help_text=_("Users with an id up to this one are done (the run resumes after it).")
    )
    # Undo, run in the background like the operation itself.
    undo_actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_started = models.DateTimeField(null=True, blank=True)
    undo_finished = models.DateTimeField(null=True, blank=True)
    undo_total = models.PositiveIntegerField(default=0, help_text=_("Transfers to reverse."))
    undo_done = models.PositiveIntegerField(default=0, help_text=_("Transfers looked at so far."))
    undo_reversed = models.PositiveIntegerField(default=0, help_text=_("Transfers reversed."))
    undo_cursor = models.BigIntegerField(default=0, editable=False)
    undo_problems = models.JSONField(
        default=list, blank=True, help_text=_("Reversals refused (credits already spent).")
    )

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_grantbatch"
        verbose_name = _("bulk credit operation")
        ordering = ["-created"]
        # The operator permissions of wallet credits (docs/permissions.rst): what moves money is
        # never granted by is_staff alone.
        permissions = [
            ("give_credits", _("Can give, reset and adjust wallet credits")),
            ("undo_batch", _("Can undo a bulk credit operation")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="credits_batch_amount_not_negative")
        ]

    #: set by ``start_batch`` on the batch it returns: True when the request was a replay of an
    #: earlier one with the same idempotency key (nothing new was started).
    replayed = False

    def __str__(self) -> str:
        return f"{self.get_action_display()} {format_credits(self.amount)} → {self.get_target_display()}"


class EarningRule(models.Model):
    """Credits a learner earns by an achievement, given once per learner, course and rule.

    .. no_pii:
    """

    class Trigger(models.TextChoices):
        PASSED = "passed", _("Passing a course")
        CERTIFICATE = "certificate", _("Earning a certificate")

    name = models.CharField(
        max_length=128, help_text=_("Name shown to operators and in the learner's history.")
    )
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.PASSED)
    course_key = models.CharField(
        max_length=255, blank=True, help_text=_("Only this course run; empty for every course.")
    )
    amount = models.PositiveBigIntegerField(help_text=_("Credits given, in hundredths."))
    expires_after_days = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The earned credits expire this many days later; empty: never.")
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords(table_name="credits_plugin_historicalearningrule")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_earningrule"
        verbose_name = _("earning rule")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credits_earning_amount_positive")
        ]

    def __str__(self) -> str:
        return self.name
