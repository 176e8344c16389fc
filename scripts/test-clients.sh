#!/usr/bin/env bash
# Runs the Python and JavaScript client tests against the freshly built spool binary.
# Installs pytest and Node.js when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export SPOOL_BINARY="${SPOOL_BINARY:-$PWD/.build/debug/spool}"

if ! python3 -c "import pytest" 2>/dev/null; then
    python3 -m pip install --quiet pytest 2>/dev/null || scripts/install-deps.sh python3-pytest
fi
command -v node >/dev/null || scripts/install-deps.sh nodejs

echo "== Python client tests"
python3 -m pytest -q -p no:cacheprovider clients/python/tests
echo "== JavaScript client tests"
node --test clients/js/test/
