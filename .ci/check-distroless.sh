#!/usr/bin/env bash
# Checks that a release binary runs on gcr.io/distroless/cc-debian12, the
# runtime image of deploy/cloud-run/Dockerfile: every shared library it
# loads (ldd) is one that image ships, and the glibc (and libstdc++) symbol
# versions it needs are no newer than Debian 12's. Fails listing what is not.
#
# Usage: .ci/check-distroless.sh [EXAMPLE | PATH]
#   EXAMPLE  an example's name (default: hello); it is built first with
#            `cargo build --release --locked --example EXAMPLE` (a no-op when
#            up to date), then target/release/examples/EXAMPLE is checked
#   PATH     an already built binary (any path containing a `/`)
#
# What cc-debian12 holds (GoogleContainerTools/distroless: cc/README.md says
# "everything in the base image, plus libgcc1 and its dependencies";
# base/README.md says static (ca-certificates, tzdata, /etc/passwd, /tmp) plus
# glibc and libssl; the image's package list is libc6 2.36, libgcc-s1,
# libgomp1, libstdc++6 12.2, libssl3). Their shared objects are listed below.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian 12's versions: glibc 2.36; GCC 12's libstdc++ (GLIBCXX_3.4.30).
readonly MAX_GLIBC="2.36"
readonly MAX_GLIBCXX="3.4.30"

# The shared objects of those packages (by soname), and the kernel's vDSO.
readonly ALLOWED=(
  # libc6 (glibc 2.36)
  libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2
  libutil.so.1 libanl.so.1 libnss_dns.so.2 libnss_files.so.2
  ld-linux-x86-64.so.2 ld-linux-aarch64.so.1
  # libgcc-s1, libstdc++6, libgomp1
  libgcc_s.so.1 libstdc++.so.6 libgomp.so.1
  # libssl3
  libssl.so.3 libcrypto.so.3
  # the kernel's, in every process
  linux-vdso.so.1 linux-gate.so.1
)

fail() {
  echo "check-distroless FAILED: $*" >&2
  exit 1
}

target="${1:-hello}"
if [[ "$target" == */* ]]; then
  binary="$target"
else
  [[ "$target" =~ ^[A-Za-z0-9_-]+$ ]] || fail "not an example name: $target"
  cargo build --release --locked --example "$target"
  binary="target/release/examples/$target"
fi
[[ -f "$binary" && -x "$binary" ]] || fail "no executable at $binary"
command -v ldd >/dev/null || fail "ldd is missing (Debian: libc-bin)"
if ! command -v readelf >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq binutils >/dev/null
  fi
  command -v readelf >/dev/null || fail "readelf is missing (Debian: binutils)"
fi

echo "checking $binary against gcr.io/distroless/cc-debian12"

# --- shared libraries
ldd_out="$(ldd "$binary" 2>&1 || true)"
echo "$ldd_out"
if grep -qE 'not a dynamic executable|statically linked' <<<"$ldd_out"; then
  echo "ok: statically linked, no shared library needed"
else
  extra=()
  missing=()
  while read -r line; do
    [[ -z "$line" ]] && continue
    name="$(awk '{print $1}' <<<"$line")"
    name="${name##*/}"
    if [[ "$line" == *"not found"* ]]; then
      missing+=("$name")
      continue
    fi
    allowed=false
    for ok in "${ALLOWED[@]}"; do
      [[ "$name" == "$ok" ]] && allowed=true && break
    done
    $allowed || extra+=("$name")
  done <<<"$ldd_out"
  ((${#missing[@]} == 0)) || fail "libraries not found even here: ${missing[*]}"
  if ((${#extra[@]} > 0)); then
    fail "$binary links libraries gcr.io/distroless/cc-debian12 does not have: ${extra[*]}
  (allowed: ${ALLOWED[*]})"
  fi
  echo "ok: every library is in gcr.io/distroless/cc-debian12"
fi

# --- symbol versions: the newest glibc / libstdc++ version the binary needs
newest() { # prefix; prints nothing when the binary needs no such version
  { readelf --version-info --wide "$binary" 2>/dev/null || true; } \
    | { grep -oE "$1_[0-9]+(\.[0-9]+)*" || true; } | sed "s/^$1_//" | sort -uV | tail -n 1
}
not_newer() { # needed max
  [[ -z "$1" || "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" == "$2" ]]
}
glibc="$(newest GLIBC)"
glibcxx="$(newest GLIBCXX)"
not_newer "$glibc" "$MAX_GLIBC" \
  || fail "$binary needs GLIBC_$glibc; cc-debian12 has glibc $MAX_GLIBC (build on bookworm, as the Dockerfile does)"
not_newer "$glibcxx" "$MAX_GLIBCXX" \
  || fail "$binary needs GLIBCXX_$glibcxx; cc-debian12 has GLIBCXX_$MAX_GLIBCXX"
echo "ok: needs glibc ${glibc:-none} (<= $MAX_GLIBC)${glibcxx:+, GLIBCXX_$glibcxx (<= $MAX_GLIBCXX)}"
