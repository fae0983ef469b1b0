#!/usr/bin/env bash
# Mutation testing of the failure-contract code with cargo-mutants: each
# mutant (a `>` turned `>=`, a function body replaced by `Default::default()`,
# a `!` dropped, ...) is built and the tests that guard that code are run; a
# mutant the tests still pass is "missed": a way the code can break unseen.
#
# Scope, so that a run fits this machine (2 cores; about 2.5 hours for the
# whole scope):
#
#   error rendering       src/error/render.rs
#   invoke and deadline   adapters/kit/src/{invoke,catch_panic,detach}.rs
#   the stream guard      adapters/kit/src/stream_guard.rs
#   event posts           adapters/kit/src/event_request.rs
#   the watchdog          adapters/kit/src/host/{watchdog,header_deadline}.rs
#
# (Before the kit, these were src/adapter/*.rs and
# adapters/watchdog/src/{watchdog,header}.rs: both paths are listed, and the
# ones a checkout lacks are skipped, so that an older tree is measured on the
# same code.)
#   the Azure envelope    adapters/azure/src/envelope.rs
#   the functions router  adapters/functions/src/router.rs
#
# Tests run per mutant: the unit and integration tests (not the doc tests,
# each a compilation of its own) of anyfn (whose tests/integration holds the
# cross-adapter suites), anyfn-kit (anyfn-watchdog in older trees),
# anyfn-azure and anyfn-functions.
# Builds use the `mutants` profile (Cargo.toml: dev without debug info), in
# target/mutants, so that a mutant's relink is quick.
#
# Usage:
#   benches/mutants.sh                    # the working tree
#   TREE=/tmp/before benches/mutants.sh   # another checkout (e.g. a git
#                                         # worktree of an older commit)
#   FILES="src/error/render.rs" benches/mutants.sh   # a part of the scope
#   JOBS=1 (default) | 2                  # mutants built and tested at once
#   MUTANTS_ARGS="--iterate"              # more cargo-mutants options; with
#                                         # --iterate and OUT holding an
#                                         # earlier run, only the mutants not
#                                         # caught then are tested again
#
# Output: OUT (default target/mutants-report) holds cargo-mutants' own
# mutants.out (caught.txt, missed.txt, timeout.txt, unviable.txt,
# outcomes.json); the script prints the counts per file. Not run in CI: it
# takes hours. A missed mutant is either a test to write or an equivalent
# mutant (one no test can tell from the original): the note of the change
# that ran it says which.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD

TREE=${TREE:-$here}
OUT=${OUT:-$here/target/mutants-report}
JOBS=${JOBS:-1}
FILES=${FILES:-"src/error/render.rs
  adapters/kit/src/invoke.rs adapters/kit/src/catch_panic.rs adapters/kit/src/detach.rs
  adapters/kit/src/stream_guard.rs adapters/kit/src/event_request.rs
  adapters/kit/src/host/watchdog.rs adapters/kit/src/host/header_deadline.rs
  src/adapter/mod.rs src/adapter/catch_panic.rs src/adapter/detach.rs
  src/adapter/stream_guard.rs src/adapter/event_request.rs
  adapters/watchdog/src/watchdog.rs adapters/watchdog/src/header.rs
  adapters/azure/src/envelope.rs adapters/functions/src/router.rs"}
MUTANTS_VERSION=27.1.0

if [[ "$(cargo mutants --version 2>/dev/null)" != "cargo-mutants $MUTANTS_VERSION" ]]; then
  cargo install cargo-mutants --version "$MUTANTS_VERSION" --locked
fi

if ! grep -q '^\[profile.mutants\]' "$TREE/Cargo.toml"; then
  # An older checkout without the profile: add it to the copy cargo-mutants
  # makes, not to the checkout itself.
  extra_profile=1
else
  extra_profile=0
fi

file_args=()
for file in $FILES; do
  if [[ -f "$TREE/$file" ]]; then
    file_args+=(--file "$file")
  else
    echo "skipped (not in $TREE): $file"
  fi
done

if [[ -d "$TREE/adapters/watchdog" ]]; then kit_package=anyfn-watchdog; else kit_package=anyfn-kit; fi

mkdir -p "$OUT"
args=(
  --dir "$TREE"
  --workspace
  "${file_args[@]}"
  --test-package anyfn --test-package "$kit_package"
  --test-package anyfn-azure --test-package anyfn-functions
  --cargo-test-arg=--lib --cargo-test-arg=--tests
  --jobs "$JOBS"
  --no-shuffle
  --output "$OUT"
  --timeout-multiplier 3
)
# shellcheck disable=SC2206
args+=(${MUTANTS_ARGS:-})
if [[ $extra_profile == 1 ]]; then
  # cargo-mutants copies the tree before building: give the copy the
  # profile through the environment instead.
  export CARGO_PROFILE_MUTANTS_INHERITS=dev CARGO_PROFILE_MUTANTS_DEBUG=false
fi
args+=(--profile mutants)

echo "cargo mutants ${args[*]}"
status=0
cargo mutants "${args[@]}" || status=$?
# cargo-mutants exits 2 when mutants were missed, 3 when some timed out:
# outcomes, not failures of the run.
if [[ $status != 0 && $status != 2 && $status != 3 ]]; then
  echo "cargo mutants failed (exit $status)" >&2
  exit "$status"
fi

report=$OUT/mutants.out
echo
echo "outcomes per file (caught / missed / unviable / timed out):"
for file in $FILES; do
  count() { grep -c "^$file:" "$report/$1.txt" 2>/dev/null || true; }
  printf '  %-40s %4s %4s %4s %4s\n' "$file" "$(count caught)" "$(count missed)" "$(count unviable)" "$(count timeout)"
done
printf '  %-40s %4s %4s %4s %4s\n' "all" \
  "$(wc -l <"$report/caught.txt")" "$(wc -l <"$report/missed.txt")" \
  "$(wc -l <"$report/unviable.txt")" "$(wc -l <"$report/timeout.txt")"
echo
echo "missed:"
cat "$report/missed.txt"
