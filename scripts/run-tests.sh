#!/usr/bin/env bash
# Runs the test suite on each database: `run-tests.sh [sqlite|postgresql|mariadb|frontend|browser|tutor ...]`.
# With no argument: SQLite, PostgreSQL, MariaDB, the MFE widgets (frontend/: npm ci, Vitest, the
# build of the package and of the demo bundle), the browser tests, which need that bundle (run
# alone, `browser` builds it first), then the Tutor plugin's rendering tests
# (tutor-contrib-credits/, in .venv-tutor: `make venv-tutor` creates it).
# A database server that does not answer is a failure under CI=true, and a loud notice otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(sqlite postgresql mariadb frontend browser tutor)

# npm ci and the build of frontend/ (the package and the demo bundle), once per run.
frontend_built=""
build_frontend() {
  [ -n "$frontend_built" ] && return "$frontend_built"
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is not installed: the MFE widgets need Node.js 20.19+ and npm."
    frontend_built=1
    return 1
  fi
  (cd frontend && npm ci --no-progress && npm run build)
  frontend_built=$?
  return "$frontend_built"
}

reachable() {
  case "$1" in
    postgresql) $PY - <<'PYEOF'
import psycopg
psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3").close()
PYEOF
    ;;
    mariadb) $PY - <<'PYEOF'
import MySQLdb
MySQLdb.connect(host="127.0.0.1", port=3306, user="root", passwd="", connect_timeout=3).close()
PYEOF
    ;;
    *) return 0 ;;
  esac
}

status=0
summary=()
run_tutor_tests() {
  # The plugin is installed as a user installs it (not editable), so a file missing from the
  # package fails the tests too.
  [ -x .venv-tutor/bin/pytest ] || { echo ".venv-tutor is missing: run make venv-tutor"; return 1; }
  rm -rf tutor-contrib-credits/build  # setuptools would package stale files left there
  .venv-tutor/bin/pip install -q --no-deps --force-reinstall ./tutor-contrib-credits || return 1
  (cd tutor-contrib-credits && ../.venv-tutor/bin/pytest)
}

for target in "${targets[@]}"; do
  if [ "$target" = tutor ]; then
    echo "=== Tutor plugin rendering tests ==="
    run_tutor_tests
    rc=$?
    if [ $rc -eq 0 ]; then summary+=("tutor: passed"); else summary+=("tutor: FAILED (exit $rc)"); status=1; fi
    continue
  fi
  if [ "$target" = frontend ]; then
    echo "=== tests of the MFE widgets (frontend/) ==="
    if ! build_frontend; then
      summary+=("frontend: FAILED (npm ci or the build failed)")
      status=1
      continue
    fi
    (cd frontend && npm test -- --run)
    rc=$?
    if [ $rc -eq 0 ]; then summary+=("frontend: passed"); else summary+=("frontend: FAILED (vitest exit $rc)"); status=1; fi
    continue
  fi
  db=$target
  args=()
  if [ "$target" = browser ]; then
    db=sqlite
    args=(-m browser tests/e2e)
    bash scripts/system-packages.sh || { echo "chromium could not be installed"; status=1; continue; }
    if ! build_frontend; then
      summary+=("browser: FAILED (the MFE demo bundle could not be built)")
      status=1
      continue
    fi
  fi
  if ! reachable "$db" >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
      echo "FAIL: $db is not reachable on 127.0.0.1 and CI=true: a missing database is a failure."
      summary+=("$target: FAILED (server not reachable)")
      status=1
    else
      echo "NOTICE: $db is not reachable on 127.0.0.1; its run is left out (it would fail under CI=true)."
      summary+=("$target: NOT RUN (server not reachable)")
    fi
    continue
  fi
  echo "=== tests on $target ==="
  # --create-db: every run starts from a fresh test database built from the models.
  CREDITS_DB=$db CREDITS_SQLITE_PATH=/tmp/credits_plugin_test_$$.sqlite3 \
    .venv/bin/pytest --create-db "${args[@]}"
  rc=$?
  if [ $rc -eq 0 ]; then summary+=("$target: passed"); else summary+=("$target: FAILED (pytest exit $rc)"); status=1; fi
done
echo
echo "=== summary ==="
printf '  %s\n' "${summary[@]}"
exit $status
