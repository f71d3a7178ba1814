"""One exception hierarchy: every refusal is one subclass of one group, with its own code, a
translatable message and the HTTP status of its group; nothing raises ``CreditsError`` itself."""

import ast
from pathlib import Path

import pytest
from django.utils.functional import Promise

import credits_plugin
from credits_plugin import exceptions
from credits_plugin.exceptions import GROUPS, CreditsError, http_status

PACKAGE = Path(credits_plugin.__file__).parent

EXPECTED_STATUS = {
    exceptions.InvalidInput: 400,
    exceptions.Forbidden: 403,
    exceptions.NotFound: 404,
    exceptions.Conflict: 409,
    exceptions.PaymentRequired: 402,
}


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def refusals() -> list[type[CreditsError]]:
    """Every concrete refusal: each subclass of CreditsError that is not a group."""
    # Importing the plugin's modules defines every subclass, wherever it is declared.
    import credits_plugin.api
    import credits_plugin.rest_api.v1.urls
    import credits_plugin.views.urls  # noqa: F401

    return sorted(
        {cls for cls in _all_subclasses(CreditsError) if cls not in GROUPS}, key=lambda cls: cls.__name__
    )


def test_the_groups_are_the_five_answers():
    assert set(GROUPS) == set(EXPECTED_STATUS)
    for group, status in EXPECTED_STATUS.items():
        assert group.__bases__ == (CreditsError,)
        assert http_status(group()) == status
    # A bare CreditsError (raised by no module of the plugin) answers 400.
    assert http_status(CreditsError(code="anything")) == 400


@pytest.mark.parametrize("cls", refusals(), ids=lambda cls: cls.__name__)
def test_every_refusal_has_one_group_a_code_and_a_message(cls):
    groups = [group for group in GROUPS if issubclass(cls, group)]
    assert len(groups) == 1, f"{cls.__name__} must be under exactly one group, not {groups}"
    # The status comes from the group, never from the class itself.
    assert "status_code" not in vars(cls), f"{cls.__name__} sets its own status_code"
    assert http_status(cls()) == EXPECTED_STATUS[groups[0]]
    assert "code" in vars(cls) and cls.code.isidentifier() and cls.code == cls.code.lower()
    assert isinstance(cls.default_message, Promise), f"{cls.__name__}'s message is not translatable"
    assert str(cls.default_message).strip()
    assert cls.__module__ == exceptions.__name__, f"{cls.__name__} is declared outside exceptions.py"


def test_every_code_is_unique():
    codes: dict[str, list[str]] = {}
    for cls in [*GROUPS, *refusals()]:
        codes.setdefault(cls.code, []).append(cls.__name__)
    assert {code: names for code, names in codes.items() if len(names) > 1} == {}
    assert CreditsError.code not in codes


def test_the_codes_the_api_answered_with_before_stay():
    """The REST answers' error_code strings of the refusals that had none of their own."""
    assert exceptions.InvalidAction.code == "invalid_action"
    assert exceptions.CommentRequired.code == "comment_required"
    assert exceptions.ModeNotForSale.code == "mode_not_for_sale"
    assert exceptions.InvalidTransferKind.code == "invalid_kind"
    assert exceptions.SameAccount.code == "same_account"


def _direct_raises(path: Path) -> list[int]:
    """Lines of ``path`` that raise CreditsError itself (``CreditsError(...)`` or
    ``exceptions.CreditsError(...)``) rather than one of its subclasses."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "CreditsError":
                lines.append(node.lineno)
    return lines


def test_no_module_raises_credits_error_itself():
    excluded = {PACKAGE / "exceptions.py"}
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in excluded and (lines := _direct_raises(path))
    }
    assert found == {}


def test_the_scan_finds_a_direct_raise(tmp_path):
    """The scan itself: it sees both spellings, and not a subclass."""
    module = tmp_path / "module.py"
    module.write_text(
        "def f():\n"
        "    raise exceptions.CreditsError(code='x')\n"
        "def g():\n"
        "    raise CreditsError()\n"
        "def h():\n"
        "    raise exceptions.CommentRequired()\n"
    )
    assert _direct_raises(module) == [2, 4]


@pytest.mark.parametrize("cls", refusals(), ids=lambda cls: cls.__name__)
def test_the_rest_answer_of_every_refusal(cls):
    """The REST handler answers each refusal with its code and its group's status."""
    from credits_plugin.rest_api.v1.base import credits_exception_handler

    response = credits_exception_handler(cls(), {})
    assert response.status_code == EXPECTED_STATUS[next(g for g in GROUPS if issubclass(cls, g))]
    assert response.data["error_code"] == cls.code
    assert response.data["developer_message"] == str(cls.default_message)


def test_a_bare_credits_error_keeps_its_code_in_the_answer():
    from credits_plugin.rest_api.v1.base import credits_exception_handler

    response = credits_exception_handler(CreditsError(code="same_account"), {})
    assert (response.status_code, response.data["error_code"]) == (400, "same_account")
