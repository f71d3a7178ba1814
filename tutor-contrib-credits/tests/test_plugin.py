"""Rendering tests: every patch of the plugin, rendered by the real `tutor` into a real Tutor
environment, then read as what it is (Python, YAML, shell, the MFE's env.config.jsx).

Nothing is built or launched: no Docker here.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import tutor as tutor_package
import tutorcredits
import tutormfe
import yaml
from celery.schedules import crontab
from conftest import REPO
from tutorcredits.__about__ import __version__
from tutormfe.plugin import CORE_MFE_APPS

PATCHES = Path(tutorcredits.__file__).with_name("patches")

# Slot ids read in src/plugin-slots/ of the frontends that Tutor 22 (Open edX Verawood) builds:
# frontend-component-header v8.2 (the learner dashboard asks for ^8.2.1) and
# frontend-app-learner-dashboard release/verawood.
HEADER_SLOTS = {
    "org.openedx.frontend.layout.header_desktop.v1",
    "org.openedx.frontend.layout.header_desktop_logged_out_items.v1",
    "org.openedx.frontend.layout.header_desktop_main_menu.v1",
    "org.openedx.frontend.layout.header_desktop_secondary_menu.v1",
    "org.openedx.frontend.layout.header_desktop_secondary_menu.v2",
    "org.openedx.frontend.layout.header_desktop_user_menu.v1",
    "org.openedx.frontend.layout.header_desktop_user_menu_toggle.v1",
}
LEARNER_DASHBOARD_SLOTS = {
    "org.openedx.frontend.learner_dashboard.course_card_action.v1",
    "org.openedx.frontend.learner_dashboard.course_card_banner.v1",
    "org.openedx.frontend.learner_dashboard.course_list.v1",
    "org.openedx.frontend.learner_dashboard.dashboard_modal.v1",
    "org.openedx.frontend.learner_dashboard.no_courses_view.v1",
    "org.openedx.frontend.learner_dashboard.widget_sidebar.v1",
}
REAL_SLOTS = {"all": HEADER_SLOTS, "learner-dashboard": HEADER_SLOTS | LEARNER_DASHBOARD_SLOTS}

EXPECTED_WIDGETS = {
    ("all", "org.openedx.frontend.layout.header_desktop_user_menu.v1", "HeaderBalance"),
    (
        "learner-dashboard",
        "org.openedx.frontend.learner_dashboard.course_card_action.v1",
        "CourseCardCredits",
    ),
    (
        "learner-dashboard",
        "org.openedx.frontend.learner_dashboard.course_card_banner.v1",
        "AwardedCreditsCard",
    ),
}


def plugin_defaults() -> dict:
    """credits_plugin/settings/common.py's DEFAULTS (a module without imports)."""
    spec = importlib.util.spec_from_file_location(
        "credits_common_settings", REPO / "credits_plugin" / "settings" / "common.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DEFAULTS


def plugin_version() -> str:
    text = (REPO / "credits_plugin" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def registered_task_names() -> set[str]:
    names = set()
    for path in ("credits_plugin/tasks.py", "credits_plugin/wallets/tasks.py"):
        names |= set(re.findall(r'@shared_task\(name="([^"]+)"', (REPO / path).read_text()))
    return names


def settings_block(settings_file: str) -> str:
    """The plugin's part of a rendered LMS/CMS settings module."""
    match = re.search(
        r"^# BEGIN credits_plugin settings.*?^# END credits_plugin settings$",
        settings_file,
        re.M | re.S,
    )
    assert match, "the credits settings patch is not in the rendered settings"
    return match.group(0)


def exec_settings(block: str, **already: object) -> dict:
    """Exec the patch on a fake settings module that already holds `already`."""
    namespace = dict(already)
    exec(compile(block, "credits-settings-patch", "exec"), namespace)
    return {name: value for name, value in namespace.items() if name.isupper()}


# --- every patch is a real patch, and each one lands in the environment -------------------------


def test_every_patch_is_a_patch_that_tutor_or_tutor_mfe_renders(tutor):
    templates = [Path(tutor_package.__file__).parent / "templates"]
    templates.append(Path(tutormfe.__file__).parent / "templates")
    known = set()
    for root in templates:
        for path in root.rglob("*"):
            if path.is_file():
                known |= set(re.findall(r'patch\("([a-z0-9-]+)"\)', path.read_text(errors="ignore")))
    names = sorted(path.name for path in PATCHES.iterdir())
    assert names == [
        "k8s-deployments",
        "local-docker-compose-prod-services",
        "mfe-dockerfile-post-npm-install",
        "mfe-env-config-buildtime-imports",
        "openedx-cms-common-settings",
        "openedx-dockerfile-post-python-requirements",
        "openedx-lms-common-settings",
    ]
    assert set(names) <= known

    tutor.save()
    assert "credits_plugin" in tutor.read("apps", "openedx", "settings", "lms", "production.py")
    assert "credits_plugin" in tutor.read("apps", "openedx", "settings", "cms", "production.py")
    assert "credits-plugin==" in tutor.read("build", "openedx", "Dockerfile")
    assert "credits-beat" in tutor.read("local", "docker-compose.prod.yml")
    assert "credits-beat" in tutor.read("k8s", "deployments.yml")
    assert "@credits-plugin/frontend-plugin-credits" in tutor.read(
        "plugins", "mfe", "build", "mfe", "Dockerfile"
    )
    assert "@credits-plugin/frontend-plugin-credits" in tutor.read(
        "plugins", "mfe", "build", "mfe", "env.config.jsx"
    )


# --- the pip requirement ----------------------------------------------------------------------


def pip_install_lines(dockerfile: str) -> list[str]:
    """The `install '<requirement>'` lines of the stage that installs the Python requirements."""
    stage = dockerfile.split("FROM python AS python-requirements", 1)[1].split("\nFROM ", 1)[0]
    return re.findall(r"\$PIP_COMMAND install '([^']+)'", stage)


def test_the_image_installs_the_plugin_pinned_to_its_version_by_default(tutor):
    assert __version__ == plugin_version()
    tutor.save()
    assert pip_install_lines(tutor.read("build", "openedx", "Dockerfile")) == [
        f"credits-plugin=={plugin_version()}"
    ]
    assert tutor("config", "printvalue", "CREDITS_PIP_REQUIREMENT").strip() == (
        f"credits-plugin=={plugin_version()}"
    )


def test_the_pip_requirement_follows_the_config(tutor):
    requirement = "credits-plugin @ git+https://git.example.com/credits_plugin.git@main"
    tutor.save(CREDITS_PIP_REQUIREMENT=requirement)
    assert pip_install_lines(tutor.read("build", "openedx", "Dockerfile")) == [requirement]


def test_the_operators_own_extra_requirements_are_kept(tutor):
    tutor.save(OPENEDX_EXTRA_PIP_REQUIREMENTS='["other-xblock==1.0"]')
    assert pip_install_lines(tutor.read("build", "openedx", "Dockerfile")) == [
        f"credits-plugin=={plugin_version()}",
        "other-xblock==1.0",
    ]


# --- the settings patches ---------------------------------------------------------------------


def test_the_lms_settings_patch_sets_the_plugins_defaults(tutor):
    tutor.save()
    block = settings_block(tutor.read("apps", "openedx", "settings", "lms", "production.py"))
    settings = exec_settings(block)
    defaults = plugin_defaults()
    plugin_settings = {k: v for k, v in settings.items() if k.startswith("CREDITS_PLUGIN_")}
    # Only real settings, each with the plugin's own default.
    assert set(plugin_settings) <= set(defaults)
    assert plugin_settings == {name: defaults[name] for name in plugin_settings}
    assert {
        "CREDITS_PLUGIN_REFUND_WINDOW_DAYS",
        "CREDITS_PLUGIN_HOLD_TIMEOUT_SECONDS",
        "CREDITS_PLUGIN_THROTTLE_RATES",
        "CREDITS_PLUGIN_EXPIRY_WARNING_DAYS",
        "CREDITS_PLUGIN_ORGANISATIONS_OPT_IN",
    } <= set(plugin_settings)
    # Not for Tutor to change: the Open edX backend, and a PostgreSQL-only switch (Tutor runs MySQL).
    assert "CREDITS_PLUGIN_PLATFORM_BACKEND" not in settings
    assert "CREDITS_PLUGIN_PREPARED_STATEMENTS" not in settings
    # The same block in the development settings (`tutor dev`).
    assert settings_block(tutor.read("apps", "openedx", "settings", "lms", "development.py")) == block


def test_the_settings_follow_the_config(tutor):
    tutor.save(
        CREDITS_REFUND_WINDOW_DAYS="30",
        CREDITS_WALLET_UNIT="it's-credits",
        CREDITS_ORGANISATIONS_OPT_IN="true",
        CREDITS_THROTTLE_RATES='{"credits_plugin.checkout": "3/minute", "credits_plugin.redeem": null}',
    )
    for service in ("lms", "cms"):
        settings = exec_settings(
            settings_block(tutor.read("apps", "openedx", "settings", service, "production.py"))
        )
        assert settings["CREDITS_PLUGIN_REFUND_WINDOW_DAYS"] == 30
        assert settings["CREDITS_PLUGIN_WALLET_UNIT"] == "it's-credits"
        assert settings["CREDITS_PLUGIN_ORGANISATIONS_OPT_IN"] is True
        # A dict naming some scopes: the plugin keeps the defaults of the others; None: no limit.
        assert settings["CREDITS_PLUGIN_THROTTLE_RATES"] == {
            "credits_plugin.checkout": "3/minute",
            "credits_plugin.redeem": None,
        }


def test_the_cms_gets_the_settings_but_not_the_schedule(tutor):
    tutor.save()
    settings = exec_settings(
        settings_block(tutor.read("apps", "openedx", "settings", "cms", "production.py"))
    )
    assert settings["CREDITS_PLUGIN_REFUND_WINDOW_DAYS"] == 14
    assert "CELERYBEAT_SCHEDULE" not in settings


# --- the periodic jobs ------------------------------------------------------------------------


def test_the_lms_schedule_runs_the_plugins_tasks_and_keeps_other_entries(tutor):
    tutor.save()
    block = settings_block(tutor.read("apps", "openedx", "settings", "lms", "production.py"))
    other = {"task": "some.other.task", "schedule": 60.0}
    schedule = exec_settings(block, CELERYBEAT_SCHEDULE={"other": other})["CELERYBEAT_SCHEDULE"]
    assert schedule.pop("other") == other
    assert {name: entry["task"] for name, entry in schedule.items()} == {
        "credits-expire-holds": "credits_plugin.expire_holds",
        "credits-resume-batches": "credits_plugin.resume_grant_batches",
        "credits-expire-lots": "credits_plugin.expire_lots",
        "credits-expiry-warnings": "credits_plugin.send_expiry_warnings",
    }
    # Each is a task the plugin registers under that name.
    assert {entry["task"] for entry in schedule.values()} <= registered_task_names()
    assert schedule["credits-expire-holds"]["schedule"] == crontab(minute="*/5")
    assert schedule["credits-resume-batches"]["schedule"] == crontab(minute="*/10")
    assert schedule["credits-expire-lots"]["schedule"] == crontab(hour=2, minute=10)
    assert schedule["credits-expiry-warnings"]["schedule"] == crontab(hour=8, minute=0)
    # Without a schedule in the settings before it, the patch makes one.
    assert set(exec_settings(block)["CELERYBEAT_SCHEDULE"]) == set(schedule)


def test_no_schedule_when_switched_off(tutor):
    tutor.save(CREDITS_SCHEDULE_JOBS="false")
    block = settings_block(tutor.read("apps", "openedx", "settings", "lms", "production.py"))
    settings = exec_settings(block)
    assert "CELERYBEAT_SCHEDULE" not in settings
    assert settings["CREDITS_PLUGIN_REFUND_WINDOW_DAYS"] == 14


def test_celery_beat_runs_beside_the_lms_worker_in_docker_compose(tutor):
    tutor.save()
    services = yaml.safe_load(tutor.read("local", "docker-compose.prod.yml"))["services"]
    beat, worker = services["credits-beat"], services["lms-worker"]
    assert beat["image"] == worker["image"]
    assert beat["environment"] == worker["environment"]
    assert beat["command"][:3] == ["celery", "--app=lms.celery", "beat"]
    assert "--pidfile=" in beat["command"]
    assert beat["volumes"] == [v for v in worker["volumes"] if "/settings/" in v or "/config" in v]
    assert beat["restart"] == "unless-stopped"


def test_celery_beat_runs_as_one_replica_on_kubernetes(tutor):
    tutor.save()
    documents = [d for d in yaml.safe_load_all(tutor.read("k8s", "deployments.yml")) if d]
    by_name = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Deployment"}
    beat, worker = by_name["credits-beat"]["spec"], by_name["lms-worker"]["spec"]
    assert beat["replicas"] == 1
    assert beat["strategy"] == {"type": "Recreate"}
    assert beat["selector"]["matchLabels"] == {"app.kubernetes.io/name": "credits-beat"}
    (container,) = beat["template"]["spec"]["containers"]
    (worker_container,) = worker["template"]["spec"]["containers"]
    assert container["image"] == worker_container["image"]
    assert container["env"] == worker_container["env"]
    assert container["volumeMounts"] == worker_container["volumeMounts"]
    assert beat["template"]["spec"]["volumes"] == worker["template"]["spec"]["volumes"]
    compose = yaml.safe_load(tutor.read("local", "docker-compose.prod.yml"))["services"]
    assert container["args"] == compose["credits-beat"]["command"]


def test_no_beat_service_when_switched_off(tutor):
    tutor.save(CREDITS_RUN_BEAT="false")
    services = yaml.safe_load(tutor.read("local", "docker-compose.prod.yml"))["services"]
    assert "credits-beat" not in services
    documents = [d for d in yaml.safe_load_all(tutor.read("k8s", "deployments.yml")) if d]
    assert "credits-beat" not in {d["metadata"]["name"] for d in documents}
    # The schedule stays, for a celery beat the platform runs another way.
    block = settings_block(tutor.read("apps", "openedx", "settings", "lms", "production.py"))
    assert "credits-expire-holds" in exec_settings(block)["CELERYBEAT_SCHEDULE"]


# --- do init ----------------------------------------------------------------------------------


def init_scripts(tutor, *args: str) -> list[tuple[str, str]]:
    """(service, script) of every job `tutor local do init` runs, from the docker calls."""
    tutor("local", "do", "init", *args)
    jobs = []
    for call in tutor.docker_calls():
        if "run" in call and call[-3:-1] == ["-e", "-c"]:
            jobs.append((call[-5], call[-1]))
    return jobs


FAKE_MANAGE_PY = """#!/bin/sh
# Stands for edx-platform's manage.py: logs each call; waffle switches live in $SWITCHES.
echo "$*" >> "$CALLS"
case "$*" in
  "lms waffle_switch --list")
    echo "Switches:"
    cat "$SWITCHES"
    echo "" ;;
  "lms waffle_switch --create credits_plugin.enabled on")
    echo "credits_plugin.enabled: on" >> "$SWITCHES" ;;
esac
"""


def run_init_script(script: str, tmp_path: Path, switches: str) -> list[str]:
    """Run a job script as the lms-job container would (`sh -e -c`), with a fake manage.py."""
    (tmp_path / "manage.py").write_text(FAKE_MANAGE_PY)
    (tmp_path / "manage.py").chmod(0o755)
    (tmp_path / "switches").write_text(switches)
    calls = tmp_path / "calls"
    calls.write_text("")
    env = {"PATH": "/usr/bin:/bin", "CALLS": str(calls), "SWITCHES": str(tmp_path / "switches")}
    subprocess.run(["sh", "-e", "-c", script], cwd=tmp_path, env=env, check=True)
    return calls.read_text().splitlines()


def test_do_init_migrates_and_switches_credits_on(tutor, tmp_path):
    tutor.save()
    jobs = init_scripts(tutor, "--limit=credits")
    assert [service for service, _script in jobs] == ["lms-job"]
    ((_service, script),) = jobs
    # A platform where the switch does not exist yet: it is created, on.
    assert run_init_script(script, tmp_path, switches="completion.enable_completion_tracking: on\n") == [
        "lms migrate credits_plugin",
        "lms waffle_switch --list",
        "lms waffle_switch --create credits_plugin.enabled on",
    ]
    # A platform where an operator switched credits off: left off.
    assert run_init_script(script, tmp_path, switches="credits_plugin.enabled: off\n") == [
        "lms migrate credits_plugin",
        "lms waffle_switch --list",
    ]


def test_do_init_runs_after_the_lms_own_init(tutor):
    tutor.save()
    scripts = [script for _service, script in init_scripts(tutor)]
    ours = next(i for i, s in enumerate(scripts) if "migrate credits_plugin" in s)
    lms = next(i for i, s in enumerate(scripts) if "./manage.py lms migrate\n" in s)
    assert lms < ours


def test_do_init_leaves_the_switch_alone_when_told_to(tutor, tmp_path):
    tutor.save(CREDITS_SWITCH_ON_AT_INIT="false")
    ((_service, script),) = init_scripts(tutor, "--limit=credits")
    assert run_init_script(script, tmp_path, switches="") == ["lms migrate credits_plugin"]


# --- the MFE widgets --------------------------------------------------------------------------


def slot_widgets(env_config: str) -> set[tuple[str, str, str]]:
    """(mfe, slot id, component) of the credits widgets in a rendered env.config.jsx."""
    found = set()
    # Before the first per-MFE block: the slots of "all" MFEs.
    sections = re.split(r"if \(process\.env\.APP_ID == '([a-z-]+)'\) \{", env_config)
    named = [("all", sections[0]), *zip(sections[1::2], sections[2::2], strict=True)]
    for mfe, section in named:
        for slot, body in re.findall(r"addPlugins\(config, '([^']+)', \[(.*?)\]\);", section, re.S):
            component = re.search(r"RenderWidget: (\w+)", body)
            if "credits_" in body and component:
                found.add((mfe, slot, component.group(1)))
    return found


def test_the_widgets_go_into_real_slots_of_real_mfes(tutor):
    tutor.save()
    env_config = tutor.read("plugins", "mfe", "build", "mfe", "env.config.jsx")
    widgets = slot_widgets(env_config)
    assert widgets == EXPECTED_WIDGETS
    for mfe, slot, _component in widgets:
        assert mfe == "all" or mfe in CORE_MFE_APPS
        assert slot in REAL_SLOTS[mfe], f"{slot} is not a slot of {mfe}"
    imported = re.search(
        r"import \{ ([\w, ]+) \} from '@credits-plugin/frontend-plugin-credits';", env_config
    )
    assert imported, "the widgets are not imported"
    assert {component for _mfe, _slot, component in widgets} == set(imported.group(1).split(", "))


def test_the_mfe_image_installs_the_widgets_package(tutor):
    tutor.save()
    dockerfile = tutor.read("plugins", "mfe", "build", "mfe", "Dockerfile")
    installs = re.findall(r"RUN npm install '([^']+)'", dockerfile)
    # Once in each MFE's build stage.
    assert installs == [f"@credits-plugin/frontend-plugin-credits@{__version__}"] * len(CORE_MFE_APPS)
    tutor.save(CREDITS_NPM_REQUIREMENT="@credits-plugin/frontend-plugin-credits@^0.2.0")
    dockerfile = tutor.read("plugins", "mfe", "build", "mfe", "Dockerfile")
    assert set(re.findall(r"RUN npm install '([^']+)'", dockerfile)) == {
        "@credits-plugin/frontend-plugin-credits@^0.2.0"
    }


def test_no_widgets_when_switched_off(tutor):
    tutor.save(CREDITS_MFE_WIDGETS="false")
    env_config = tutor.read("plugins", "mfe", "build", "mfe", "env.config.jsx")
    assert slot_widgets(env_config) == set()
    assert "credits" not in env_config
    assert "credits" not in tutor.read("plugins", "mfe", "build", "mfe", "Dockerfile")
    # And back on.
    tutor.save(CREDITS_MFE_WIDGETS="true")
    env_config = tutor.read("plugins", "mfe", "build", "mfe", "env.config.jsx")
    assert slot_widgets(env_config) == EXPECTED_WIDGETS


def test_the_widgets_switch_is_read_again_when_the_configuration_changes():
    # In one process, as a long-running caller of Tutor's Python API would: tutor-mfe caches
    # the slots it computed, and the plugin must not serve the widgets of the previous config.
    from tutor import hooks, plugins
    from tutormfe.plugin import get_plugin_slots

    hooks.Actions.CORE_READY.do()  # as `tutor` does first: it finds the installed plugins
    plugins.load_all(["mfe", "credits"])
    ours = {(slot, "credits_") for _mfe, slot, _component in EXPECTED_WIDGETS if _mfe != "all"}

    def dashboard_slots() -> set[tuple[str, str]]:
        return {
            (slot, "credits_") for slot, body in get_plugin_slots("learner-dashboard") if "credits_" in body
        }

    hooks.Actions.CONFIG_LOADED.do({"CREDITS_MFE_WIDGETS": True})
    assert dashboard_slots() == ours
    hooks.Actions.CONFIG_LOADED.do({"CREDITS_MFE_WIDGETS": False})
    assert dashboard_slots() == set()
    hooks.Actions.CONFIG_LOADED.do({"CREDITS_MFE_WIDGETS": True})
    assert dashboard_slots() == ours
