"""JWT authentication: only tokens of the configured issuer and audience, signed with its secret."""

import stat
from time import time

import jwt
import pytest
from django.conf import settings
from django.core import checks
from rest_framework.test import APIClient

from credits_plugin import api
from tests.factories import UserFactory

# The forged tokens below are signed with short keys on purpose.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]
WALLET = "/api/credits_plugin/v1/wallet/"
# The SECRET_KEY the demo host used to publish in its settings.
PUBLISHED_DEFAULT = "demo-only-not-secret"


@pytest.fixture
def alice():
    user = UserFactory(username="alice")
    api.grant(account=api.user_wallet(user), amount=1_200, idempotency_key="fund-alice")
    return user


def issuer() -> dict:
    return settings.JWT_AUTH["JWT_ISSUERS"][0]


def token(*, key=None, administrator=False, **claims) -> str:
    now = int(time())
    payload = {
        "iss": issuer()["ISSUER"],
        "aud": issuer()["AUDIENCE"],
        "preferred_username": "alice",
        "email": "alice@example.com",
        "administrator": administrator,
        "iat": now,
        "exp": now + 300,
        "version": "1.2.0",
        "scopes": ["user_id", "email", "profile"],
        **claims,
    }
    return jwt.encode(payload, key or issuer()["SECRET_KEY"], algorithm="HS256")


def call(encoded: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {encoded}")
    return client.get(WALLET)


def test_a_token_signed_by_the_issuer_is_accepted(alice):
    response = call(token())
    assert response.status_code == 200
    assert response.json()["available"] == 1_200


@pytest.mark.parametrize(
    ("what", "forged"),
    [
        ("signed with another key", lambda: token(key="someone-elses-key-" + "x" * 32)),
        ("signed with the published default key", lambda: token(key=PUBLISHED_DEFAULT)),
        ("signed with SECRET_KEY, not the issuer's secret", lambda: token(key=settings.SECRET_KEY)),
        ("from another issuer", lambda: token(iss="https://evil.example/oauth2")),
        ("for another audience", lambda: token(aud="another-service")),
        ("without an audience", lambda: token(aud=None)),
        ("expired", lambda: token(iat=int(time()) - 600, exp=int(time()) - 300)),
    ],
)
def test_a_forged_or_foreign_token_is_refused(alice, what, forged):
    response = call(forged())
    assert response.status_code == 401, what
    alice.refresh_from_db()
    assert not alice.is_staff


def test_a_forged_token_cannot_make_an_operator(alice):
    """The attack: sign a token as an administrator with a key found in the code."""
    forged = token(key=PUBLISHED_DEFAULT, administrator=True, preferred_username="mallory")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {forged}")
    response = client.post(
        "/api/credits_plugin/v1/batches/",
        {"action": "grant", "target": "all", "amount": 100_000, "comment": "free money"},
        format="json",
    )
    assert response.status_code == 401
    assert not UserFactory._meta.model.objects.filter(username="mallory").exists()


@pytest.mark.parametrize("prefix", ["JWT", "Bearer"])
def test_the_token_the_published_secret_used_to_sign_is_refused(alice, prefix):
    """Before: no JWT_AUTH, so drf-jwt checked only the signature, with the published SECRET_KEY,
    and made 'mallory' a staff user from the 'administrator' claim."""
    now = int(time())
    claims = {"username": "mallory", "administrator": True, "iat": now, "exp": now + 300}
    forged = jwt.encode(claims, PUBLISHED_DEFAULT, algorithm="HS256")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{prefix} {forged}")
    assert client.get(WALLET).status_code == 401
    assert not UserFactory._meta.model.objects.filter(username="mallory").exists()


class TestPluginGuard:
    """The plugin accepts JWTs only when the host verifies issuer and audience as the LMS does."""

    def test_without_jwt_issuers_no_jwt_is_accepted_and_check_warns(self, alice, settings):
        good = token()
        settings.JWT_AUTH = {"JWT_SECRET_KEY": issuer()["SECRET_KEY"]}
        assert call(good).status_code == 401
        warnings = [
            m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id == "credits_plugin.W001"
        ]
        assert len(warnings) == 1
        assert "JWT_ISSUERS" in warnings[0].msg

    def test_audience_checking_switched_off_is_refused(self, alice, settings):
        good = token()
        settings.JWT_AUTH = {**settings.JWT_AUTH, "JWT_VERIFY_AUDIENCE": False}
        assert call(good).status_code == 401

    def test_the_lms_configuration_passes_the_check(self):
        assert [
            m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id.startswith("credits_plugin")
        ] == []


class TestDemoSecrets:
    def test_the_demo_host_publishes_no_secret(self):
        from pathlib import Path

        source = (Path(settings.BASE_DIR) / "host" / "settings.py").read_text()
        assert PUBLISHED_DEFAULT not in source
        assert settings.SECRET_KEY != PUBLISHED_DEFAULT and len(settings.SECRET_KEY) >= 50
        assert issuer()["SECRET_KEY"] != settings.SECRET_KEY
        assert len(issuer()["SECRET_KEY"]) >= 50

    def test_secrets_are_generated_once_kept_private_and_out_of_git(self, tmp_path, monkeypatch):
        from pathlib import Path

        from host import settings as host_settings

        monkeypatch.setattr(host_settings, "BASE_DIR", tmp_path)
        first = host_settings._demo_secret("secret_key")
        assert host_settings._demo_secret("secret_key") == first
        assert host_settings._demo_secret("jwt_secret") != first
        path = tmp_path / ".secrets" / "secret_key"
        assert path.read_text() == first
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert sorted(p.name for p in path.parent.iterdir()) == ["jwt_secret", "secret_key"]
        gitignore = (Path(settings.BASE_DIR).parent / ".gitignore").read_text().split()
        assert "sandbox/.secrets/" in gitignore
