"""``manage.py seed_demo``: fill the demo host (sandbox/) so that a new user sees every feature.

It creates accounts, groups, courses with their modes, enrolments, a certificate and wallet
credits (lots with and without expiry, charges, a hold). Running it again changes nothing that
already exists: users, groups and courses are looked up by their natural keys, and every ledger
movement uses a stable idempotency key.

Courses only exist as rows in the demo host; inside the LMS they come from the modulestore. The
command therefore refuses to run unless the settings mark the project as the demo host
(``CREDITS_DEMO_HOST = True``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from opaque_keys.edx.keys import CourseKey
from waffle.models import Switch

from credits_plugin import api
from credits_plugin.exceptions import IdempotencyConflict
from credits_plugin.wallets.models import CreditGroup, Organisation, OrganisationMember

KEY_PREFIX = "seed_demo"
# (username, password, is_staff, is_superuser, first name, last name)
USERS = [
    ("operator", "operator", True, True, "Olivia", "Operator"),
    ("author", "author", True, False, "Arthur", "Author"),
    ("alice", "alice", False, False, "Alice", "Archer"),
    ("bob", "bob", False, False, "Bob", "Baker"),
    ("carol", "carol", False, False, "Carol", "Chen"),
]
GROUPS = {"Nurses": ["alice", "bob"], "Engineers": ["bob", "carol"]}
DEMO_ORGANISATION = "HealthU"

AUDIT = ("audit", "Audit", 0)
VERIFIED = ("verified", "Verified Certificate", 49)
PROFESSIONAL = ("professional", "Professional Education", 149)


@dataclass(frozen=True)
class DemoCourse:
    key: str
    name: str
    description: str
    modes: tuple[tuple[str, str, int], ...]
    starts_in_days: int = -14
    weeks: int = 12
    places: int | None = None


COURSES = [
    DemoCourse(
        "course-v1:DemoX+Py101+2026",
        "Python for Everyone",
        "Write your first programs, from variables to functions.",
        (AUDIT, VERIFIED, PROFESSIONAL),
    ),
    DemoCourse(
        "course-v1:DemoX+Data201+2026",
        "Data Analysis with SQL",
        "Query, join and summarise real data sets.",
        (AUDIT, ("verified", "Verified Certificate", 79)),
        starts_in_days=7,
    ),
    DemoCourse(
        "course-v1:HealthU+Nurse101+2026",
        "Infection Prevention and Control",
        "Hand hygiene, protective equipment and outbreak response for nurses.",
        (AUDIT, VERIFIED, ("professional", "Professional Education", 199)),
    ),
    DemoCourse(
        "course-v1:HealthU+Ethics300+2026",
        "Clinical Ethics Workshop",
        "A small-group workshop on consent, capacity and confidentiality.",
        (AUDIT, ("professional", "Professional Education", 99)),
        weeks=4,
        places=3,
    ),
]

# (username, course key): audit enrolments through CourseEnrollment.enroll.
ENROLMENTS = [
    ("alice", "course-v1:DemoX+Py101+2026"),
    ("alice", "course-v1:HealthU+Nurse101+2026"),
    ("bob", "course-v1:HealthU+Nurse101+2026"),
    ("carol", "course-v1:DemoX+Data201+2026"),
]
# Awarded credits: (type name, reference required, several per course) ...
CREDIT_TYPES = [
    ("CPE", True, False, "Continuing professional education for accountants."),
    ("Nursing CE", False, True, "Continuing education contact hours for nurses."),
]
# ... (type, credit, unit, reference number, accrediting body) ...
CREDITS = [
    ("CPE", "Information Technology", "hours", "NASBA-112233", "NASBA"),
    ("CPE", "Ethics", "hours", "NASBA-445566", "NASBA"),
    ("Nursing CE", "Infection Control", "contact hours", "ANCC-2026-07", "ANCC"),
    ("Nursing CE", "Patient Safety", "contact hours", "", "ANCC"),
]
# ... and (course key, type, credit, amount in hundredths) on the demo courses.
COURSE_CREDITS = [
    ("course-v1:DemoX+Py101+2026", "CPE", "Information Technology", 150),
    ("course-v1:HealthU+Nurse101+2026", "Nursing CE", "Infection Control", 300),
    ("course-v1:HealthU+Nurse101+2026", "Nursing CE", "Patient Safety", 125),
    ("course-v1:HealthU+Ethics300+2026", "CPE", "Ethics", 400),
]
# (username, course key, mode): a passing certificate after moving the enrolment to ``mode``.
CERTIFICATES = [("alice", "course-v1:DemoX+Py101+2026", "verified")]


def _host_models() -> dict[str, Any]:
    """The LMS stand-ins of the demo host, imported only when the command runs there."""
    from common.djangoapps.course_modes.models import CourseMode
    from common.djangoapps.student.models import CourseEnrollment
    from lms.djangoapps.certificates.generation import generate_course_certificate
    from lms.djangoapps.certificates.models import GeneratedCertificate
    from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

    return {
        "CourseOverview": CourseOverview,
        "CourseMode": CourseMode,
        "CourseEnrollment": CourseEnrollment,
        "GeneratedCertificate": GeneratedCertificate,
        "generate_course_certificate": generate_course_certificate,
    }


class Command(BaseCommand):
    help = (
        "Fill the demo host with users, groups, courses, enrolments, a certificate and wallet credits. "
        "Safe to run more than once."
    )

    def handle(self, *args, **options):
        if not getattr(settings, "CREDITS_DEMO_HOST", False):
            raise CommandError(
                _(
                    "seed_demo only runs in the demo host (sandbox/, setting CREDITS_DEMO_HOST): it creates "
                    "courses, which the LMS takes from its course catalogue."
                )
            )
        models = _host_models()
        users = self._users()
        self._groups(users)
        self._courses(models)
        self._prices()
        self._enrolments(models, users)
        self._awarded_credits(users)
        self._certificates(models, users)
        self._switches()
        self._wallets(users)
        self._organisations(users)

        report = api.verify_ledger()
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(_("The ledger does not add up after seeding."))
        self._say(
            _("Ledger verified: {accounts} accounts, {transfers} transfers, no problem.").format(
                accounts=report.accounts_checked, transfers=report.transfers_checked
            )
        )
        self._how_to_sign_in()

    # --- Output ------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.stdout.write(text)

    def _heading(self, text: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(text))

    @staticmethod
    def _state(created: bool) -> str:
        return _("created") if created else _("exists")

    # --- People ------------------------------------------------------------------------------

    def _users(self) -> dict[str, Any]:
        self._heading(_("Users"))
        user_model = get_user_model()
        users = {}
        for username, password, is_staff, is_superuser, first, last in USERS:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@example.com",
                    "first_name": first,
                    "last_name": last,
                    "is_staff": is_staff,
                    "is_superuser": is_superuser,
                },
            )
            if created or not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            users[username] = user
            self._say(f"  {username:<10} {self._state(created)}")
        return users

    def _groups(self, users: dict[str, Any]) -> None:
        self._heading(_("Groups"))
        for name, members in GROUPS.items():
            group, created = Group.objects.get_or_create(name=name)
            group.user_set.add(*(users[username] for username in members))
            # The same people as a credit group, so that operators can give credits to "Nurses".
            credit_group, _created = CreditGroup.objects.get_or_create(
                name=name, defaults={"description": _("Demo group of learners.")}
            )
            credit_group.members.add(*(users[username] for username in members))
            self._say(f"  {name:<10} {self._state(created)}: {', '.join(members)}")

    def _organisations(self, users: dict[str, Any]) -> None:
        self._heading(_("Organisations"))
        org, created = Organisation.objects.get_or_create(
            key=DEMO_ORGANISATION,
            defaults={
                "name": "HealthU Hospital Trust",
                "members_can_spend": True,
                "member_spending_cap": 10_000,
            },
        )
        for username, role in (
            ("bob", OrganisationMember.Role.ADMIN),
            ("alice", OrganisationMember.Role.MEMBER),
        ):
            OrganisationMember.objects.get_or_create(
                organisation=org, user=users[username], defaults={"role": role}
            )
        wallet = api.organisation_wallet(org.key)
        self._grant(
            wallet,
            f"{KEY_PREFIX}:org:{org.key}:budget",
            50_000,
            "Training budget",
            None,
            "purchased",
            users["operator"],
        )
        self._say(
            f"  {org.key:<10} {self._state(created)}: "
            + _("wallet {balance} {unit}; members may spend up to {cap} each").format(
                balance=api.format_credits(api.balance(wallet).balance),
                unit=api.balance(wallet).unit,
                cap=api.format_credits(org.member_spending_cap or 0),
            )
        )

    # --- Courses -----------------------------------------------------------------------------

    def _courses(self, models: dict[str, Any]) -> None:
        self._heading(_("Courses"))
        course_overview, course_mode = models["CourseOverview"], models["CourseMode"]
        today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        for demo in COURSES:
            start = today + timedelta(days=demo.starts_in_days)
            course_key = CourseKey.from_string(demo.key)
            course, created = course_overview.objects.get_or_create(
                id=course_key,
                defaults={
                    "display_name": demo.name,
                    "org": course_key.org,
                    "short_description": demo.description,
                    "start": start,
                    "end": start + timedelta(weeks=demo.weeks),
                    "enrollment_start": today - timedelta(days=30),
                    "enrollment_end": start + timedelta(weeks=demo.weeks - 1),
                    "max_student_enrollments_allowed": demo.places,
                },
            )
            for slug, display_name, price in demo.modes:
                course_mode.objects.get_or_create(
                    course=course,
                    mode_slug=slug,
                    currency="usd",
                    defaults={"mode_display_name": display_name, "min_price": price},
                )
            prices = ", ".join(
                f"{slug} {price} USD" if price else f"{slug} free" for slug, __, price in demo.modes
            )
            self._say(f"  {demo.key:<34} {self._state(created)}: {demo.name} ({prices})")

    def _prices(self) -> None:
        """1 USD = 1 credit for every paid mode; a Gold tier and one credits-only mode to show."""
        from credits_plugin.pricing.models import CourseTier, CurrencyValue, ModePrice, PriceTier

        self._heading(_("Prices in credits"))
        _row0, created = CurrencyValue.objects.get_or_create(
            currency="usd", defaults={"credits_per_unit": 100}
        )
        self._say(f"  1 USD = 1 credit {self._state(created)}")
        _row1, created = CurrencyValue.objects.get_or_create(
            currency="gbp", defaults={"credits_per_unit": 1_000}
        )
        self._say(f"  1 GBP = 10 credits {self._state(created)}")
        gold, created = PriceTier.objects.get_or_create(name="Gold", defaults={"price": 15_000})
        self._say(f"  tier Gold = 150 credits {self._state(created)}")
        last = COURSES[-1]
        _row2, created = CourseTier.objects.get_or_create(
            course_key=CourseKey.from_string(last.key), defaults={"tier": gold}
        )
        self._say(f"  {last.key} is in tier Gold {self._state(created)}")
        first = COURSES[0]
        _row3, created = ModePrice.objects.get_or_create(
            course_key=CourseKey.from_string(first.key),
            mode_slug="professional",
            defaults={"price": 9_900, "credits_only": True},
        )
        self._say(f"  {first.key} professional: 99 credits, credits only {self._state(created)}")

    def _enrolments(self, models: dict[str, Any], users: dict[str, Any]) -> None:
        self._heading(_("Enrolments"))
        enrollment_model = models["CourseEnrollment"]
        for username, course_key in ENROLMENTS:
            user = users[username]
            key = CourseKey.from_string(course_key)
            created = not enrollment_model.is_enrolled(user, key)
            if created:
                # The default (audit) mode, so that the plugin's paid-mode guard never objects.
                enrollment_model.enroll(user, key)
            self._say(f"  {username:<10} {course_key:<34} {self._state(created)}")

    def _awarded_credits(self, users: dict[str, Any]) -> None:
        """Credit types and credits, put on demo courses; existing rows are left as they are."""
        from credits_plugin.awards.models import CourseCredit, Credit, CreditType

        self._heading(_("Awarded credits"))
        types: dict[str, CreditType] = {}
        for name, reference_required, several, description in CREDIT_TYPES:
            found_type = CreditType.objects.filter(name=name).first()
            created = found_type is None
            if found_type is None:
                found_type = api.create_credit_type(
                    name=name,
                    description=description,
                    reference_required=reference_required,
                    allow_multiple_per_course=several,
                )
            types[name] = found_type
            self._say(f"  type {name:<28} {self._state(created)}")
        credits: dict[tuple[str, str], Credit] = {}
        for type_name, name, unit, reference, body in CREDITS:
            found = Credit.objects.filter(type=types[type_name], name=name).first()
            created = found is None
            if found is None:
                found = api.create_credit(
                    type=types[type_name],
                    name=name,
                    unit_label=unit,
                    reference_number=reference,
                    accrediting_body=body,
                )
            credits[(type_name, name)] = found
            self._say(f"  credit {type_name}: {name:<24} {self._state(created)}")
        for course_key, type_name, name, amount in COURSE_CREDITS:
            credit = credits[(type_name, name)]
            created = not CourseCredit.objects.filter(course_id=course_key, credit=credit).exists()
            if created:
                api.set_course_credit(course_id=course_key, credit=credit, amount=amount)
            self._say(
                f"  {course_key:<34} {type_name}: {name} {api.format_credits(amount)} {credit.unit_label} "
                f"{self._state(created)}"
            )
        # Course authors: "author" is staff of Nurse101 (a Django group in the demo host).
        staff_group, __ = Group.objects.get_or_create(name="course_staff:course-v1:HealthU+Nurse101+2026")
        staff_group.user_set.add(users["author"])

    def _certificates(self, models: dict[str, Any], users: dict[str, Any]) -> None:
        self._heading(_("Certificates"))
        enrollment_model, certificate_model = models["CourseEnrollment"], models["GeneratedCertificate"]
        for username, course_key, mode in CERTIFICATES:
            user = users[username]
            key = CourseKey.from_string(course_key)
            existing = certificate_model.certificate_for_student(user, key)
            created = existing is None or not existing.is_valid()
            if created:
                enrollment = enrollment_model.get_enrollment(user, key)
                # An operator's upgrade, as the platform's enrolment API does it (no filter runs).
                enrollment.update_enrollment(mode=mode)
                existing = models["generate_course_certificate"](
                    user, key, status="downloadable", enrollment_mode=mode, course_grade="0.92"
                )
            # A certificate issued before its course carried credits (an earlier seed) gets them now.
            api.award_for_certificate(
                user=user, course_id=key, certificate_id=existing.verify_uuid, issued_at=existing.created_date
            )
            self._say(
                f"  {username:<10} {course_key:<34} {self._state(created)}: /certificates/{existing.verify_uuid}"
            )

    def _switches(self) -> None:
        self._heading(_("Switches"))
        switch, created = Switch.objects.get_or_create(
            name="credits_plugin.enabled", defaults={"active": True}
        )
        if not switch.active:
            switch.active = True
            switch.save(update_fields=["active"])
        self._say(f"  credits_plugin.enabled     {self._state(created)}: on")

    # --- Wallet credits ----------------------------------------------------------------------

    def _wallets(self, users: dict[str, Any]) -> None:
        self._heading(_("Wallet credits"))
        api.ensure_unit(getattr(settings, "CREDITS_PLUGIN_WALLET_UNIT", "credits"), name="Credits")
        operator = users["operator"]
        soon = timezone.now() + timedelta(days=5)
        later = timezone.now() + timedelta(days=30)
        plan: dict[str, list[tuple]] = {
            "alice": [
                ("grant", "welcome", 15_000, "Welcome credits", None, "granted"),
                ("grant", "spring-promotion", 5_000, "Spring promotion", later, "granted"),
                ("charge", "workshop-materials", 2_000, "Workshop materials", None, None),
                ("hold", "pending-workshop", 1_500, "Pending: clinical ethics workshop", None, None),
            ],
            "bob": [
                ("grant", "team-budget", 10_000, "Nursing team budget", soon, "granted"),
                ("charge", "study-guide", 1_250, "Study guide", None, None),
            ],
            "carol": [
                ("grant", "purchased-pack", 30_000, "Credit pack bought by her employer", None, "purchased"),
                ("grant", "referral-bonus", 2_500, "Referral bonus", later, "granted"),
            ],
        }
        for username, steps in plan.items():
            wallet = api.user_wallet(users[username])
            for action, label, amount, reason, expires_at, source in steps:
                key = f"{KEY_PREFIX}:{username}:{action}:{label}"
                if action == "grant":
                    self._grant(wallet, key, amount, reason, expires_at, source, operator)
                elif action == "charge":
                    api.charge(
                        account=wallet, amount=amount, idempotency_key=key, actor=operator, reason=reason
                    )
                else:
                    api.place_hold(
                        account=wallet,
                        amount=amount,
                        idempotency_key=key,
                        actor=operator,
                        reason=reason,
                        expires_at=timezone.now() + timedelta(days=7),
                    )
            balance = api.balance(wallet)
            self._say(
                f"  {username:<10} "
                + _("balance {balance}, held {held}, available {available} {unit}").format(
                    balance=api.format_credits(balance.balance),
                    held=api.format_credits(balance.held),
                    available=api.format_credits(balance.available),
                    unit=balance.unit,
                )
            )

    @staticmethod
    def _grant(wallet, key: str, amount: int, reason: str, expires_at, source: str, actor) -> None:
        # An earlier run may have granted this lot with an expiry computed from its own "now".
        with contextlib.suppress(IdempotencyConflict):
            api.grant(
                account=wallet,
                amount=amount,
                idempotency_key=key,
                actor=actor,
                reason=reason,
                expires_at=expires_at,
                source=source,
            )

    def _how_to_sign_in(self) -> None:
        self._heading(_("How to sign in"))
        self._say(_("  Start the server (make demo) and open http://127.0.0.1:8000/login/"))
        for username, password, is_staff, is_superuser, __, __ in USERS:
            role = _("operator (superuser)") if is_superuser else _("staff") if is_staff else _("learner")
            self._say(
                f"  {username:<10} "
                + _("password {password:<10} {role}").format(password=password, role=role)
            )
