"""Awarded credits: credit types and credits, the credits courses carry, and awards.

Rules:

- amounts are integers in hundredths of the credit's unit, greater than zero;
- a course key must be valid and name an existing course;
- a course carries at most one credit of a type unless the type allows more;
- a credit of a type that requires reference numbers needs one, when it is created and when
  it is put on a course;
- an award copies what the course carried when it was first awarded; later changes of the
  course or the credit never change it. Revoking keeps the row (status ``revoked``) and a
  re-issued certificate restores it, so a learner never has two awards of one credit for one
  course.

Every write runs in a transaction; bad input raises a CreditsError and changes nothing.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime
from html import escape

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credits_plugin import exceptions
from credits_plugin.awards.models import AwardedCredit, CourseCredit, Credit, CreditType, LearnerLicence
from credits_plugin.courses import course_name, parse_course_key, require_course
from credits_plugin.money import check_hundredths, format_credits, parse_ascii_int

log = logging.getLogger(__name__)

_CREDIT_TYPE_FIELDS = {"name", "description", "reference_required", "allow_multiple_per_course"}
_CREDIT_FIELDS = {"type", "name", "unit_label", "reference_number", "accrediting_body", "active"}


# --- Validation ---------------------------------------------------------------------------------


def validate_amount(amount) -> int:
    """An amount in hundredths: an int (never a bool or a float) between 1 and the ledger's
    maximum; InvalidAmount says the allowed range."""
    return check_hundredths(amount)


def _text(value, *, field: str, required: bool, max_length: int) -> str:
    text = "" if value is None else str(value).strip()
    if (required and not text) or len(text) > max_length:
        raise exceptions.InvalidValue(field=field)
    return text


# --- Credit types and credits -------------------------------------------------------------------


def _check_type_fields(fields: dict) -> dict:
    unknown = set(fields) - _CREDIT_TYPE_FIELDS
    if unknown:
        raise exceptions.InvalidValue(field=sorted(unknown)[0])
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = _text(cleaned["name"], field="name", required=True, max_length=128)
    if "description" in cleaned:
        cleaned["description"] = _text(
            cleaned["description"], field="description", required=False, max_length=10_000
        )
    for flag in ("reference_required", "allow_multiple_per_course"):
        if flag in cleaned and not isinstance(cleaned[flag], bool):
            raise exceptions.InvalidValue(field=flag)
    return cleaned


@transaction.atomic
def create_credit_type(
    *,
    name: str,
    description: str = "",
    reference_required: bool = False,
    allow_multiple_per_course: bool = False,
) -> CreditType:
    fields = _check_type_fields(
        {
            "name": name,
            "description": description,
            "reference_required": reference_required,
            "allow_multiple_per_course": allow_multiple_per_course,
        }
    )
    if CreditType.objects.filter(name=fields["name"]).exists():
        raise exceptions.DuplicateName(name=fields["name"])
    return CreditType.objects.create(**fields)


@transaction.atomic
def update_credit_type(credit_type: CreditType | int, **fields) -> CreditType:
    """Change a type. Requiring reference numbers is refused while an active credit of the type
    has none; allowing only one credit per course is refused while a course carries several."""
    fields = _check_type_fields(fields)
    obj = CreditType.objects.select_for_update().filter(pk=getattr(credit_type, "pk", credit_type)).first()
    if obj is None:
        raise exceptions.UnknownCreditType()
    if "name" in fields and CreditType.objects.filter(name=fields["name"]).exclude(pk=obj.pk).exists():
        raise exceptions.DuplicateName(name=fields["name"])
    if fields.get("reference_required") and obj.credits.filter(active=True, reference_number="").exists():
        raise exceptions.ReferenceNumberRequired()
    if fields.get("allow_multiple_per_course") is False and courses_with_several(obj):
        raise exceptions.OneCreditPerType()
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()
    return obj


def courses_with_several(credit_type: CreditType) -> bool:
    seen: set[str] = set()
    for course_id in CourseCredit.objects.filter(credit__type=credit_type).values_list(
        "course_id", flat=True
    ):
        if course_id in seen:
            return True
        seen.add(course_id)
    return False


def _check_credit_fields(fields: dict) -> dict:
    unknown = set(fields) - _CREDIT_FIELDS
    if unknown:
        raise exceptions.InvalidValue(field=sorted(unknown)[0])
    cleaned = dict(fields)
    if "type" in cleaned:
        credit_type = cleaned["type"]
        if not isinstance(credit_type, CreditType):
            type_id = parse_ascii_int(credit_type)
            credit_type = CreditType.objects.filter(pk=type_id).first() if type_id is not None else None
        if credit_type is None:
            raise exceptions.UnknownCreditType()
        cleaned["type"] = credit_type
    for name, required, length in (
        ("name", True, 255),
        ("unit_label", True, 64),
        ("reference_number", False, 128),
        ("accrediting_body", False, 255),
    ):
        if name in cleaned:
            cleaned[name] = _text(cleaned[name], field=name, required=required, max_length=length)
    if "active" in cleaned and not isinstance(cleaned["active"], bool):
        raise exceptions.InvalidValue(field="active")
    return cleaned


@transaction.atomic
def create_credit(
    *,
    type,
    name: str,
    unit_label: str = "hours",
    reference_number: str = "",
    accrediting_body: str = "",
    active: bool = True,
) -> Credit:
    fields = _check_credit_fields(
        {
            "type": type,
            "name": name,
            "unit_label": unit_label,
            "reference_number": reference_number,
            "accrediting_body": accrediting_body,
            "active": active,
        }
    )
    if fields["type"].reference_required and not fields["reference_number"]:
        raise exceptions.ReferenceNumberRequired()
    return Credit.objects.create(**fields)


@transaction.atomic
def update_credit(credit: Credit | int, **fields) -> Credit:
    fields = _check_credit_fields(fields)
    if "type" in fields:
        # The new type's row serialises changes of its credits on courses (set_course_credit
        # and update_credit_type lock it too): the check below then sees every one of them.
        CreditType.objects.select_for_update().get(pk=fields["type"].pk)
    obj = Credit.objects.select_for_update().filter(pk=getattr(credit, "pk", credit)).first()
    if obj is None:
        raise exceptions.UnknownCredit()
    for name, value in fields.items():
        setattr(obj, name, value)
    if obj.type.reference_required and not obj.reference_number:
        raise exceptions.ReferenceNumberRequired()
    if "type" in fields and not obj.type.allow_multiple_per_course:
        for course_id in CourseCredit.objects.filter(credit=obj).values_list("course_id", flat=True):
            if (
                CourseCredit.objects.filter(course_id=course_id, credit__type=obj.type)
                .exclude(credit=obj)
                .exists()
            ):
                raise exceptions.OneCreditPerType(course_id=course_id)
    obj.save()
    return obj


def get_credit(credit_id) -> Credit:
    """The credit ``credit_id`` (an int or ASCII digits); InvalidValue (400) for any other text,
    UnknownCredit (404) when there is no such credit."""
    pk = parse_ascii_int(credit_id)
    if pk is None:
        raise exceptions.InvalidValue(_("A credit id is a number made of the digits 0-9."), field="credit")
    credit = Credit.objects.select_related("type").filter(pk=pk).first()
    if credit is None:
        raise exceptions.UnknownCredit(credit_id=str(credit_id))
    return credit


# --- Credits of a course --------------------------------------------------------------------------


def course_credits(course_id) -> list[CourseCredit]:
    """The credits a course carries, with their credit and type (one query)."""
    return list(
        CourseCredit.objects.filter(course_id=str(parse_course_key(course_id)))
        .select_related("credit__type")
        .order_by("credit__type__name", "credit__name")
    )


@transaction.atomic
def set_course_credit(*, course_id, credit: Credit | int, amount: int) -> CourseCredit:
    """Put ``credit`` on the course with ``amount`` hundredths, or change its amount."""
    amount = validate_amount(amount)
    course_key = require_course(course_id)
    credit_obj = get_credit(getattr(credit, "pk", credit))
    # The type's row serialises changes of one type's credits on courses.
    credit_type = CreditType.objects.select_for_update().get(pk=credit_obj.type_id)
    if not credit_obj.active:
        raise exceptions.CreditInactive()
    if credit_type.reference_required and not credit_obj.reference_number:
        raise exceptions.ReferenceNumberRequired()
    course = str(course_key)
    existing = CourseCredit.objects.select_for_update().filter(course_id=course, credit=credit_obj).first()
    if existing is not None:
        if existing.amount != amount:
            existing.amount = amount
            existing.save()
        return existing
    if (
        not credit_type.allow_multiple_per_course
        and CourseCredit.objects.filter(course_id=course, credit__type=credit_type).exists()
    ):
        raise exceptions.OneCreditPerType()
    return CourseCredit.objects.create(course_id=course, credit=credit_obj, amount=amount)


@transaction.atomic
def remove_course_credit(*, course_id, credit: Credit | int) -> bool:
    """Take a credit off a course. Awards already made stay as they are."""
    course = str(parse_course_key(course_id))
    found = CourseCredit.objects.filter(course_id=course, credit_id=getattr(credit, "pk", credit)).first()
    if found is None:
        return False
    found.delete()
    return True


# --- Awards ----------------------------------------------------------------------------------------


def _snapshot(course_credit: CourseCredit) -> dict:
    credit = course_credit.credit
    return {
        "amount": course_credit.amount,
        "unit_label": credit.unit_label,
        "credit_name": credit.name,
        "type_name": credit.type.name,
        "reference_number": credit.reference_number,
        "accrediting_body": credit.accrediting_body,
    }


@transaction.atomic
def award_for_certificate(
    *, user, course_id, certificate_id: str = "", issued_at: datetime | None = None
) -> list[AwardedCredit]:
    """Award the course's active credits for a passing certificate; safe to call repeatedly.

    A credit already awarded is left untouched; one revoked earlier is restored (same row,
    same snapshot). Returns the learner's awarded credits for the course.
    """
    course = str(parse_course_key(course_id))
    issued_at = issued_at or timezone.now()
    existing = {
        award.credit_id: award
        for award in AwardedCredit.objects.select_for_update().filter(user=user, course_id=course)
    }
    for award in existing.values():
        if award.status == AwardedCredit.Status.REVOKED:
            award.status = AwardedCredit.Status.AWARDED
            award.revoked_at = None
            if certificate_id:
                award.certificate_id = str(certificate_id)
            award.save()
    offered = CourseCredit.objects.filter(course_id=course, credit__active=True).select_related(
        "credit__type"
    )
    for course_credit in offered:
        if course_credit.credit_id in existing:
            continue
        try:
            with transaction.atomic():
                AwardedCredit.objects.create(
                    user=user,
                    course_id=course,
                    credit=course_credit.credit,
                    certificate_id=str(certificate_id or ""),
                    issued_at=issued_at,
                    status=AwardedCredit.Status.AWARDED,
                    **_snapshot(course_credit),
                )
        except IntegrityError:
            # Another worker awarded it a moment ago: that award stands.
            log.info(
                "Credit %s for user %s in %s was already awarded", course_credit.credit_id, user.pk, course
            )
    return list(awards(user=user, course_id=course))


@transaction.atomic
def revoke_for_certificate(*, user, course_id) -> int:
    """Revoke the learner's awards for the course (rows stay, status ``revoked``)."""
    course = str(parse_course_key(course_id))
    now = timezone.now()
    count = 0
    for award in AwardedCredit.objects.select_for_update().filter(
        user=user, course_id=course, status=AwardedCredit.Status.AWARDED
    ):
        award.status = AwardedCredit.Status.REVOKED
        award.revoked_at = now
        award.save()
        count += 1
    return count


def awards(*, user, course_id=None, include_revoked: bool = False):
    """The learner's awards, newest first (a queryset)."""
    queryset = AwardedCredit.objects.filter(user=user)
    if course_id is not None:
        queryset = queryset.filter(course_id=str(parse_course_key(course_id)))
    if not include_revoked:
        queryset = queryset.filter(status=AwardedCredit.Status.AWARDED)
    return queryset.order_by("-issued_at", "course_id", "type_name", "credit_name")


def award_row(award: AwardedCredit) -> dict:
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


#: Hundredths as people read them: 150 -> "1.50" (the plugin's one formatter).


def certificate_credits(*, user_id, course_id, preview: bool = False) -> list[dict]:
    """What a certificate prints: the learner's awards for the course (one query), or in a
    preview what the course carries now."""
    if preview:
        return [with_display(row) for row in preview_rows(course_id)]
    course = str(parse_course_key(course_id))
    queryset = AwardedCredit.objects.filter(
        user_id=user_id, course_id=course, status=AwardedCredit.Status.AWARDED
    ).order_by("type_name", "credit_name")
    return [with_display(award_row(award)) for award in queryset]


def preview_rows(course_id, *, include_inactive: bool = False) -> list[dict]:
    """What a certificate of the course would carry now (for previews and the about page)."""
    rows = []
    for course_credit in course_credits(course_id):
        if include_inactive or course_credit.credit.active:
            rows.append(
                with_display(
                    {
                        "course_id": course_credit.course_id,
                        "credit_id": course_credit.credit_id,
                        "active": course_credit.credit.active,
                        **_snapshot(course_credit),
                    }
                )
            )
    return rows


def learner_summary(*, user) -> dict:
    """Totals of the learner's awarded credits by type and credit, by type, and per course.

    Amounts of different units are never added together: totals are keyed by unit too.
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


# --- Licences ------------------------------------------------------------------------------------


@transaction.atomic
def set_licence(*, user, accrediting_body: str, licence_number: str) -> LearnerLicence | None:
    """Record the learner's licence number with a body; an empty number removes it."""
    body = _text(accrediting_body, field="accrediting_body", required=True, max_length=255)
    number = _text(licence_number, field="licence_number", required=False, max_length=128)
    if not number:
        LearnerLicence.objects.filter(user=user, accrediting_body=body).delete()
        return None
    licence, _created = LearnerLicence.objects.update_or_create(
        user=user, accrediting_body=body, defaults={"licence_number": number}
    )
    return licence


def licences(*, user) -> list[LearnerLicence]:
    return list(LearnerLicence.objects.filter(user=user).order_by("accrediting_body"))


def retire_user(*, user) -> None:
    """Forget a retired learner's licence numbers, their history included; the awards stay."""
    LearnerLicence.objects.filter(user=user).delete()
    LearnerLicence.history.filter(user_id=user.pk).delete()


# --- Transcript -----------------------------------------------------------------------------------


def _csv_cell(value) -> str:
    """A cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def transcript_csv(*, user) -> str:
    """The learner's awarded credits as CSV: one row per award, then totals by type."""
    import csv
    import io

    from django.utils.translation import gettext as _

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Course"),
            _("Issued"),
            _("Type"),
            _("Credit"),
            _("Amount"),
            _("Unit"),
            _("Reference number"),
            _("Accrediting body"),
            _("Certificate"),
        ]
    )
    for award in awards(user=user).order_by("issued_at", "course_id", "type_name", "credit_name"):
        writer.writerow(
            [
                _csv_cell(value)
                for value in (
                    award.course_id,
                    award.issued_at.date().isoformat(),
                    award.type_name,
                    award.credit_name,
                    format_credits(award.amount),
                    award.unit_label,
                    award.reference_number,
                    award.accrediting_body,
                    award.certificate_id,
                )
            ]
        )
    summary = learner_summary(user=user)
    if summary["by_type"]:
        writer.writerow([])
        writer.writerow([_("Total"), "", _("Type"), "", _("Amount"), _("Unit")])
        for row in summary["by_type"]:
            writer.writerow(
                [
                    _("Total"),
                    "",
                    _csv_cell(row["type_name"]),
                    "",
                    format_credits(row["amount"]),
                    _csv_cell(row["unit_label"]),
                ]
            )
    return out.getvalue()


def transcript_pdf(*, user) -> bytes:
    """The learner's awarded credits as a PDF transcript (A4): the learner, their licence
    numbers, one row per award, then totals by type."""
    import io

    from django.utils import timezone
    from django.utils.translation import gettext as _
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    out = io.BytesIO()
    name = user.get_full_name() or user.get_username()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Transcript of awarded credits"),
        author=name,
    )

    def table(rows: list[list], widths: list[float]) -> Table:
        body = [[Paragraph(escape(str(value)), cell) for value in row] for row in rows]
        result = Table(body, colWidths=[w * mm for w in widths], repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a99a8")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return result

    story: list = [
        Paragraph(escape(_("Transcript of awarded credits")), styles["Title"]),
        Paragraph(escape(_("Learner: {name}").format(name=name)), styles["Normal"]),
        Paragraph(
            escape(_("Issued on {date}").format(date=timezone.now().date().isoformat())), styles["Normal"]
        ),
    ]
    for licence in licences(user=user):
        story.append(
            Paragraph(
                escape(
                    _("Licence number with {body}: {number}").format(
                        body=licence.accrediting_body, number=licence.licence_number
                    )
                ),
                styles["Normal"],
            )
        )
    story.append(Spacer(1, 6 * mm))
    rows = [
        [
            _("Course"),
            _("Issued"),
            _("Type"),
            _("Credit"),
            _("Amount"),
            _("Reference number"),
            _("Accrediting body"),
        ]
    ]
    names: dict[str, str] = {}
    for award in awards(user=user).order_by("issued_at", "course_id", "type_name", "credit_name"):
        if award.course_id not in names:
            names[award.course_id] = course_name(award.course_id)
        rows.append(
            [
                names[award.course_id]
                if names[award.course_id] == award.course_id
                else f"{names[award.course_id]} ({award.course_id})",
                award.issued_at.date().isoformat(),
                award.type_name,
                award.credit_name,
                f"{format_credits(award.amount)} {award.unit_label}",
                award.reference_number,
                award.accrediting_body,
            ]
        )
    if len(rows) == 1:
        story.append(Paragraph(escape(_("No credits have been awarded yet.")), styles["Normal"]))
    else:
        story.append(table(rows, [60, 22, 35, 45, 28, 35, 42]))
        totals = [[_("Type"), _("Total")]] + [
            [row["type_name"], f"{format_credits(row['amount'])} {row['unit_label']}"]
            for row in learner_summary(user=user)["by_type"]
        ]
        story += [Spacer(1, 6 * mm), Paragraph(escape(_("Totals by type")), styles["Heading2"])]
        story.append(table(totals, [80, 40]))
    doc.build(story)
    return out.getvalue()


def list_credit_types() -> list[CreditType]:
    return list(CreditType.objects.order_by("name"))


def list_credits(*, include_inactive: bool = True) -> list[Credit]:
    queryset = Credit.objects.select_related("type").order_by("type__name", "name")
    if not include_inactive:
        queryset = queryset.filter(active=True)
    return list(queryset)
