"""What the installed package ships: the demo seed belongs to the demo host, not the plugin."""

import importlib.util
from pathlib import Path

from django.core.management import get_commands

import credits_plugin


def test_seed_demo_is_a_command_of_the_demo_host():
    assert get_commands()["seed_demo"] == "host"


def test_the_plugin_package_does_not_ship_seed_demo():
    assert importlib.util.find_spec("credits_plugin.management.commands.seed_demo") is None
    package = Path(credits_plugin.__file__).parent
    assert not list(package.rglob("seed_demo*"))
