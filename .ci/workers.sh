#!/usr/bin/env bash
# The example Workers under the real Cloudflare Workers runtime: builds
# examples/workers/* (and tests/workers-context) for wasm32-unknown-unknown
# with Debian's rustc-web and -Zbuild-std (unwinding, so a panic fails one
# request), lints and documents them for that target, binds them with
# wasm-bindgen, serves them under workerd (from npm) on 127.0.0.1 beside
# the same examples' native binaries (the local server), and checks that
# each Worker answers as the local server does (.ci/workers/check.mjs), a
# cron trigger and queue batches included, and that the Workers' logs carry
# the request id, and a REPORT line where ANYFN_REPORT_LINE=on turns it on
# (hello) and none where it is left off (the default). Then runs the parity suites
# (tests/integration/parity.rs, failure_parity.rs, event_failure_parity.rs) with ANYFN_WORKERD_DIR
# set to the bound Workers, so that their Workers entry
# (tests/integration/adapters.rs) runs each example under workerd beside
# every other adapter; a Worker that cannot start fails them.
#
# Installs what is missing, from the registries only: Debian's packages,
# wasm-bindgen-cli from crates.io (the locked wasm-bindgen's version),
# workerd from npm (pinned, into target/workers-tools). Skips (exit 0, with
# a message) only when a registry it needs is unreachable; any other
# failure exits non-zero.
#
# Environment: CARGO_TARGET_DIR (native build, default target/),
# WORKERS_TARGET_DIR (wasm build, default target/workers: Debian's
# compiler's artifacts must not mix with the native build's).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

WORKERD_VERSION=1.20261123.1
examples=(hello echo greet-json webhook queue-worker nightly failures stream)
# Built and bound for the parity suites' Workers entry only.
suite_examples=(thumbnail ce-echo queue-failures schedule-failures storage-failures)
native_target="${CARGO_TARGET_DIR:-$repo/target}"
wasm_target="${WORKERS_TARGET_DIR:-$repo/target/workers}"
tools="$repo/target/workers-tools"
pkg="$wasm_target/pkg"
logs="$wasm_target/logs"

fail() {
  echo "WORKERS FAILED: $*" >&2
  exit 1
}

# A registry that cannot be reached is a skip; anything else a failure.
skip_if_unreachable() { # name url
  if ! curl -sS --max-time 20 -o /dev/null "$2" 2>/dev/null; then
    echo "SKIPPED: the example Workers were not built or run: $1 ($2) is unreachable"
    exit 0
  fi
}

# --- toolchain ----------------------------------------------------------
missing=()
[[ -x /usr/bin/rustc ]] || missing+=(rustc-web)
[[ -x /usr/bin/cargo ]] || missing+=(cargo-web)
[[ -f /usr/lib/rustlib/src/rust/library/Cargo.lock ]] || missing+=(rust-web-src)
command -v rust-lld >/dev/null || missing+=(lld-22)
[[ -x /usr/bin/clippy-driver ]] || missing+=(rust-web-clippy)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  echo "installing ${missing[*]}"
  if ! apt-get update -qq; then
    echo "SKIPPED: the example Workers were not built or run: the Debian archive is unreachable (apt-get update failed)"
    exit 0
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]} failed"
fi
echo "$(/usr/bin/rustc --version), node $(node --version)"

bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$bindgen_version" ]] || fail "no wasm-bindgen in Cargo.lock"
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]]; then
  skip_if_unreachable crates.io https://index.crates.io/config.json
  echo "installing wasm-bindgen-cli $bindgen_version (a few minutes)"
  install=(cargo install wasm-bindgen-cli --version "$bindgen_version" --no-default-features --quiet --force)
  # Its published lock may name a version this registry lacks: then its
  # dependencies are resolved afresh (the CLI's own version is what matters).
  "${install[@]}" --locked 2>/dev/null || "${install[@]}" ||
    fail "wasm-bindgen-cli $bindgen_version did not install"
fi
[[ "$(wasm-bindgen --version)" == "wasm-bindgen $bindgen_version" ]] ||
  fail "wasm-bindgen is $(wasm-bindgen --version), not $bindgen_version"

workerd="$tools/node_modules/.bin/workerd"
if ! grep -qs "\"version\": \"$WORKERD_VERSION\"" "$tools/node_modules/workerd/package.json" ||
  ! "$workerd" --version >/dev/null 2>&1; then
  skip_if_unreachable npm https://registry.npmjs.org/workerd
  mkdir -p "$tools"
  [[ -f "$tools/package.json" ]] || echo '{"private": true}' >"$tools/package.json"
  echo "installing workerd $WORKERD_VERSION from npm"
  npm install --prefix "$tools" --no-audit --no-fund --silent "workerd@$WORKERD_VERSION" ||
    fail "npm install workerd@$WORKERD_VERSION failed"
fi
echo "wasm-bindgen $bindgen_version, $("$workerd" --version)"

# --- build --------------------------------------------------------------
# The crates the Workers need (workers-rs and its tree), from crates.io.
if ! cargo fetch --locked --quiet 2>/dev/null; then
  skip_if_unreachable crates.io https://index.crates.io/config.json
  cargo fetch --locked || fail "cargo fetch failed"
fi

# The examples, and tests/workers-context (CloudflareContextExt).
packages=(-p anyfn-workers-context)
for example in "${examples[@]}" "${suite_examples[@]}"; do packages+=(-p "$example-worker"); done
echo "building $((${#examples[@]} + ${#suite_examples[@]} + 1)) Workers for wasm32-unknown-unknown (release, panic=unwind)"
CARGO_TARGET_DIR="$wasm_target" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Cpanic=unwind" \
  /usr/bin/cargo build --locked --quiet --release --target wasm32-unknown-unknown \
  -Zbuild-std=std,panic_unwind "${packages[@]}" || fail "the Workers' build failed"

# The native lints and docs see these crates empty: lint and document them
# for the target they are for, with Debian's clippy and rustdoc.
echo "linting and documenting them for wasm32-unknown-unknown (clippy and rustdoc, -D warnings)"
PATH="/usr/bin:$PATH" CARGO_TARGET_DIR="$wasm_target" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Cpanic=unwind" \
  /usr/bin/cargo clippy --locked --quiet --release --target wasm32-unknown-unknown \
  -Zbuild-std=std,panic_unwind -p anyfn-cloudflare -p workers-rs-hello "${packages[@]}" -- -D warnings ||
  fail "clippy found problems in the Workers' code"
RUSTDOC=/usr/bin/rustdoc RUSTDOCFLAGS="-D warnings" CARGO_TARGET_DIR="$wasm_target" RUSTC=/usr/bin/rustc \
  RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Cpanic=unwind" /usr/bin/cargo doc --locked --quiet --release --no-deps \
  --target wasm32-unknown-unknown -Zbuild-std=std,panic_unwind -p anyfn-cloudflare ||
  fail "anyfn-cloudflare's docs do not build for wasm32-unknown-unknown"

echo "building the same examples natively (the local server, and the parity suites' other adapters)"
native=()
for example in "${examples[@]}" "${suite_examples[@]}"; do native+=(--example "$example"); done
cargo build --locked --quiet "${native[@]}" || fail "the native examples' build failed"

# --- bind, and one workerd config for every Worker and the driver ----------
rm -rf "$pkg" "$logs"
mkdir -p "$pkg/driver" "$logs"
cp .ci/workers/driver.mjs "$pkg/driver/"
# The Workers' sockets (base, base + 1, ...) and the native servers' (base +
# 100, ...): a run of ports nothing listens on, below the kernel's range of
# ephemeral ports, where a client's live connection may hold a port, which
# no connect sees and which makes workerd's bind fail.
low=32768
read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
[[ "$low" =~ ^[0-9]+$ && "$low" -gt 12000 ]] || low=32768
span=$((100 + ${#examples[@]}))
for ((try = 0; try < 50; try++)); do
  base=$((10000 + RANDOM % (low - 10000 - span)))
  taken=false
  for ((port = base; port < base + span; port++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then taken=true && break; fi
  done
  $taken || break
done
$taken && fail "no run of $span free loopback ports found"
config="$pkg/config.capnp"
{
  echo 'using Workerd = import "/workerd/workerd.capnp";'
  echo 'const config :Workerd.Config = ('
  echo '  services = ['
  for index in "${!examples[@]}"; do echo "    (name = \"${examples[$index]}\", worker = .worker$index),"; done
  echo '    (name = "driver", worker = .driver),'
  echo '    (name = "context", worker = .context),'
  echo '  ],'
  echo '  sockets = ['
  port=$base
  for example in "${examples[@]}"; do
    echo "    (name = \"$example\", address = \"127.0.0.1:$port\", http = (), service = \"$example\"),"
    port=$((port + 1))
  done
  echo "    (name = \"driver\", address = \"127.0.0.1:$port\", http = (), service = \"driver\"),"
  echo "    (name = \"context\", address = \"127.0.0.1:$((port + 1))\", http = (), service = \"context\"),"
  echo '  ],'
  echo ');'
  echo 'const driver :Workerd.Worker = ('
  echo '  modules = [(name = "driver.mjs", esModule = embed "driver/driver.mjs")],'
  echo '  bindings = [(name = "nightly", service = "nightly"), (name = "queue_worker", service = "queue-worker"), (name = "context", service = "context")],'
  echo '  compatibilityDate = "2025-01-01",'
  echo '  compatibilityFlags = ["service_binding_extra_handlers"],'
  echo ');'
} >"$config"
bind() { # crate file name, folder
  wasm-bindgen --target bundler --out-dir "$pkg/$2" --out-name index \
    "$wasm_target/wasm32-unknown-unknown/release/$1.wasm" || fail "wasm-bindgen failed on $1"
  cp .ci/workers/shim.mjs "$pkg/$2/"
}
modules() { # folder
  echo '  modules = ['
  echo "    (name = \"shim.mjs\", esModule = embed \"$1/shim.mjs\"),"
  echo "    (name = \"index_bg.js\", esModule = embed \"$1/index_bg.js\"),"
  echo "    (name = \"index_bg.wasm\", wasm = embed \"$1/index_bg.wasm\"),"
  (cd "$pkg/$1" && find snippets -type f -name '*.js' 2>/dev/null | sort) | while read -r snippet; do
    echo "    (name = \"$snippet\", esModule = embed \"$1/$snippet\"),"
  done
  echo '  ],'
}
bind anyfn_workers_context context
{
  echo 'const context :Workerd.Worker = ('
  modules context
  echo '  bindings = [(name = "GREETING", text = "bonjour"), (name = "HELLO", service = "hello")],'
  echo '  compatibilityDate = "2025-01-01",'
  echo ');'
} >>"$config"
for index in "${!examples[@]}"; do
  example="${examples[$index]}"
  bind "${example//-/_}_worker" "$example"
  {
    echo "const worker$index :Workerd.Worker = ("
    modules "$example"
    # The local server's deadline (3 s), so the failures compare; webhook
    # logs JSON, to check that format too; hello turns its REPORT line on
    # (off by default on Workers).
    format=text
    [[ "$example" == webhook ]] && format=json
    report=""
    [[ "$example" == hello ]] && report=', (name = "ANYFN_REPORT_LINE", text = "on")'
    echo "  bindings = [(name = \"ANYFN_TIMEOUT_MS\", text = \"3000\"), (name = \"ANYFN_LOG_FORMAT\", text = \"$format\")$report],"
    echo '  compatibilityDate = "2025-01-01",'
    echo ');'
  } >>"$config"
done

for example in "${suite_examples[@]}"; do bind "${example//-/_}_worker" "$example"; done
# What the parity suites' Workers entry needs besides the Workers: workerd
# (the binary itself where npm put it, else npm's launcher).
workerd_binary="$tools/node_modules/@cloudflare/workerd-linux-64/bin/workerd"
[[ -x "$workerd_binary" ]] || workerd_binary="$(readlink -f "$workerd")"
ln -sf "$workerd_binary" "$pkg/workerd"

# --- serve --------------------------------------------------------------
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
# --experimental: the driver's service_binding_extra_handlers flag, which
# gives a service binding scheduled() and queue().
"$workerd" serve --experimental "$config" >"$logs/workerd.log" 2>&1 &
pids+=($!)
workerd_pid=$!

native_ports="{"
worker_ports="{"
port=$base
native_port=$((base + 100))
for example in "${examples[@]}"; do
  PORT=$native_port "$native_target/debug/examples/$example" >"$logs/$example.native.log" 2>&1 &
  pids+=($!)
  native_ports+="\"$example\":$native_port,"
  worker_ports+="\"$example\":$port,"
  port=$((port + 1))
  native_port=$((native_port + 1))
done
driver_port=$port
ports="{\"native\":${native_ports%,}},\"worker\":${worker_ports%,}},\"driver\":$driver_port,\"context\":$((driver_port + 1))}"

# Ready when every socket answers (polled, bounded: 30 s).
ready=false
for _ in $(seq 1 300); do
  kill -0 "$workerd_pid" 2>/dev/null || { cat "$logs/workerd.log"; fail "workerd exited"; }
  all=true
  for p in $(echo "$ports" | grep -o '[0-9]\{4,5\}'); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$p/__ready" || { all=false; break; }
  done
  if $all; then ready=true; break; fi
  sleep 0.1
done
$ready || { cat "$logs/workerd.log"; fail "the Workers or the local servers did not start in 30 s"; }

# --- checks -------------------------------------------------------------
echo "checking each Worker against the local server"
status=0
timeout 300 node .ci/workers/check.mjs "$ports" || status=$?
# The line as written, not quoted: its tab raw, not `\t`.
grep -qF "anyfn::report: REPORT RequestId: 8f1e2d3c4b5a6978-LHR"$'\t'"Duration: " "$logs/workerd.log" ||
  { status=1; echo "FAIL  logs: no REPORT line, as written, with the cf-ray as request id (hello, ANYFN_REPORT_LINE=on)"; }
! grep -q '"message":"REPORT ' "$logs/workerd.log" ||
  { status=1; echo "FAIL  logs: webhook (JSON, ANYFN_REPORT_LINE unset) wrote a REPORT line: off by default on Workers"; }
grep -q 'request_id="8f1e2d3c4b5a6978-LHR".*a line from the function' "$logs/workerd.log" ||
  { status=1; echo "FAIL  logs: the handler's line does not carry the request id"; }
grep -q '^{"fields":{"event":"push","message":"delivery accepted"},"level":"INFO","span":{"name":"invocation","request_id":"8f1e2d3c4b5a6978-LHR"},"target":"webhook_worker::webhook"}$' "$logs/workerd.log" ||
  { status=1; echo "FAIL  logs: webhook's JSON line is not as expected"; }
grep -q 'handler panicked: the handler blew up.*error_type="Panic"' "$logs/workerd.log" ||
  { status=1; echo "FAIL  logs: the panic is not logged"; }
if ((status != 0)); then
  echo "--- workerd's log (last 60 lines)"
  tail -n 60 "$logs/workerd.log"
  fail "a check failed (exit $status)"
fi
echo "ok: ${#examples[@]} example Workers under workerd answer as the local server; logs carry the request id, REPORT lines only where turned on"
cleanup
pids=()

# --- the parity suites, the Workers entry on ------------------------------
echo "running the parity suites with their Workers entry (ANYFN_WORKERD_DIR=$pkg)"
suites="$logs/parity-suites.log"
ANYFN_WORKERD_DIR="$pkg" cargo test --locked --quiet --test integration -- parity:: --nocapture >"$suites" 2>&1 ||
  { tail -n 80 "$suites"; fail "the parity suites failed with the Workers entry"; }
if grep -q "skipping the workers" "$suites"; then
  fail "the parity suites skipped the Workers entry with ANYFN_WORKERD_DIR set"
fi
passed="$(grep -o '[0-9]* passed' "$suites" | tail -n 1)"
[[ "${passed%% *}" -ge 8 ]] || { cat "$suites"; fail "the parity suites ran ${passed:-no tests}"; }
grep 'when it is answered is not checked' "$suites" | sort -u || true
echo "ok: the parity suites pass with their Workers entry under workerd ($passed)"
