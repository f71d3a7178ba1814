"""The platform backend provides every function of the typed Platform protocol."""

import inspect

from credits_plugin.conf import platform
from credits_plugin.integrations.openedx import compat
from credits_plugin.platform import Platform


def protocol_methods() -> list[str]:
    return sorted(
        name
        for name, member in vars(Platform).items()
        if inspect.isfunction(member) and not name.startswith("_")
    )


def test_the_default_backend_is_the_compat_module():
    assert platform() is compat


def test_compat_provides_every_method_of_the_protocol_with_its_arguments():
    for name in protocol_methods():
        implemented = inspect.signature(getattr(compat, name))
        declared = inspect.signature(getattr(Platform, name))
        assert list(implemented.parameters) == list(declared.parameters)[1:], name
