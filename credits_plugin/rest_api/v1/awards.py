"""REST API for awarded credits: credit types and credits, the credits of courses, and awards.

Amounts are integers in hundredths of the credit's unit (``150`` is 1.5 hours).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from credits_plugin import api
from credits_plugin.exceptions import InvalidValue, UnknownCreditType
from credits_plugin.rest_api.v1.base import CreditsAPIView
from credits_plugin.rest_api.v1.fields import MAX_ID, HundredthsField, IdField
from credits_plugin.rest_api.v1.permissions import CreditTypeWrites, CreditWrites
from credits_plugin.rest_api.v1.schema import errors

USERNAME = OpenApiParameter(
    "username",
    str,
    description=_("With credits_plugin.view_awardedcredit: another learner's username (default: yourself)."),
)

_ID = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}
TYPE_ID = OpenApiParameter("type_id", _ID, OpenApiParameter.PATH, description=_("The credit type's id."))
CREDIT_ID = OpenApiParameter("credit_id", _ID, OpenApiParameter.PATH, description=_("The credit's id."))


# --- Serializers ---------------------------------------------------------------------------------


class CreditTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=128)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    reference_required = serializers.BooleanField(required=False, default=False)
    allow_multiple_per_course = serializers.BooleanField(required=False, default=False)


class CreditSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    type = IdField(source="type_id", help_text=_("The credit type's id."))
    type_name = serializers.CharField(source="type.name", read_only=True)
    name = serializers.CharField(max_length=255)
    unit_label = serializers.CharField(max_length=64, required=False, default="hours")
    reference_number = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    accrediting_body = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True)


class CourseCreditOutput(serializers.Serializer):
    credit = serializers.IntegerField(source="credit_id")
    type_name = serializers.CharField(source="credit.type.name")
    credit_name = serializers.CharField(source="credit.name")
    unit_label = serializers.CharField(source="credit.unit_label")
    reference_number = serializers.CharField(source="credit.reference_number")
    accrediting_body = serializers.CharField(source="credit.accrediting_body")
    active = serializers.BooleanField(source="credit.active")
    amount = serializers.IntegerField(help_text=_("Hundredths of the unit."))


class CourseCreditInput(serializers.Serializer):
    credit = IdField(help_text=_("The credit's id."))
    amount = HundredthsField(
        help_text=_("Hundredths of the unit, from 1 to the ledger's maximum (1.5 hours = 150).")
    )


class AwardOutput(serializers.Serializer):
    id = serializers.IntegerField()
    course_id = serializers.CharField()
    type_name = serializers.CharField()
    credit_name = serializers.CharField()
    amount = serializers.IntegerField(help_text=_("Hundredths of the unit."))
    unit_label = serializers.CharField()
    reference_number = serializers.CharField()
    accrediting_body = serializers.CharField()
    certificate_id = serializers.CharField()
    issued_at = serializers.DateTimeField()
    status = serializers.CharField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class TotalOutput(serializers.Serializer):
    type_name = serializers.CharField()
    credit_name = serializers.CharField(required=False)
    unit_label = serializers.CharField()
    amount = serializers.IntegerField()


class CourseAwardsOutput(serializers.Serializer):
    course_id = serializers.CharField()
    course_name = serializers.CharField(help_text="The course's display name, or its key when it is gone.")
    issued_at = serializers.DateTimeField()
    credits = AwardOutput(many=True)


class SummaryOutput(serializers.Serializer):
    username = serializers.CharField()
    by_type = TotalOutput(many=True)
    by_credit = TotalOutput(many=True)
    courses = CourseAwardsOutput(many=True)


def _fields(serializer_class, data, *, partial: bool) -> dict:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    fields = dict(serializer.validated_data)
    if "type_id" in fields:
        fields["type"] = fields.pop("type_id")
    return fields


def _learner(request):
    """The learner asked for: yourself, or (with ``credits_plugin.view_awardedcredit`` only)
    ``?username=``. Without the permission nobody learns whether the user exists."""
    username = request.query_params.get("username")
    if not username or username == request.user.username:
        return request.user
    if not api.may_see_any_awards(user=request.user):
        raise PermissionDenied(_("You may only see your own awarded credits."))
    return api.find_user(username)


# --- Credit types and credits ----------------------------------------------------------------------


class CreditTypeListView(CreditsAPIView):
    """Credit types. Everyone signed in reads them; holders of credits_plugin.add_credittype create them."""

    permission_classes = [IsAuthenticated, CreditTypeWrites]

    @extend_schema(responses={200: CreditTypeSerializer(many=True), **errors()}, tags=["awarded credits"])
    def get(self, request):
        return Response(CreditTypeSerializer(api.list_credit_types(), many=True).data)

    @extend_schema(
        request=CreditTypeSerializer,
        responses={201: CreditTypeSerializer, **errors(400, 403, 409)},
        tags=["awarded credits"],
    )
    def post(self, request):
        created = api.create_credit_type(**_fields(CreditTypeSerializer, request.data, partial=False))
        return Response(CreditTypeSerializer(created).data, status=status.HTTP_201_CREATED)


class CreditTypeDetailView(CreditsAPIView):
    permission_classes = [IsAuthenticated, CreditTypeWrites]

    @extend_schema(
        parameters=[TYPE_ID], responses={200: CreditTypeSerializer, **errors(404)}, tags=["awarded credits"]
    )
    def get(self, request, type_id):
        found = [t for t in api.list_credit_types() if t.pk == type_id]
        if not found:
            raise UnknownCreditType()
        return Response(CreditTypeSerializer(found[0]).data)

    @extend_schema(
        parameters=[TYPE_ID],
        request=CreditTypeSerializer,
        responses={200: CreditTypeSerializer, **errors(400, 403, 404, 409)},
        tags=["awarded credits"],
    )
    def patch(self, request, type_id):
        changed = api.update_credit_type(type_id, **_fields(CreditTypeSerializer, request.data, partial=True))
        return Response(CreditTypeSerializer(changed).data)


class CreditListView(CreditsAPIView):
    """Credits. Everyone signed in reads them; holders of credits_plugin.add_credit create them."""

    permission_classes = [IsAuthenticated, CreditWrites]

    @extend_schema(responses={200: CreditSerializer(many=True), **errors()}, tags=["awarded credits"])
    def get(self, request):
        return Response(CreditSerializer(api.list_credits(), many=True).data)

    @extend_schema(
        request=CreditSerializer,
        responses={201: CreditSerializer, **errors(400, 403, 404, 409)},
        tags=["awarded credits"],
    )
    def post(self, request):
        created = api.create_credit(**_fields(CreditSerializer, request.data, partial=False))
        return Response(CreditSerializer(created).data, status=status.HTTP_201_CREATED)


class CreditDetailView(CreditsAPIView):
    permission_classes = [IsAuthenticated, CreditWrites]

    @extend_schema(
        parameters=[CREDIT_ID], responses={200: CreditSerializer, **errors(404)}, tags=["awarded credits"]
    )
    def get(self, request, credit_id):
        return Response(CreditSerializer(api.get_credit(credit_id)).data)

    @extend_schema(
        parameters=[CREDIT_ID],
        request=CreditSerializer,
        responses={200: CreditSerializer, **errors(400, 403, 404, 409)},
        tags=["awarded credits"],
    )
    def patch(self, request, credit_id):
        api.get_credit(credit_id)
        changed = api.update_credit(credit_id, **_fields(CreditSerializer, request.data, partial=True))
        return Response(CreditSerializer(api.get_credit(changed.pk)).data)


# --- Credits of a course ---------------------------------------------------------------------------


class CourseCreditsView(CreditsAPIView):
    """The credits a course carries. Everyone signed in reads them; global staff and the
    course's staff change them."""

    def _check_author(self, request, course_key, action="change"):
        if not api.can_author_course(user=request.user, course_key=course_key, action=action):
            raise PermissionDenied(_("Only the course's staff may change its credits."))

    def _listing(self, course_key):
        return Response(CourseCreditOutput(api.course_credits(course_key), many=True).data)

    @extend_schema(
        responses={200: CourseCreditOutput(many=True), **errors(400, 404)}, tags=["awarded credits"]
    )
    def get(self, request, course_id):
        return self._listing(api.require_course(course_id))

    @extend_schema(
        request=CourseCreditInput,
        responses={200: CourseCreditOutput(many=True), **errors(400, 403, 404, 409)},
        tags=["awarded credits"],
        description=_("Put a credit on the course with an amount, or change its amount."),
    )
    def put(self, request, course_id):
        course_key = api.require_course(course_id)
        self._check_author(request, course_key)
        data = _fields(CourseCreditInput, request.data, partial=False)
        api.set_course_credit(course_id=course_key, credit=data["credit"], amount=data["amount"])
        return self._listing(course_key)

    @extend_schema(
        parameters=[OpenApiParameter("credit", int, required=True, description=_("The credit's id."))],
        responses={200: CourseCreditOutput(many=True), **errors(400, 403, 404)},
        tags=["awarded credits"],
        description=_("Take a credit off the course; awards already made stay."),
    )
    def delete(self, request, course_id):
        course_key = api.require_course(course_id)
        self._check_author(request, course_key, action="delete")
        credit = api.get_credit(request.query_params.get("credit", ""))
        if not api.remove_course_credit(course_id=course_key, credit=credit):
            raise InvalidValue(_("The course does not carry this credit."), field="credit")
        return self._listing(course_key)


# --- Awards --------------------------------------------------------------------------------------


class AwardListView(CreditsAPIView):
    """Awarded credits of the signed-in learner (or, with view_awardedcredit, of ``?username=``)."""

    @extend_schema(
        parameters=[
            USERNAME,
            OpenApiParameter("include_revoked", bool, description=_("Also list revoked awards.")),
        ],
        responses={200: AwardOutput(many=True), **errors(403, 404)},
        tags=["awarded credits"],
    )
    def get(self, request):
        learner = _learner(request)
        include_revoked = request.query_params.get("include_revoked") in ("1", "true", "True")
        rows = [api.award_row(a) for a in api.awards(user=learner, include_revoked=include_revoked)]
        return Response(AwardOutput(rows, many=True).data)


class AwardSummaryView(CreditsAPIView):
    """Totals by type, by type and credit, and per course."""

    @extend_schema(
        parameters=[USERNAME], responses={200: SummaryOutput, **errors(403, 404)}, tags=["awarded credits"]
    )
    def get(self, request):
        learner = _learner(request)
        return Response(
            SummaryOutput({"username": learner.username, **api.learner_summary(user=learner)}).data
        )


class TranscriptView(CreditsAPIView):
    """The learner's awarded credits as a CSV transcript."""

    @extend_schema(
        parameters=[USERNAME],
        responses={(200, "text/csv"): OpenApiTypes.STR, **errors(403, 404)},
        tags=["awarded credits"],
    )
    def get(self, request):
        learner = _learner(request)
        response = HttpResponse(api.transcript_csv(user=learner), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="awarded-credits-{learner.username}.csv"'
        return response


class TranscriptPdfView(CreditsAPIView):
    """The learner's awarded credits as a PDF transcript."""

    @extend_schema(
        parameters=[USERNAME],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(403, 404)},
        tags=["awarded credits"],
    )
    def get(self, request):
        learner = _learner(request)
        response = HttpResponse(api.transcript_pdf(user=learner), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="awarded-credits-{learner.username}.pdf"'
        return response
