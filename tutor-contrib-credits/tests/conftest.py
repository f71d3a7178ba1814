"""Run the real `tutor` command of this virtualenv against a throw-away project root.

Docker is never called: a stand-in `docker` first on PATH records its arguments, so the tests
see exactly what `tutor local do init` would run in which container.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TUTOR = Path(sys.executable).with_name("tutor")

FAKE_DOCKER = """#!/bin/sh
# Records each call in a file of its own, numbered in order: its arguments, NUL-terminated.
calls=$(ls "$FAKE_DOCKER_CALLS" | wc -l)
printf '%s\\0' "$@" > "$FAKE_DOCKER_CALLS/$(printf '%04d' "$calls")"
case "$*" in *"ls --format json"*) echo "[]" ;; esac
exit 0
"""


class Tutor:
    """One Tutor project root with the mfe and credits plugins enabled."""

    def __init__(self, tmp_path: Path):
        self.root = tmp_path / "tutor-root"
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        docker = self.bin / "docker"
        docker.write_text(FAKE_DOCKER)
        docker.chmod(0o755)
        self.docker_calls_dir = tmp_path / "docker-calls"
        self.docker_calls_dir.mkdir()
        # No TUTOR_<NAME> variable of the caller's environment: each would override a setting.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
        self.env = {
            **inherited,
            "TUTOR_ROOT": str(self.root),
            # No plugin of the person running the tests (YAML plugins, plugin indexes).
            "TUTOR_PLUGINS_ROOT": str(tmp_path / "tutor-plugins"),
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "FAKE_DOCKER_CALLS": str(self.docker_calls_dir),
        }
        self("plugins", "enable", "mfe", "credits")

    def __call__(self, *args: str) -> str:
        done = subprocess.run([str(TUTOR), *args], env=self.env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"tutor {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def save(self, **settings: str) -> Path:
        """`tutor config save --set NAME=VALUE ...`; returns the rendered env/ directory."""
        args = ["config", "save"]
        for name, value in settings.items():
            args += ["--set", f"{name}={value}"]
        self(*args)
        return self.root / "env"

    def read(self, *path: str) -> str:
        return (self.root / "env").joinpath(*path).read_text()

    def docker_calls(self) -> list[list[str]]:
        return [
            path.read_bytes().decode().split("\0")[:-1] for path in sorted(self.docker_calls_dir.iterdir())
        ]


@pytest.fixture
def tutor(tmp_path: Path) -> Tutor:
    return Tutor(tmp_path)
