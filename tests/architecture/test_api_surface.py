"""credits_plugin.api: every public name is listed in ``__all__``, is the function of the same
name (never an alias that hides the real one from grep), and says what it refuses."""

import inspect
import re

from credits_plugin import api

#: The ledger's own functions, re-exported as they are; their docstrings live in ledger/.
LEDGER = {"balance", "ensure_unit", "expire_holds", "expire_lots", "history", "open_lots"}
LEDGER |= {"post_hold", "reverse_transfer", "transfer", "verify_ledger", "void_hold"}


def public_callables():
    return [(name, getattr(api, name)) for name in api.__all__ if callable(getattr(api, name))]


def test_all_lists_only_what_api_has():
    assert sorted(set(api.__all__)) == sorted(api.__all__)
    assert all(hasattr(api, name) for name in api.__all__)


def test_every_name_is_the_name_of_the_function_behind_it():
    renamed = [
        (name, obj.__name__) for name, obj in public_callables() if getattr(obj, "__name__", name) != name
    ]
    assert renamed == []


def test_every_function_says_what_it_refuses():
    silent = [
        name
        for name, obj in public_callables()
        if name not in LEDGER
        and not (inspect.isclass(obj) and not issubclass(obj, Exception))
        and not re.search(r"refus|raise", inspect.getdoc(obj) or "", re.IGNORECASE)
    ]
    assert silent == []


def test_every_public_function_of_the_module_is_in_all():
    defined = [
        name
        for name, obj in vars(api).items()
        if inspect.isfunction(obj) and obj.__module__ == api.__name__ and not name.startswith("_")
    ]
    assert set(defined) <= set(api.__all__)
