#!/usr/bin/env bash
# anyfn's clock on wasm32-unknown-unknown (tests/wasm-clock): builds the
# checks for wasm32 with Debian's rustc-web and -Zbuild-std (rustup cannot
# fetch that target's std here; ../shared/wasm.md), binds them with
# wasm-bindgen and runs them under Node. Installs what it needs, from the
# registries only: Debian's packages, and wasm-bindgen-cli from crates.io at
# the version of the wasm-bindgen crate in Cargo.lock.
# Fails loudly: a failed check, a trap (std's clock panics on this target)
# or a hang (bounded) exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

crate=tests/wasm-clock
package=anyfn-wasm-clock
# Its own target dir: Debian's compiler's artifacts must not mix with the
# native build's.
target_dir="$PWD/target/wasm-clock"

fail() {
  echo "WASM CLOCK FAILED: $*" >&2
  exit 1
}

# Debian's toolchain: rustc 1.96 and its cargo at /usr/bin (rustup's stay
# first on PATH), std's source for -Zbuild-std, rust-lld to link, Node.
missing=()
[[ -x /usr/bin/rustc ]] || missing+=(rustc-web)
[[ -x /usr/bin/cargo ]] || missing+=(cargo-web)
[[ -f /usr/lib/rustlib/src/rust/library/Cargo.lock ]] || missing+=(rust-web-src)
command -v rust-lld >/dev/null || missing+=(lld-22)
command -v node >/dev/null || missing+=(nodejs)
if ((${#missing[@]})); then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
/usr/bin/rustc --version
node --version

# The wasm-bindgen CLI must be the locked crate's version, exactly.
bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$bindgen_version" ]] || fail "no wasm-bindgen in Cargo.lock"
# Without default features: they are TLS for the test runner's downloads,
# which nothing here uses. Its published lock is tried first; the registry
# here may lack a version it names (webpki-roots 1.0.11 for 0.2.130), and
# then its dependencies are resolved afresh: the CLI's own version is what
# must match.
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]]; then
  echo "installing wasm-bindgen-cli $bindgen_version (a few minutes)"
  install=(cargo install wasm-bindgen-cli --version "$bindgen_version" --no-default-features --quiet --force)
  if ! "${install[@]}" --locked 2>/tmp/anyfn-wasm-bindgen-install.log; then
    echo "its lock does not resolve against this registry; resolving its dependencies afresh:"
    grep -m1 '^error' /tmp/anyfn-wasm-bindgen-install.log || true
    "${install[@]}" || fail "wasm-bindgen-cli $bindgen_version did not install"
  fi
fi
[[ "$(wasm-bindgen --version)" == "wasm-bindgen $bindgen_version" ]] ||
  fail "wasm-bindgen is $(wasm-bindgen --version), not $bindgen_version"
echo "wasm-bindgen $bindgen_version"

# Without debug info: std is compiled too (-Zbuild-std), and wasm-bindgen
# reads the whole module.
echo "building $crate for wasm32-unknown-unknown"
CARGO_TARGET_DIR="$target_dir" CARGO_PROFILE_DEV_DEBUG=false \
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
  /usr/bin/cargo build --locked --quiet -p "$package" --target wasm32-unknown-unknown \
  -Zbuild-std=std,panic_abort || fail "the build failed"

rm -rf "$target_dir/pkg"
wasm-bindgen --target nodejs --out-dir "$target_dir/pkg" \
  "$target_dir/wasm32-unknown-unknown/debug/anyfn_wasm_clock.wasm" ||
  fail "wasm-bindgen failed"

echo "running the checks under Node"
status=0
timeout 120 node "$crate/run.js" "$target_dir/pkg" || status=$?
case "$status" in
  0) echo "ok: anyfn's clock works on wasm32-unknown-unknown under Node" ;;
  124) fail "the checks did not finish in 120 s" ;;
  *) fail "the checks failed (exit $status)" ;;
esac
