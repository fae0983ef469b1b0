#!/usr/bin/env bash
# RustSec advisories, checked offline: `cargo deny check advisories` on the
# workspace's Cargo.lock against a frozen snapshot of the RustSec advisory
# database (CI cannot reach GitHub, so cargo-deny cannot fetch it).
#
#   bash .ci/advisories.sh
#
# - The snapshot is ../shared/advisory-db next to the repository (override:
#   ADVISORY_DB=/path). If it is absent (a user's clone), the step is SKIPPED
#   with a message and exits 0. A snapshot that is present but unusable fails.
# - cargo-deny must be exactly $DENY_VERSION (the on-disk layout of the
#   database below is what that version reads). If another version is on PATH,
#   $DENY_VERSION is installed from crates.io into a separate root
#   (CARGO_DENY_ROOT, default ~/.cache/anyfn-ci/cargo-deny-$DENY_VERSION).
# - The snapshot is copied into a temporary db-path as
#   advisory-db-3157b0e258782691 (the directory cargo-deny derives from
#   https://github.com/rustsec/advisory-db) and committed to a fresh git
#   repository dated with the snapshot's date. The config is a generated copy
#   of deny.toml whose [advisories] section gets db-path, db-urls and
#   disable-yank-checking (yanked checks need an up-to-date crates.io index,
#   i.e. the network); every other policy (unmaintained, unsound, ignore, the
#   [graph] options) stays deny.toml's.
# - Negative check: the SAME command runs on .ci/advisories-fixture, whose
#   Cargo.lock pins smallvec 1.6.0 (RUSTSEC-2021-0003). It must FAIL and name
#   that advisory; if it passes, the check is not biting and CI fails.
#
# Crate sources are fetched from crates.io first (`cargo fetch --locked`),
# because cargo-deny --offline runs `cargo metadata --offline`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

DENY_VERSION=0.20.2
DB_URL=https://github.com/rustsec/advisory-db
DB_DIR_NAME=advisory-db-3157b0e258782691
FIXTURE=.ci/advisories-fixture
PLANTED=RUSTSEC-2021-0003

say() { echo "advisories: $*"; }
fail() {
  echo "CI FAILED: advisories: $*" >&2
  exit 1
}

# --- the snapshot -----------------------------------------------------------
snapshot="${ADVISORY_DB:-$repo/../shared/advisory-db}"
if [[ ! -d "$snapshot" ]]; then
  say "SKIPPED: no RustSec advisory database snapshot at $snapshot"
  say "(CI provides one at ../shared/advisory-db; set ADVISORY_DB=/path/to/advisory-db to check locally)"
  exit 0
fi
snapshot="$(cd "$snapshot" && pwd)"
[[ -d "$snapshot/crates" ]] || fail "$snapshot has no crates/ directory: not a RustSec advisory-db snapshot"
[[ -f "$snapshot/SNAPSHOT" ]] || fail "$snapshot has no SNAPSHOT file (it names the database's commit and date)"
db_date="$(grep -oE '\([0-9]{4}-[0-9]{2}-[0-9]{2}\)' "$snapshot/SNAPSHOT" | head -n1 | tr -d '()')" || true
[[ -n "$db_date" ]] || fail "no (YYYY-MM-DD) date in $snapshot/SNAPSHOT"
[[ -f "$snapshot/crates/smallvec/$PLANTED.md" ]] \
  || fail "the snapshot lacks $PLANTED (crates/smallvec/$PLANTED.md), which the negative fixture plants"
age_days=$(( ($(date -u +%s) - $(date -u -d "$db_date" +%s)) / 86400 ))
say "database: $(head -n1 "$snapshot/SNAPSHOT")"
say "snapshot date $db_date, $age_days days old: advisories published after it are not known here"
if (( age_days > 90 )); then
  # cargo-deny's own staleness limit (maximum-db-staleness, 90 days) does not
  # see this: it takes the newer of HEAD's commit date and .git/HEAD's mtime,
  # and the repository below is created just now.
  say "WARNING: the snapshot is older than 90 days; refresh ../shared/advisory-db"
fi

# --- tools ------------------------------------------------------------------
if ! command -v git >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq git >/dev/null
  fi
  command -v git >/dev/null || fail "git is needed to turn the snapshot into the repository cargo-deny reads"
fi

deny=""
if command -v cargo-deny >/dev/null && [[ "$(cargo-deny --version 2>/dev/null)" == "cargo-deny $DENY_VERSION" ]]; then
  deny="$(command -v cargo-deny)"
elif ! command -v cargo-deny >/dev/null; then
  say "installing cargo-deny $DENY_VERSION (crates.io)"
  cargo install cargo-deny --version "$DENY_VERSION" --locked --quiet \
    || fail "could not install cargo-deny $DENY_VERSION from crates.io"
  deny="$(command -v cargo-deny)" || deny="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin/cargo-deny"
else
  deny_root="${CARGO_DENY_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/anyfn-ci/cargo-deny-$DENY_VERSION}"
  deny="$deny_root/bin/cargo-deny"
  if [[ ! -x "$deny" ]] || [[ "$("$deny" --version 2>/dev/null)" != "cargo-deny $DENY_VERSION" ]]; then
    say "PATH has $(cargo-deny --version 2>/dev/null || echo 'an unknown cargo-deny'); installing cargo-deny $DENY_VERSION into $deny_root (crates.io)"
    cargo install cargo-deny --version "$DENY_VERSION" --locked --quiet --root "$deny_root" \
      || fail "could not install cargo-deny $DENY_VERSION from crates.io into $deny_root"
  fi
fi
deny_version="$("$deny" --version 2>/dev/null)" || fail "$deny does not run"
[[ "$deny_version" == "cargo-deny $DENY_VERSION" ]] \
  || fail "$deny is '$deny_version', not cargo-deny $DENY_VERSION (the database layout depends on it)"
say "using $deny_version ($deny)"

# --- the temporary database and config --------------------------------------
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db_path="$work/advisory-dbs"
db="$db_path/$DB_DIR_NAME"
mkdir -p "$db"
cp -R "$snapshot/." "$db/"
rm -rf "$db/.git"
(
  cd "$db"
  git init -q
  git config user.name "anyfn CI"
  git config user.email "ci@anyfn.invalid"
  git config commit.gpgsign false
  git add -A
  GIT_AUTHOR_DATE="${db_date}T00:00:00Z" GIT_COMMITTER_DATE="${db_date}T00:00:00Z" \
    git commit -q --no-verify -m "RustSec advisory-db snapshot of $db_date (from $snapshot)"
) || fail "could not make a git repository of the snapshot in $db"
count=$(find "$db/crates" -name 'RUSTSEC-*.md' | wc -l)
(( count > 0 )) || fail "the snapshot has no RUSTSEC-*.md advisory under crates/"

config="$work/deny.toml"
awk -v db_path="$db_path" -v db_url="$DB_URL" '
  /^[[:space:]]*\[/ {
    in_adv = ($0 ~ /^[[:space:]]*\[advisories\][[:space:]]*(#.*)?$/)
    print
    if (in_adv) {
      seen = 1
      print "# Inserted by .ci/advisories.sh: the offline snapshot, no yanked check."
      print "db-path = \"" db_path "\""
      print "db-urls = [\"" db_url "\"]"
      print "disable-yank-checking = true"
    }
    next
  }
  in_adv && /^[[:space:]]*(db-path|db-urls|disable-yank-checking)[[:space:]]*=/ { next }
  { print }
  END { if (!seen) exit 3 }
' deny.toml >"$config" || fail "deny.toml has no [advisories] section to point at the snapshot"

# --- the check ---------------------------------------------------------------
# One command for the workspace and the fixture; only the manifest differs.
check() {
  "$deny" --offline --locked --color never --log-level warn \
    --manifest-path "$1" --workspace --config "$config" \
    check --show-stats advisories
}

for manifest in Cargo.toml "$FIXTURE/Cargo.toml"; do
  cargo fetch --locked --quiet --manifest-path "$manifest" \
    || fail "cargo fetch --locked --manifest-path $manifest failed (is crates.io reachable? is the lockfile current?)"
done

say "checking the workspace (Cargo.lock) against $count advisories"
if ! check Cargo.toml >"$work/workspace.log" 2>&1; then
  cat "$work/workspace.log"
  fail "cargo deny check advisories found a problem in the workspace's Cargo.lock (above); upgrade the crate named, or, if it cannot be, add its id to [advisories] ignore in deny.toml with a reason"
fi
cat "$work/workspace.log"
say "ok: the workspace's Cargo.lock passes"

say "negative check: $FIXTURE pins smallvec 1.6.0, must FAIL with $PLANTED"
if check "$FIXTURE/Cargo.toml" >"$work/fixture.log" 2>&1; then
  cat "$work/fixture.log"
  fail "the advisories check PASSED on $FIXTURE, which plants $PLANTED: the check does not bite (is the database loaded? is the fixture's lockfile still on smallvec 1.6.0?)"
fi
cat "$work/fixture.log"
grep -q '^error\[vulnerability\]' "$work/fixture.log" && grep -qF "ID: $PLANTED" "$work/fixture.log" \
  || fail "the advisories check failed on $FIXTURE, but not naming $PLANTED (output above): it failed for another reason"
say "ok: the fixture fails as it must, naming $PLANTED"
