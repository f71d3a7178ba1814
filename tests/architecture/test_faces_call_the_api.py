"""Faces (REST API, learner pages, admin modules, Open edX handlers and pipeline, management
commands, tasks) call credits_plugin.api only: never a domain's services or selectors, the
ledger (its models aside, for ModelAdmin registration and serializers' Meta) or the platform
backend. Checked on the source with ``ast``, imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "credits_plugin"
DOMAINS = ("wallets", "purchases", "pricing", "awards")
DOMAIN_INTERNALS = ("services", "selectors", "transcripts")


def face_modules() -> list[Path]:
    faces = [PACKAGE / "admin.py", PACKAGE / "history_admin.py", PACKAGE / "tasks.py"]
    faces += [PACKAGE / domain / "admin.py" for domain in DOMAINS]
    for folder in ("rest_api", "views", "management"):
        faces += sorted((PACKAGE / folder).rglob("*.py"))
    faces += [p for p in sorted((PACKAGE / "integrations").rglob("*.py")) if p.name != "compat.py"]
    return [p for p in faces if p.exists()]


def imported_names(source: str) -> list[tuple[int, str]]:
    """(line, dotted name) of everything a module imports; ``from a import b`` gives ``a.b``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def refused(name: str) -> bool:
    parts = name.split(".")
    if parts[0] != "credits_plugin" or len(parts) < 2:
        return False
    if parts[1] == "ledger":
        return len(parts) < 3 or parts[2] != "models"
    if parts[1] in DOMAINS and len(parts) > 2 and parts[2] in DOMAIN_INTERNALS:
        return True
    return parts[1:3] == ["conf", "platform"] or parts[1] == "platform"


def violations(source: str) -> list[str]:
    return [f"line {line}: {name}" for line, name in imported_names(source) if refused(name)]


@pytest.mark.parametrize("path", face_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_face_imports_only_the_api(path):
    assert violations(path.read_text()) == []


def test_every_kind_of_face_is_checked():
    names = {str(p.relative_to(PACKAGE)) for p in face_modules()}
    assert {
        "admin.py",
        "wallets/admin.py",
        "pricing/admin.py",
        "awards/admin.py",
        "rest_api/v1/wallets.py",
        "views/wallets.py",
        "integrations/openedx/handlers.py",
        "integrations/openedx/pipeline.py",
        "management/commands/backfill_awards.py",
    } <= names


@pytest.mark.parametrize(
    "source",
    [
        "from credits_plugin.wallets import services",
        "from credits_plugin.wallets.services import set_balance",
        "import credits_plugin.purchases.services",
        "def f():\n    from credits_plugin.pricing.selectors import price_for_mode",
        "from credits_plugin.awards.services import require_course",
        "from credits_plugin.ledger import services as ledger",
        "from credits_plugin.ledger.selectors import balance",
        "from credits_plugin import ledger",
        "from credits_plugin.conf import platform",
    ],
)
def test_the_check_finds_a_direct_import(source):
    assert violations(source)


@pytest.mark.parametrize(
    "source",
    [
        "from credits_plugin import api",
        "from credits_plugin.ledger.models import Account",
        "from credits_plugin.wallets.models import GrantBatch",
        "from credits_plugin.conf import setting",
        "from credits_plugin.money import format_credits",
    ],
)
def test_the_check_lets_the_api_and_models_through(source):
    assert violations(source) == []
