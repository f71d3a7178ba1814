"""The OpenAPI schema says what the API answers (bodies, error answers, authentication), and
every error answer has the documented shape."""

import pytest
from rest_framework.test import APIClient

from credits_plugin import api
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BASE = "/api/credits_plugin/v1"
ERROR = {"$ref": "#/components/schemas/ErrorOutput"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get(f"{BASE}/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def operation(schema, path: str, method: str) -> dict:
    return schema["paths"][f"{BASE}/{path}"][method]


def body_schema(schema, path: str, method: str, status: str) -> dict:
    return operation(schema, path, method)["responses"][status]["content"]["application/json"]["schema"]


def component(schema, ref: dict) -> dict:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


class TestDocumentedBodies:
    def test_history_is_an_object_with_results_and_lots(self, schema):
        history = component(schema, body_schema(schema, "wallet/history/", "get", "200"))
        assert history["type"] == "object"
        assert set(history["required"]) == {"results", "lots"}
        assert history["properties"]["results"]["type"] == "array"

    def test_history_answer_matches(self):
        user = UserFactory()
        api.grant(account=api.user_wallet(user), amount=100, idempotency_key="g")
        client = APIClient()
        client.force_authenticate(user)
        assert set(client.get(f"{BASE}/wallet/history/").json()) == {"results", "lots"}

    def test_batch_preview_and_undo_have_bodies(self, schema):
        # 200: a preview's counts, or the first operation when a request is sent again.
        answers = component(schema, body_schema(schema, "batches/", "post", "200"))["oneOf"]
        bodies = [set(component(schema, ref)["properties"]) for ref in answers]
        assert {"users", "total"} in bodies
        assert any({"id", "status", "done_users"} <= body for body in bodies)
        undo = component(schema, body_schema(schema, "batches/{batch_id}/undo/", "post", "202"))
        assert {"status", "undo_total", "undo_done", "undo_reversed", "undo_problems"} <= set(
            undo["properties"]
        )

    def test_amounts_document_their_range(self, schema):
        amount = schema["components"]["schemas"]["CourseCreditInput"]["properties"]["amount"]
        assert (amount["type"], amount["minimum"], amount["maximum"]) == ("integer", 1, 10**15)


class TestDocumentedErrors:
    def test_every_operation_documents_401_with_the_error_shape(self, schema):
        for path, methods in schema["paths"].items():
            for method, spec in methods.items():
                assert spec["responses"]["401"]["content"]["application/json"]["schema"] == ERROR, (
                    method,
                    path,
                )

    @pytest.mark.parametrize(
        ("path", "method", "statuses"),
        [
            ("batches/", "post", {"400", "401", "403", "404"}),
            ("checkout/", "post", {"400", "401", "402", "403", "404", "409"}),
            ("courses/{course_id}/credits/", "put", {"400", "401", "403", "404", "409"}),
            ("wallet/history/", "get", {"400", "401", "403", "404"}),
        ],
    )
    def test_errors_of_an_operation(self, schema, path, method, statuses):
        responses = operation(schema, path, method)["responses"]
        assert statuses <= set(responses)
        assert all(body_schema(schema, path, method, s) == ERROR for s in statuses)

    def test_the_error_shape(self, schema):
        error = schema["components"]["schemas"]["ErrorOutput"]
        assert error["required"] == ["error_code"]
        assert {"error_code", "developer_message", "field_errors"} <= set(error["properties"])


class TestAuthenticationSchemes:
    def test_schemes_and_their_use(self, schema):
        schemes = schema["components"]["securitySchemes"]
        assert schemes["jwtAuth"] == {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A JWT access token of the LMS: 'Authorization: JWT <token>'.",
        }
        assert schemes["cookieAuth"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
        assert operation(schema, "wallet/", "get")["security"] == [{"jwtAuth": []}, {"cookieAuth": []}]

    def test_the_schema_documents_the_api_only(self, schema):
        assert f"{BASE}/schema/" not in schema["paths"]


class TestErrorBodies:
    def test_not_signed_in(self):
        response = APIClient().get(f"{BASE}/wallet/")
        assert response.status_code == 401
        assert response.json() == {
            "error_code": "not_authenticated",
            "developer_message": "Authentication credentials were not provided.",
        }

    def test_not_allowed(self):
        client = APIClient()
        client.force_authenticate(UserFactory())
        response = client.get(f"{BASE}/batches/")
        assert (response.status_code, response.json()["error_code"]) == (403, "permission_denied")
        assert response.json()["developer_message"]

    def test_invalid_request_has_a_message_and_field_errors(self):
        client = APIClient()
        client.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
        body = client.post(f"{BASE}/batches/", {"action": "fly"}, format="json").json()
        assert body["error_code"] == "invalid_request"
        assert body["developer_message"] and "action" in body["field_errors"]

    @pytest.mark.parametrize("method", ["get", "post", "patch"])
    @pytest.mark.parametrize("path", ["credit-types/-1/", "credits/abc/", "batches/not-a-uuid/", "nothing/"])
    def test_unknown_addresses_are_json_404(self, path, method):
        response = getattr(APIClient(enforce_csrf_checks=True), method)(f"{BASE}/{path}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["error_code"] == "not_found"

    def test_a_missing_slash_still_redirects(self):
        assert APIClient().get(f"{BASE}/wallet").status_code == 301
