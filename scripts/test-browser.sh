#!/usr/bin/env bash
# Runs the web console's tests against the freshly built spool binary: the JavaScript
# unit tests (node --test tests/console) and the real-browser tests (pytest + Selenium
# driving Debian's headless Chromium, tests/browser). Installs what is missing: the
# Debian packages chromium, chromium-driver, python3-venv and nodejs, and Selenium and
# pytest from PyPI into .build/browser-tests-venv. Screenshots: .test-artifacts/browser/.
set -euo pipefail
cd "$(dirname "$0")/.."
export SPOOL_BINARY="${SPOOL_BINARY:-$PWD/.build/debug/spool}"

scripts/install-deps.sh chromium chromium-driver python3-venv
command -v node >/dev/null || scripts/install-deps.sh nodejs

venv=.build/browser-tests-venv
if ! "$venv/bin/python" -c "import selenium, pytest" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check selenium pytest
fi

echo "== Console JavaScript unit tests"
node --test tests/console/
echo "== Console browser tests"
# Selenium must not look for drivers online: the driver is Debian's chromedriver.
export SE_OFFLINE=true
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/browser
