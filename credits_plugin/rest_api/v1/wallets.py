"""REST API for wallet credits: balances, history, operator actions, prices and checkout.

Amounts are integers in hundredths of a credit (``1250`` is 12.50 credits).
"""

from __future__ import annotations

import uuid

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from credits_plugin import api
from credits_plugin.exceptions import InvalidCursor
from credits_plugin.ledger.models import Lot
from credits_plugin.money import parse_ascii_int
from credits_plugin.rest_api.v1.base import CreditsAPIView
from credits_plugin.rest_api.v1.fields import MAX_ID, HundredthsField
from credits_plugin.rest_api.v1.permissions import CanFollowBatches, CanGiveCredits, CanUndoBatch
from credits_plugin.rest_api.v1.schema import errors
from credits_plugin.rest_api.v1.throttling import CheckoutThrottle, OperatorThrottle, throttles
from credits_plugin.wallets.models import GrantBatch

# --- Serializers ---------------------------------------------------------------------------


class BalanceOutput(serializers.Serializer):
    username = serializers.CharField()
    unit = serializers.CharField()
    balance = serializers.IntegerField(help_text=_("Posted balance, in hundredths."))
    held = serializers.IntegerField(help_text=_("Reserved by pending checkouts, in hundredths."))
    available = serializers.IntegerField(help_text=_("balance - held, in hundredths."))
    overdraft_limit = serializers.IntegerField(allow_null=True)
    enabled = serializers.BooleanField(
        help_text=_(
            "Whether wallet credits are switched on for the site (the credits_plugin.enabled switch); "
            "pages and widgets show no balance when they are not."
        )
    )


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


class HistoryOutput(serializers.Serializer):
    results = TransferOutput(many=True, help_text=_("Up to 100 transfers, newest first."))
    lots = LotOutput(many=True, help_text=_("The wallet's lots with credits left, with their expiry."))


class PreviewOutput(serializers.Serializer):
    users = serializers.IntegerField(help_text=_("How many users the operation would reach."))
    total = serializers.IntegerField(
        help_text=_("Net hundredths it would move into wallets (negative: out).")
    )


class BatchInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=GrantBatch.Action.choices)
    target = serializers.ChoiceField(choices=GrantBatch.Target.choices)
    target_value = serializers.CharField(required=False, allow_blank=True, default="")
    amount = HundredthsField(
        allow_zero=True,
        strings=True,
        help_text=_("Hundredths given to each user (at least 1), or the balance a reset sets."),
    )
    comment = serializers.CharField(max_length=2000)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    preview = serializers.BooleanField(
        required=False, default=False, help_text=_("Only count users and credits; change nothing.")
    )
    idempotency_key = serializers.CharField(
        max_length=200,
        required=False,
        help_text=_(
            "Required unless previewing: your own key for this operation. Sending the same request "
            "with the same key again starts nothing and returns the first operation (200); the same "
            "key with a different request is refused (409). Keys are yours alone: another "
            "operator's key never matches."
        ),
    )

    def validate(self, attrs):
        if not attrs.get("preview") and not attrs.get("idempotency_key"):
            raise serializers.ValidationError(
                {"idempotency_key": [_("Send an idempotency key, so that a retry cannot give twice.")]}
            )
        return attrs


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
            "heartbeat",
            "undo_started",
            "undo_finished",
            "undo_total",
            "undo_done",
            "undo_reversed",
            "undo_problems",
        ]


class AdjustmentInput(serializers.Serializer):
    balance = HundredthsField(
        allow_zero=True, strings=True, help_text=_("The new available balance, in hundredths.")
    )
    comment = serializers.CharField(max_length=2000)
    idempotency_key = serializers.CharField(max_length=200, required=False)


class CheckoutInput(serializers.Serializer):
    course_id = serializers.CharField(max_length=255)
    mode = serializers.CharField(max_length=100)
    pay_from = serializers.CharField(max_length=255, required=False, default="personal")
    expected_price = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "The price the learner was shown (the quote's price), in hundredths. When it is not the "
            "current price the checkout is refused with 409 price_changed and nothing is charged."
        ),
    )


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
    """The user whose wallet is asked for, if the caller may see it (see api.wallet_owner)."""
    return api.wallet_owner(viewer=request.user, identifier=username)


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
        "enabled": api.credits_enabled(),
    }


# --- Views ---------------------------------------------------------------------------------


class WalletView(CreditsAPIView):
    """A wallet's balance: your own, or (staff, organisation admins) another user's."""

    @extend_schema(
        parameters=[OpenApiParameter("username", str, required=False)],
        responses={200: BalanceOutput, **errors(403, 404)},
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
            OpenApiParameter(
                "before", int, required=False, description="Only transfers with a smaller id (digits 0-9)."
            ),
        ],
        responses={200: HistoryOutput, **errors(400, 403, 404)},
        tags=["wallets"],
    )
    def get(self, request):
        user = _wallet_owner(request, request.query_params.get("username"))
        wallet = api.user_wallet(user)
        before = request.query_params.get("before")
        before_id = parse_ascii_int(before) if before else None
        if before and (before_id is None or before_id > MAX_ID):
            raise InvalidCursor()
        transfers = api.history(wallet, limit=100, before_id=before_id)
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

    permission_classes = [IsAuthenticated, CanGiveCredits]
    throttle_classes = throttles(OperatorThrottle)

    @extend_schema(
        request=BatchInput,
        responses={
            201: BatchOutput,
            200: PolymorphicProxySerializer(
                component_name="BatchOrPreview",
                serializers=[BatchOutput, PreviewOutput],
                resource_type_field_name=None,
            ),
            **errors(400, 403, 404, 409, 429),
        },
        description=(
            "201 with the new operation; 200 with the first operation when the same request was "
            "already sent with this idempotency key; 200 with {users, total} for a preview."
        ),
        tags=["operators"],
    )
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
            idempotency_key=v["idempotency_key"],
        )
        replayed = batch.replayed
        batch.refresh_from_db()
        return Response(
            BatchOutput(batch).data, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: BatchOutput(many=True), **errors(403)}, tags=["operators"])
    def get(self, request):
        return Response(BatchOutput(api.batches(), many=True).data)


class BatchDetailView(CreditsAPIView):
    """A bulk operation's progress (staff)."""

    permission_classes = [IsAuthenticated, CanFollowBatches]

    @extend_schema(responses={200: BatchOutput, **errors(403, 404)}, tags=["operators"])
    def get(self, request, batch_id):
        return Response(BatchOutput(api.get_batch(batch_id)).data)


class BatchUndoView(CreditsAPIView):
    """Reverse every transfer of a bulk operation, in the background (staff).

    Answers 202 with the operation: its status is ``undoing`` until the reversals are done, then
    ``undone`` (or ``partly_undone`` with ``undo_problems``). Asking again changes nothing."""

    permission_classes = [IsAuthenticated, CanUndoBatch]
    throttle_classes = throttles(OperatorThrottle)

    @extend_schema(
        request=None, responses={202: BatchOutput, **errors(403, 404, 409, 429)}, tags=["operators"]
    )
    def post(self, request, batch_id):
        api.get_batch(batch_id)
        batch = api.undo_batch(batch_id=batch_id, actor=request.user)
        batch.refresh_from_db()
        return Response(BatchOutput(batch).data, status=status.HTTP_202_ACCEPTED)


class AdjustmentView(CreditsAPIView):
    """Set one user's wallet balance, recording the adjustment with a comment (staff)."""

    permission_classes = [IsAuthenticated, CanGiveCredits]
    throttle_classes = throttles(OperatorThrottle)

    @extend_schema(
        request=AdjustmentInput,
        responses={200: BalanceOutput, **errors(400, 403, 404, 409, 429)},
        tags=["operators"],
    )
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

    @extend_schema(responses={200: PriceOutput(many=True), **errors(400, 404)}, tags=["checkout"])
    def get(self, request, course_id):
        return Response(PriceOutput(api.prices_of_course(course_id=course_id), many=True).data)


class QuoteView(CreditsAPIView):
    """The price of a mode and your balance before and after buying it."""

    @extend_schema(
        parameters=[
            OpenApiParameter("course_id", str, required=True),
            OpenApiParameter("mode", str, required=True),
            OpenApiParameter("pay_from", str, required=False),
        ],
        responses={200: QuoteOutput, **errors(400, 403, 404)},
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
    """Pay for a course mode with credits and be enrolled.

    Retrying gets the first answer again and never charges twice; a retry that differs from the
    first request (another ``pay_from``, another price) is refused with 409
    ``idempotency_conflict``.
    """

    throttle_classes = throttles(CheckoutThrottle)

    @extend_schema(
        request=CheckoutInput,
        responses={201: PurchaseOutput, **errors(400, 402, 403, 404, 409, 429)},
        tags=["checkout"],
    )
    def post(self, request):
        data = CheckoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        purchase = api.checkout(
            user=request.user,
            course_id=v["course_id"],
            mode_slug=v["mode"],
            pay_from=v["pay_from"],
            expected_price=v["expected_price"],
        )
        return Response(PurchaseOutput(purchase).data, status=status.HTTP_201_CREATED)
