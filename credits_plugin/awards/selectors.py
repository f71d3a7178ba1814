"""Awarded credits, read: credit types and credits, the credits a course carries, a learner's
awards and their totals, and what a certificate prints. Writes are in services.py, the
transcripts (CSV, PDF) in transcripts.py."""

from __future__ import annotations

from collections import OrderedDict

from django.utils.translation import gettext_lazy as _

from credits_plugin import exceptions
from credits_plugin.awards.models import AwardedCredit, CourseCredit, Credit, CreditType, LearnerLicence
from credits_plugin.conf import platform
from credits_plugin.courses import course_name, parse_course_key
from credits_plugin.money import format_credits, parse_ascii_int


def courses_with_several(credit_type: CreditType) -> bool:
    seen: set[str] = set()
    for course_id in CourseCredit.objects.filter(credit__type=credit_type).values_list(
        "course_id", flat=True
    ):
        if course_id in seen:
            return True
        seen.add(course_id)
    return False


def get_credit(credit_id) -> Credit:
    """The credit ``credit_id`` (an int or ASCII digits). Refuses InvalidValue (400) for any
    other text, UnknownCredit (404) when there is no such credit."""
    pk = parse_ascii_int(credit_id)
    if pk is None:
        raise exceptions.InvalidValue(_("A credit id is a number made of the digits 0-9."), field="credit")
    credit = Credit.objects.select_related("type").filter(pk=pk).first()
    if credit is None:
        raise exceptions.UnknownCredit(credit_id=str(credit_id))
    return credit


def course_credits(course_id) -> list[CourseCredit]:
    """The credits a course carries, with their credit and type (one query).

    Refuses an invalid course key (InvalidCourseKey).
    """
    return list(
        CourseCredit.objects.filter(course_id=str(parse_course_key(course_id)))
        .select_related("credit__type")
        .order_by("credit__type__name", "credit__name")
    )


def course_credit_snapshot(course_credit: CourseCredit) -> dict:
    """What an award copies of the credit a course carries (later changes never alter it)."""
    credit = course_credit.credit
    return {
        "amount": course_credit.amount,
        "unit_label": credit.unit_label,
        "credit_name": credit.name,
        "type_name": credit.type.name,
        "reference_number": credit.reference_number,
        "accrediting_body": credit.accrediting_body,
    }


def awards(*, user, course_id=None, include_revoked: bool = False):
    """The learner's awards, newest first (a queryset). Refuses an invalid ``course_id``
    (InvalidCourseKey)."""
    queryset = AwardedCredit.objects.filter(user=user)
    if course_id is not None:
        queryset = queryset.filter(course_id=str(parse_course_key(course_id)))
    if not include_revoked:
        queryset = queryset.filter(status=AwardedCredit.Status.AWARDED)
    return queryset.order_by("-issued_at", "course_id", "type_name", "credit_name")


def award_row(award: AwardedCredit) -> dict:
    """An award as the REST API and the pages show it.

    Refuses nothing.
    """
    return {
        "id": award.pk,
        "course_id": award.course_id,
        "type_name": award.type_name,
        "credit_name": award.credit_name,
        "amount": award.amount,
        "unit_label": award.unit_label,
        "reference_number": award.reference_number,
        "accrediting_body": award.accrediting_body,
        "certificate_id": award.certificate_id,
        "issued_at": award.issued_at,
        "status": award.status,
        "revoked_at": award.revoked_at,
    }


def with_display(row: dict) -> dict:
    """The row with ``amount_display``: 150 hundredths of hours -> "1.50 hours"."""
    return {**row, "amount_display": f"{format_credits(row['amount'])} {row['unit_label']}".strip()}


def certificate_credits(*, user_id, course_id, preview: bool = False) -> list[dict]:
    """What a certificate prints: the learner's awards for the course (one query), or in a
    preview what the course carries now.

    Refuses an invalid course key (InvalidCourseKey).
    """
    if preview:
        return [with_display(row) for row in preview_course_credits(course_id)]
    course = str(parse_course_key(course_id))
    queryset = AwardedCredit.objects.filter(
        user_id=user_id, course_id=course, status=AwardedCredit.Status.AWARDED
    ).order_by("type_name", "credit_name")
    return [with_display(award_row(award)) for award in queryset]


def preview_course_credits(course_id, *, include_inactive: bool = False) -> list[dict]:
    """What a certificate of the course would carry now (for previews and the about page).

    Refuses an invalid course key (InvalidCourseKey).
    """
    rows = []
    for course_credit in course_credits(course_id):
        if include_inactive or course_credit.credit.active:
            rows.append(
                with_display(
                    {
                        "course_id": course_credit.course_id,
                        "credit_id": course_credit.credit_id,
                        "active": course_credit.credit.active,
                        **course_credit_snapshot(course_credit),
                    }
                )
            )
    return rows


def learner_summary(*, user) -> dict:
    """Totals of the learner's awarded credits by type and credit, by type, and per course.

    Amounts of different units are never added together: totals are keyed by unit too.

    Refuses nothing.
    """
    by_credit: OrderedDict[tuple, dict] = OrderedDict()
    by_type: OrderedDict[tuple, dict] = OrderedDict()
    courses: OrderedDict[str, dict] = OrderedDict()
    for award in awards(user=user):
        key = (award.type_name, award.credit_name, award.unit_label)
        row = by_credit.setdefault(
            key, {"type_name": key[0], "credit_name": key[1], "unit_label": key[2], "amount": 0}
        )
        row["amount"] += award.amount
        type_key = (award.type_name, award.unit_label)
        type_row = by_type.setdefault(
            type_key, {"type_name": type_key[0], "unit_label": type_key[1], "amount": 0}
        )
        type_row["amount"] += award.amount
        course = courses.setdefault(
            award.course_id,
            {
                "course_id": award.course_id,
                "course_name": course_name(award.course_id),
                "issued_at": award.issued_at,
                "credits": [],
            },
        )
        course["credits"].append(award_row(award))
    return {
        "by_credit": sorted(
            by_credit.values(), key=lambda r: (r["type_name"], r["credit_name"], r["unit_label"])
        ),
        "by_type": sorted(by_type.values(), key=lambda r: (r["type_name"], r["unit_label"])),
        "courses": list(courses.values()),
    }


def licences(*, user) -> list[LearnerLicence]:
    """The learner's licence numbers, by accrediting body.

    Refuses nothing.
    """
    return list(LearnerLicence.objects.filter(user=user).order_by("accrediting_body"))


def list_credit_types() -> list[CreditType]:
    """Every credit type, by name.

    Refuses nothing.
    """
    return list(CreditType.objects.order_by("name"))


def list_credits(*, include_inactive: bool = True) -> list[Credit]:
    """Every credit (with its type), by type and name; only active ones unless ``include_inactive``.

    Refuses nothing.
    """
    queryset = Credit.objects.select_related("type").order_by("type__name", "name")
    if not include_inactive:
        queryset = queryset.filter(active=True)
    return list(queryset)


def passing_certificates(*, course_id=None):
    """The platform's passing certificates (a queryset with ``user``), of one course run when
    ``course_id`` is given; refuses an invalid key with InvalidCourseKey."""
    certificates = platform().passing_certificates()
    if course_id:
        certificates = certificates.filter(course_id=parse_course_key(course_id))
    return certificates
