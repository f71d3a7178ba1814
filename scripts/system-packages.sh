#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only when they are missing:
# libmariadb-dev and pkg-config (mysqlclient builds against them, as in Open edX images) and
# chromium (the browser tests drive it; Playwright cannot download its own browser here) and
# gettext (makemessages and compilemessages run its xgettext, msgmerge and msgfmt).
set -euo pipefail
missing=()
dpkg -s libmariadb-dev >/dev/null 2>&1 || missing+=(libmariadb-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
