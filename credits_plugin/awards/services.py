"""Awarded credits, write: credit types and credits, the credits courses carry, and awards.

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

Every write runs in a transaction; bad input raises a CreditsError and changes nothing. Reads
are in selectors.py, transcripts (CSV, PDF) in transcripts.py.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from credits_plugin import exceptions
from credits_plugin.awards.models import AwardedCredit, CourseCredit, Credit, CreditType, LearnerLicence
from credits_plugin.awards.selectors import awards, course_credit_snapshot, courses_with_several, get_credit
from credits_plugin.courses import parse_course_key, require_course
from credits_plugin.money import check_hundredths, parse_ascii_int

log = logging.getLogger(__name__)

_CREDIT_TYPE_FIELDS = {"name", "description", "reference_required", "allow_multiple_per_course"}
_CREDIT_FIELDS = {"type", "name", "unit_label", "reference_number", "accrediting_body", "active"}


# --- Validation ---------------------------------------------------------------------------------


def validate_amount(amount) -> int:
    """An amount in hundredths: an int (never a bool or a float) between 1 and the ledger's
    maximum; InvalidAmount says the allowed range.

    Refuses anything else with InvalidAmount.
    """
    return check_hundredths(amount)


def _text(value, *, field: str, required: bool, max_length: int) -> str:
    text = "" if value is None else str(value).strip()
    if (required and not text) or len(text) > max_length:
        raise exceptions.InvalidValue(field=field)
    return text


# --- Credit types and credits -------------------------------------------------------------------


def _known(fields: dict, allowed: set[str]) -> dict:
    """A copy of ``fields``; InvalidValue names the first field that is not ``allowed``."""
    unknown = set(fields) - allowed
    if unknown:
        raise exceptions.InvalidValue(field=sorted(unknown)[0])
    return dict(fields)


def _check_type_fields(fields: dict) -> dict:
    cleaned = _known(fields, _CREDIT_TYPE_FIELDS)
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
    """Create a credit type. Refuses InvalidValue (a field empty, too long or of the wrong kind) and
    DuplicateName (a type of that name exists)."""
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
    has none; allowing only one credit per course is refused while a course carries several.

    Refuses UnknownCreditType, InvalidValue, DuplicateName, ReferenceNumberRequired and
    OneCreditPerType.
    """
    fields = _check_type_fields(fields)
    obj = CreditType.objects.select_for_update().filter(pk=getattr(credit_type, "pk", credit_type)).first()
    if obj is None:
        raise exceptions.UnknownCreditType()
    if "name" in fields and CreditType.objects.filter(name=fields["name"]).exclude(pk=obj.pk).exists():
        raise exceptions.DuplicateName(name=fields["name"])
    check_credit_type_change(
        obj,
        reference_required=fields.get("reference_required"),
        allow_multiple_per_course=fields.get("allow_multiple_per_course"),
    )
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()
    return obj


def _check_credit_fields(fields: dict) -> dict:
    cleaned = _known(fields, _CREDIT_FIELDS)
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
    """Create a credit of ``type`` (a CreditType or its id). Refuses UnknownCreditType, InvalidValue (a
    field empty, too long or of the wrong kind) and ReferenceNumberRequired (the type requires one)."""
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
    check_reference_number(credit_type=fields["type"], reference_number=fields["reference_number"])
    return Credit.objects.create(**fields)


@transaction.atomic
def update_credit(credit: Credit | int, **fields) -> Credit:
    """Change a credit; awards already made keep what they copied. Refuses UnknownCredit,
    UnknownCreditType, InvalidValue, ReferenceNumberRequired and OneCreditPerType (moving it to a
    type that allows one per course while a course carries another)."""
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
    check_reference_number(credit_type=obj.type, reference_number=obj.reference_number)
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


# --- Rules (the admin's forms check them too) ----------------------------------------------------


def check_credit_type_change(
    credit_type: CreditType,
    *,
    reference_required: bool | None = None,
    allow_multiple_per_course: bool | None = None,
) -> None:
    """Refuses to require reference numbers while an active credit of the type has none
    (ReferenceNumberRequired), and to allow one credit per course while a course carries
    several of the type (OneCreditPerType)."""
    if reference_required and credit_type.credits.filter(active=True, reference_number="").exists():
        raise exceptions.ReferenceNumberRequired()
    if allow_multiple_per_course is False and courses_with_several(credit_type):
        raise exceptions.OneCreditPerType()


def check_reference_number(*, credit_type: CreditType, reference_number: str) -> None:
    """Refuses a credit without a reference number in a type that requires one
    (ReferenceNumberRequired)."""
    if credit_type.reference_required and not reference_number:
        raise exceptions.ReferenceNumberRequired()


def _check_credit_may_be_carried(credit: Credit, credit_type: CreditType) -> None:
    if not credit.active:
        raise exceptions.CreditInactive()
    check_reference_number(credit_type=credit_type, reference_number=credit.reference_number)


def _check_one_credit_per_type(others, credit_type: CreditType) -> None:
    if not credit_type.allow_multiple_per_course and others.exists():
        raise exceptions.OneCreditPerType()


def check_course_credit(
    *, course_id, credit: Credit, amount: int | None = None, course_credit_id=None
) -> str:
    """The rules of :func:`set_course_credit`, checked without writing (for a form that saves
    the row itself): returns the course key as text. Refuses InvalidAmount, InvalidCourseKey,
    UnknownCourse, CreditInactive, ReferenceNumberRequired and OneCreditPerType (another credit
    of the type on the course than ``credit`` and the row ``course_credit_id``)."""
    if amount is not None:
        validate_amount(amount)
    course = str(require_course(course_id))
    _check_credit_may_be_carried(credit, credit.type)
    others = CourseCredit.objects.filter(course_id=course, credit__type=credit.type).exclude(credit=credit)
    if course_credit_id is not None:
        others = others.exclude(pk=course_credit_id)
    _check_one_credit_per_type(others, credit.type)
    return course


# --- Credits of a course --------------------------------------------------------------------------


@transaction.atomic
def set_course_credit(*, course_id, credit: Credit | int, amount: int) -> CourseCredit:
    """Put ``credit`` on the course with ``amount`` hundredths, or change its amount.

    Refuses InvalidAmount, InvalidCourseKey, UnknownCourse, InvalidValue or UnknownCredit (the
    credit), CreditInactive, ReferenceNumberRequired and OneCreditPerType.
    """
    amount = validate_amount(amount)
    course_key = require_course(course_id)
    credit_obj = get_credit(getattr(credit, "pk", credit))
    # The type's row serialises changes of one type's credits on courses.
    credit_type = CreditType.objects.select_for_update().get(pk=credit_obj.type_id)
    _check_credit_may_be_carried(credit_obj, credit_type)
    course = str(course_key)
    existing = CourseCredit.objects.select_for_update().filter(course_id=course, credit=credit_obj).first()
    if existing is not None:
        if existing.amount != amount:
            existing.amount = amount
            existing.save()
        return existing
    _check_one_credit_per_type(
        CourseCredit.objects.filter(course_id=course, credit__type=credit_type), credit_type
    )
    return CourseCredit.objects.create(course_id=course, credit=credit_obj, amount=amount)


@transaction.atomic
def remove_course_credit(*, course_id, credit: Credit | int) -> bool:
    """Take a credit off a course. Awards already made stay as they are.

    Returns whether there was one. Refuses an invalid course key (InvalidCourseKey).
    """
    course = str(parse_course_key(course_id))
    found = CourseCredit.objects.filter(course_id=course, credit_id=getattr(credit, "pk", credit)).first()
    if found is None:
        return False
    found.delete()
    return True


# --- Awards ----------------------------------------------------------------------------------------


@transaction.atomic
def award_for_certificate(
    *, user, course_id, certificate_id: str = "", issued_at: datetime | None = None
) -> list[AwardedCredit]:
    """Award the course's active credits for a passing certificate; safe to call repeatedly.

    A credit already awarded is left untouched; one revoked earlier is restored (same row,
    same snapshot). Returns the learner's awarded credits for the course.

    Refuses an invalid course key (InvalidCourseKey); nothing else.
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
                    **course_credit_snapshot(course_credit),
                )
        except IntegrityError:
            # Another worker awarded it a moment ago: that award stands.
            log.info(
                "Credit %s for user %s in %s was already awarded", course_credit.credit_id, user.pk, course
            )
    return list(awards(user=user, course_id=course))


@transaction.atomic
def revoke_for_certificate(*, user, course_id) -> int:
    """Revoke the learner's awards for the course (rows stay, status ``revoked``).

    Refuses an invalid course key (InvalidCourseKey).
    """
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


# --- Licences ------------------------------------------------------------------------------------


@transaction.atomic
def set_licence(*, user, accrediting_body: str, licence_number: str) -> LearnerLicence | None:
    """Record the learner's licence number with a body; an empty number removes it.

    Refuses InvalidValue (no accrediting body, or a value too long).
    """
    body = _text(accrediting_body, field="accrediting_body", required=True, max_length=255)
    number = _text(licence_number, field="licence_number", required=False, max_length=128)
    if not number:
        LearnerLicence.objects.filter(user=user, accrediting_body=body).delete()
        return None
    licence, _created = LearnerLicence.objects.update_or_create(
        user=user, accrediting_body=body, defaults={"licence_number": number}
    )
    return licence


def retire_user(*, user) -> None:
    """Forget a retired learner's licence numbers, their history included; the awards stay."""
    LearnerLicence.objects.filter(user=user).delete()
    LearnerLicence.history.filter(user_id=user.pk).delete()
