#!/usr/bin/env bash
# The SAM template (examples/template.yaml), its Lambda Managed Instances
# capacity provider and function included, checked with cfn-lint from PyPI
# (pinned, with the SAM translator it transforms the template with) in a
# temporary venv. A PyPI that cannot be reached is a failure, never a skip.
#
#   bash .ci/cfn_lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
# cfn-lint 1.58.0 knows AWS::Lambda::CapacityProvider; aws-sam-translator
# 1.115.0 knows AWS::Serverless::CapacityProvider and CapacityProviderConfig.
cfn_lint_version=1.58.0
sam_translator_version=1.115.0

fail() {
  echo "cfn_lint: FAILED: $*" >&2
  exit 1
}

command -v "$python" >/dev/null || fail "no $python to build the venv with"
"$python" -c 'import venv, ensurepip' 2>/dev/null \
  || fail "$python lacks the venv/ensurepip modules (Debian: apt-get install python3-venv)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv" || fail "could not create a venv"
echo "cfn_lint: installing cfn-lint==$cfn_lint_version aws-sam-translator==$sam_translator_version from PyPI"
if ! "$work/venv/bin/pip" install --disable-pip-version-check --no-input --quiet \
  --timeout 30 --retries 3 "cfn-lint==$cfn_lint_version" "aws-sam-translator==$sam_translator_version"; then
  fail "could not install cfn-lint from PyPI (is PyPI reachable?); the template was NOT checked"
fi
"$work/venv/bin/cfn-lint" --version
"$work/venv/bin/cfn-lint" examples/template.yaml || fail "examples/template.yaml (above)"
echo "ok: examples/template.yaml passes cfn-lint $cfn_lint_version"
