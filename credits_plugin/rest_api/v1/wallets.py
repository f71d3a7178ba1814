"""REST API for wallet credits: balances, history, operator actions, prices and checkout.

Amounts are integers in hundredths of a credit (``1250`` is 12.50 credits).
"""

from __future__ import annotations

import uuid

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response

from credits_plugin import api
from credits_plugin.exceptions import CreditsError, UnknownCourse
from credits_plugin.ledger.models import Lot
from credits_plugin.rest_api.v1.base import CreditsAPIView
from credits_plugin.wallets.models import GrantBatch, OrganisationMember

# --- Serializers ---------------------------------------------------------------------------


class BalanceOutput(serializers.Serializer):
    username = serializers.CharField()
    unit = serializers.CharField()
    balance = serializers.IntegerField(help_text=_("Posted balance, in hundredths."))
    held = serializers.IntegerField(help_text=_("Reserved by pending checkouts, in hundredths."))
    available = serializers.IntegerField(help_text=_("balance - held, in hundredths."))
    overdraft_limit = serializers.IntegerField(allow_null=True)


class TransferOutput(serializers.Serializer):
    id = serializers.IntegerField()
    created = serializers.DateTimeField()
    kind = serializers.CharField()
    amount = serializers.IntegerField(help_text=_("Signed for this wallet: negative when credits left it."))
    reason = serializers.CharField()
    reference = serializers.CharField()


class LotOutput(serializers.ModelSerializer):
    class Meta:
        model = Lot
        fields = ["id", "source", "amount", "remaining", "expires_at"]


class BatchInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=GrantBatch.Action.choices)
    target = serializers.ChoiceField(choices=GrantBatch.Target.choices)
    target_value = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.IntegerField(
        min_value=0, help_text=_("Hundredths given to each user, or the balance a reset sets.")
    )
    comment = serializers.CharField(max_length=2000)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    preview = serializers.BooleanField(
        required=False, default=False, help_text=_("Only count users and credits; change nothing.")
    )


class BatchOutput(serializers.ModelSerializer):
    class Meta:
        model = GrantBatch
        fields = [
            "id",
            "action",
            "target",
            "target_value",
            "amount",
            "comment",
            "expires_at",
            "status",
            "total_users",
            "done_users",
            "total_amount",
            "error",
            "created",
            "finished",
        ]


class AdjustmentInput(serializers.Serializer):
    balance = serializers.IntegerField(min_value=0, help_text=_("The new available balance, in hundredths."))
    comment = serializers.CharField(max_length=2000)
    idempotency_key = serializers.CharField(max_length=200, required=False)


class CheckoutInput(serializers.Serializer):
    course_id = serializers.CharField(max_length=255)
    mode = serializers.CharField(max_length=100)
    pay_from = serializers.CharField(max_length=255, required=False, default="personal")


class QuoteOutput(serializers.Serializer):
    course_id = serializers.CharField()
    course_name = serializers.CharField()
    mode = serializers.CharField()
    mode_name = serializers.CharField()
    price = serializers.IntegerField()
    balance = serializers.IntegerField()
    balance_after = serializers.IntegerField()
    can_pay = serializers.BooleanField()


class PurchaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    course_id = serializers.CharField(source="course_key")
    mode = serializers.CharField(source="mode_slug")
    amount = serializers.IntegerField()
    status = serializers.CharField()
    created = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class PriceOutput(serializers.Serializer):
    mode_slug = serializers.CharField()
    mode_name = serializers.CharField()
    price = serializers.IntegerField()
    credits_only = serializers.BooleanField()


# --- Helpers --------------------------------------------------------------------------------


def _wallet_owner(request, username: str | None):
    """The user whose wallet is asked for; learners see only their own."""
    if not username or username == request.user.username:
        return request.user
    user = api.find_user(username)
    if request.user.is_staff:
        return user
    # An organisation administrator may look at the wallets of the organisation's members.
    admin_of = OrganisationMember.objects.filter(
        user=request.user, role=OrganisationMember.Role.ADMIN
    ).values("organisation_id")
    if OrganisationMember.objects.filter(user=user, organisation_id__in=admin_of).exists():
        return user
    raise PermissionDenied(_("You may only see your own wallet."))


def _balance_payload(user) -> dict:
    wallet = api.user_wallet(user)
    b = api.balance(wallet)
    return {
        "username": user.username,
        "unit": b.unit,
        "balance": b.balance,
        "held": b.held,
        "available": b.available,
        "overdraft_limit": b.overdraft_limit,
    }


# --- Views ---------------------------------------------------------------------------------


class WalletView(CreditsAPIView):
    """A wallet's balance: your own, or (staff, organisation admins) another user's."""

    @extend_schema(
        parameters=[OpenApiParameter("username", str, required=False)],
        responses=BalanceOutput,
        tags=["wallets"],
    )
    def get(self, request):
        user = _wallet_owner(request, request.query_params.get("username"))
        return Response(BalanceOutput(_balance_payload(user)).data)


class WalletHistoryView(CreditsAPIView):
    """A wallet's transfers, newest first, and its lots with their expiry."""

    @extend_schema(
        parameters=[
            OpenApiParameter("username", str, required=False),
            OpenApiParameter("before", int, required=False, description="Only transfers with a smaller id."),
        ],
        responses={200: TransferOutput(many=True)},
        tags=["wallets"],
    )
    def get(self, request):
        user = _wallet_owner(request, request.query_params.get("username"))
        wallet = api.user_wallet(user)
        before = request.query_params.get("before")
        if before is not None and not before.isdigit():
            raise CreditsError(code="invalid_cursor", message=_("'before' must be a transfer id."))
        transfers = api.history(wallet, limit=100, before_id=int(before) if before else None)
        rows = [
            {
                "id": t.pk,
                "created": t.created,
                "kind": t.kind,
                "amount": getattr(t, "net", t.amount),
                "reason": t.reason,
                "reference": t.reference,
            }
            for t in transfers
        ]
        return Response(
            {
                "results": TransferOutput(rows, many=True).data,
                "lots": LotOutput(api.open_lots(wallet), many=True).data,
            }
        )


class BatchListView(CreditsAPIView):
    """Give or reset credits for all active users, a group, an organisation or one user (staff)."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=BatchInput, responses={201: BatchOutput, 200: dict}, tags=["operators"])
    def post(self, request):
        data = BatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["preview"]:
            p = api.preview_batch(
                action=v["action"], target=v["target"], target_value=v["target_value"], amount=v["amount"]
            )
            return Response({"users": p.users, "total": p.total})
        batch = api.start_batch(
            action=v["action"],
            target=v["target"],
            target_value=v["target_value"],
            amount=v["amount"],
            comment=v["comment"],
            actor=request.user,
            expires_at=v["expires_at"],
        )
        batch.refresh_from_db()
        return Response(BatchOutput(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: BatchOutput(many=True)}, tags=["operators"])
    def get(self, request):
        return Response(BatchOutput(GrantBatch.objects.all()[:100], many=True).data)


class BatchDetailView(CreditsAPIView):
    """A bulk operation's progress (staff)."""

    permission_classes = [IsAdminUser]

    @extend_schema(responses=BatchOutput, tags=["operators"])
    def get(self, request, batch_id):
        return Response(BatchOutput(GrantBatch.objects.get(pk=batch_id)).data)


class BatchUndoView(CreditsAPIView):
    """Reverse every transfer of a bulk operation (staff)."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=None, responses={200: dict}, tags=["operators"])
    def post(self, request, batch_id):
        GrantBatch.objects.get(pk=batch_id)
        reversed_count, problems = api.undo_batch(batch_id=batch_id, actor=request.user)
        return Response({"reversed": reversed_count, "problems": problems})


class AdjustmentView(CreditsAPIView):
    """Set one user's wallet balance, recording the adjustment with a comment (staff)."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=AdjustmentInput, responses={200: BalanceOutput}, tags=["operators"])
    def post(self, request, username):
        data = AdjustmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = api.find_user(username)
        v = data.validated_data
        # A client's key is its own: namespaced by the caller, it can neither replay nor block a
        # transfer of anyone else, nor a key the plugin derives itself (checkout:, earned:, ...).
        # The same key for another user or balance is a 409. Without a key, setting a balance is
        # still naturally idempotent: a repeated request finds the balance at the target already.
        client_key = v.get("idempotency_key")
        key = f"adjust:{request.user.pk}:{client_key}" if client_key else f"adjust:{uuid.uuid4()}"
        api.set_balance(
            user=user, amount=v["balance"], comment=v["comment"], actor=request.user, idempotency_key=key
        )
        return Response(BalanceOutput(_balance_payload(user)).data)


class CoursePricesView(CreditsAPIView):
    """Prices in credits of a course's paid modes."""

    @extend_schema(responses={200: PriceOutput(many=True)}, tags=["checkout"])
    def get(self, request, course_id):
        from credits_plugin.purchases.services import parse_course_key

        course_key = parse_course_key(course_id)
        if not api.course_exists(course_key=course_key):
            raise UnknownCourse(course_id=str(course_key))
        return Response(PriceOutput(api.course_prices(course_key=course_key), many=True).data)


class QuoteView(CreditsAPIView):
    """The price of a mode and your balance before and after buying it."""

    @extend_schema(
        parameters=[
            OpenApiParameter("course_id", str, required=True),
            OpenApiParameter("mode", str, required=True),
            OpenApiParameter("pay_from", str, required=False),
        ],
        responses=QuoteOutput,
        tags=["checkout"],
    )
    def get(self, request):
        data = CheckoutInput(
            data={
                "course_id": request.query_params.get("course_id", ""),
                "mode": request.query_params.get("mode", ""),
                "pay_from": request.query_params.get("pay_from", "personal"),
            }
        )
        data.is_valid(raise_exception=True)
        v = data.validated_data
        q = api.quote(
            user=request.user, course_id=v["course_id"], mode_slug=v["mode"], pay_from=v["pay_from"]
        )
        return Response(
            QuoteOutput(
                {
                    "course_id": str(q.course_key),
                    "course_name": q.course_name,
                    "mode": q.mode_slug,
                    "mode_name": q.mode_name,
                    "price": q.price.amount,
                    "balance": q.balance,
                    "balance_after": q.balance_after,
                    "can_pay": q.can_pay,
                }
            ).data
        )


class CheckoutView(CreditsAPIView):
    """Pay for a course mode with credits and be enrolled. Retrying never charges twice."""

    @extend_schema(request=CheckoutInput, responses={201: PurchaseOutput}, tags=["checkout"])
    def post(self, request):
        data = CheckoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        purchase = api.checkout(
            user=request.user, course_id=v["course_id"], mode_slug=v["mode"], pay_from=v["pay_from"]
        )
        return Response(PurchaseOutput(purchase).data, status=status.HTTP_201_CREATED)
