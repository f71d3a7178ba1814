"""The code-annotations checks Open edX runs (``make quality`` runs them too): every setting and
toggle is annotated, and every model says whether it holds personal data (OEP-30)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from code_annotations.contrib.config import (
    FEATURE_TOGGLE_ANNOTATIONS_CONFIG_PATH,
    SETTING_ANNOTATIONS_CONFIG_PATH,
)
from django.apps import apps

from credits_plugin import toggles
from credits_plugin.settings.common import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("code_annotations")


def _run(args, tmp_path, **env) -> list[dict]:
    """Run a code_annotations command with --lint --report; the annotations it reported."""
    report = tmp_path / "report"
    result = subprocess.run(  # noqa: S603 (a fixed command of this repository)
        [str(CLI), *args, "--lint", "--report", "--report_path", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (path,) = report.glob("*.yaml")
    found = yaml.safe_load(path.read_text())
    return [annotation for annotations in found.values() for annotation in annotations]


def _names(annotations, token) -> set[str]:
    return {a["annotation_data"] for a in annotations if a["annotation_token"] == token}


@pytest.fixture(scope="module")
def toggle_annotations(tmp_path_factory):
    return _run(
        [
            "static_find_annotations",
            "--config_file",
            FEATURE_TOGGLE_ANNOTATIONS_CONFIG_PATH,
            "--source_path",
            "credits_plugin",
        ],
        tmp_path_factory.mktemp("toggles"),
    )


def test_every_setting_is_annotated(tmp_path, toggle_annotations):
    found = _run(
        [
            "static_find_annotations",
            "--config_file",
            SETTING_ANNOTATIONS_CONFIG_PATH,
            "--source_path",
            "credits_plugin",
        ],
        tmp_path,
    )
    settings = _names(found, ".. setting_name:")
    toggle_names = _names(toggle_annotations, ".. toggle_name:")
    # A boolean setting is a toggle (OEP-17): annotated once, as a toggle.
    missing = {name for name in DEFAULTS if name not in settings and name not in toggle_names}
    assert not missing, f"settings without a setting_name (or toggle_name) annotation: {missing}"
    assert settings <= set(DEFAULTS), "an annotation names a setting the plugin does not define"
    assert not settings & toggle_names, "a setting is annotated both as a setting and as a toggle"


def test_every_toggle_is_annotated(toggle_annotations):
    defined = {
        value.name
        for value in vars(toggles).values()
        if type(value).__module__.startswith("edx_toggles.toggles")
    }
    assert defined == {"credits_plugin.enabled", "CREDITS_PLUGIN_ORGANISATIONS_OPT_IN"}
    assert _names(toggle_annotations, ".. toggle_name:") == defined


def test_every_model_has_pii_annotations(tmp_path):
    found = _run(
        ["django_find_annotations", "--config_file", ".pii_annotations.yml", "--coverage"],
        tmp_path,
        DJANGO_SETTINGS_MODULE="host.settings",
        PYTHONPATH=str(ROOT / "sandbox"),
    )
    annotated = {a["extra"]["object_id"] for a in found}
    models = {m._meta.label for m in apps.get_models()}
    assert models <= annotated
    plugin = {m._meta.label for m in apps.get_app_config("credits_plugin").get_models()}
    # The history tables are checked too (django-simple-history's models, in the safelist).
    assert "credits_plugin.HistoricalLearnerLicence" in plugin
    retirement = {
        a["extra"]["object_id"]: a["annotation_data"]
        for a in found
        if a["annotation_token"] == ".. pii_retirement:"
    }
    # What api.retire_user deletes or anonymises says local_api; the money history is retained.
    assert retirement["credits_plugin.LearnerLicence"] == ["local_api"]
    assert retirement["credits_plugin.HistoricalLearnerLicence"] == ["local_api"]
    assert retirement["credits_plugin.OrganisationMember"] == ["local_api"]
    assert retirement["credits_plugin.GrantBatch"] == ["local_api"]
    assert retirement["credits_plugin.Transfer"] == ["retained"]
    assert retirement["credits_plugin.Purchase"] == ["retained"]
