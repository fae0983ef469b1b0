#!/usr/bin/env bash
# The CloudEvents SDK fixtures (tests/fixtures/cloudevents-sdk) are real SDK
# output: this installs each pinned version of the Python `cloudevents` SDK
# from PyPI into a temporary venv, regenerates the fixtures into a temporary
# directory, and fails (showing the diff) if they differ from the committed
# ones. A PyPI that cannot be reached is a failure, never a skip.
#
#   bash .ci/cloudevents_sdk.sh            check (CI)
#   bash .ci/cloudevents_sdk.sh --update   write the regenerated fixtures
set -euo pipefail
cd "$(dirname "$0")/.."

fixtures=tests/fixtures/cloudevents-sdk
python="${PYTHON:-python3}"

fail() {
  echo "cloudevents_sdk: FAILED: $*" >&2
  exit 1
}

case "${1:-}" in
  "") update=false ;;
  --update) update=true ;;
  *) fail "unknown argument '$1' (usage: $0 [--update])" ;;
esac

command -v "$python" >/dev/null || fail "no $python to build the SDK's venvs with"
"$python" -c 'import venv, ensurepip' 2>/dev/null \
  || fail "$python lacks the venv/ensurepip modules (Debian: apt-get install python3-venv)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/fixtures"

read -r -a versions <<<"$("$python" "$fixtures/generate.py" --pinned)"
[[ ${#versions[@]} -gt 0 ]] || fail "generate.py --pinned named no SDK version"

for version in "${versions[@]}"; do
  venv="$work/venv-$version"
  "$python" -m venv "$venv" || fail "could not create a venv for cloudevents $version"
  echo "cloudevents_sdk: installing cloudevents==$version from PyPI"
  if ! "$venv/bin/pip" install --disable-pip-version-check --no-input --quiet \
    --timeout 30 --retries 3 "cloudevents==$version"; then
    fail "could not install cloudevents==$version from PyPI (is PyPI reachable?); the fixtures were NOT checked"
  fi
  "$venv/bin/python" "$fixtures/generate.py" "$out" || fail "generate.py failed with cloudevents $version"
done

count=$(find "$out" -name '*.json' | wc -l)
[[ $count -gt 0 ]] || fail "generate.py wrote no fixture"

if $update; then
  find "$fixtures" -maxdepth 1 -name '*.json' -delete
  cp "$out"/*.json "$fixtures"/
  echo "cloudevents_sdk: wrote $count fixtures to $fixtures"
  exit 0
fi

if ! diff -ru --exclude=generate.py --exclude=README.md --exclude=__pycache__ "$fixtures" "$out"; then
  fail "the committed fixtures in $fixtures differ from what cloudevents ${versions[*]} produce (diff above: '-' committed, '+' regenerated); regenerate with: bash .ci/cloudevents_sdk.sh --update"
fi
echo "cloudevents_sdk: ok: $count fixtures match what cloudevents ${versions[*]} produce"
