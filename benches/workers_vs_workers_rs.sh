#!/usr/bin/env bash
# The anyfn `hello` Worker (examples/workers/hello: anyfn-cloudflare running
# examples/hello.rs's handler) against the same greeting written with
# workers-rs alone (benches/workers-peer), both release builds with the
# same profile and flags, served by one workerd, in one run:
#   - the size of each bound module (index_bg.wasm, what wrangler uploads);
#   - the median per-request time over ROUNDS rounds of REQUESTS sequential
#     keep-alive requests from one client, the Workers taking turns.
# anyfn is measured twice: as deployed by default (its REPORT line and
# INFO logs to the console) and quiet (RUST_LOG=warn, a [vars] entry).
# The issue's bounds: size <= 1.2x, time per request <= 1.1x the plain one.
# Both sides alike: the workspace's release profile, RUSTFLAGS=-Cpanic=unwind
# and -Zbuild-std=std,panic_unwind, wasm-bindgen --target bundler, no
# wasm-opt, each module's name section kept (with PROFILE_FLAGS=lto, both
# with the same LTO profile).
#
# Where the size goes: benches/wasm_top.py MODULE prints each section and
# each function's code, named from the name section (as `twiggy top`).
# At c84daf6 the anyfn module (1,106,867 B) was 624 KB of code, 190 KB of
# data and 281 KB of names, the plain one (528,789 B) 254, 130 and 136 KB;
# the price list's parser and the url crate's IDNA tables, since cut, were
# 134 KB and 238 KB of it.
#
# Needs the toolchain .ci/workers.sh installs (run it once first).
# Usage:   benches/workers_vs_workers_rs.sh
# Options (environment):
#   REQUESTS=1000 ROUNDS=7
#   WORKERS_TARGET_DIR   the wasm build's target dir (default target/workers)
#   PROFILE_FLAGS=lto    also build with LTO, one codegen unit, opt-level "s"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REQUESTS="${REQUESTS:-1000}"
ROUNDS="${ROUNDS:-7}"
wasm_target="${WORKERS_TARGET_DIR:-$ROOT/target/workers}"
workerd="$ROOT/target/workers-tools/node_modules/.bin/workerd"
out="$wasm_target/bench"
[[ -x "$workerd" ]] || { echo "workerd is missing: run .ci/workers.sh first" >&2; exit 1; }

if [[ "${PROFILE_FLAGS:-}" == lto ]]; then
  export CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_OPT_LEVEL=s
  wasm_target="$wasm_target-lto"
  out="$wasm_target/bench"
fi

echo "building both Workers (release, panic=unwind${PROFILE_FLAGS:+, $PROFILE_FLAGS})"
CARGO_TARGET_DIR="$wasm_target" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Cpanic=unwind" \
  /usr/bin/cargo build --locked --quiet --release --target wasm32-unknown-unknown \
  -Zbuild-std=std,panic_unwind -p hello-worker -p workers-rs-hello

rm -rf "$out"
mkdir -p "$out"
declare -A crate=([anyfn]=hello_worker [plain]=workers_rs_hello)
for name in anyfn plain; do
  wasm-bindgen --target bundler --out-dir "$out/$name" --out-name index \
    "$wasm_target/wasm32-unknown-unknown/release/${crate[$name]}.wasm"
  cp .ci/workers/shim.mjs "$out/$name/"
done

base=$((20000 + RANDOM % 20000))
worker() { # const name, folder, extra bindings
  echo "const $1 :Workerd.Worker = ("
  echo '  modules = ['
  echo "    (name = \"shim.mjs\", esModule = embed \"$2/shim.mjs\"),"
  echo "    (name = \"index_bg.js\", esModule = embed \"$2/index_bg.js\"),"
  echo "    (name = \"index_bg.wasm\", wasm = embed \"$2/index_bg.wasm\"),"
  (cd "$out/$2" && find snippets -type f -name '*.js' 2>/dev/null | sort) | while read -r snippet; do
    echo "    (name = \"$snippet\", esModule = embed \"$2/$snippet\"),"
  done
  echo '  ],'
  echo "  bindings = [$3],"
  echo '  compatibilityDate = "2025-01-01",'
  echo ');'
}
{
  echo 'using Workerd = import "/workerd/workerd.capnp";'
  echo 'const config :Workerd.Config = ('
  echo '  services = [(name = "plain", worker = .plain), (name = "anyfn", worker = .anyfn), (name = "quiet", worker = .quiet)],'
  echo "  sockets = [(name = \"plain\", address = \"127.0.0.1:$base\", http = (), service = \"plain\"),"
  echo "             (name = \"anyfn\", address = \"127.0.0.1:$((base + 1))\", http = (), service = \"anyfn\"),"
  echo "             (name = \"quiet\", address = \"127.0.0.1:$((base + 2))\", http = (), service = \"quiet\")],"
  echo ');'
  worker plain plain ''
  worker anyfn anyfn ''
  worker quiet anyfn '(name = "RUST_LOG", text = "warn")'
} >"$out/config.capnp"

"$workerd" serve "$out/config.capnp" >"$out/workerd.log" 2>&1 &
workerd_pid=$!
trap 'kill "$workerd_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  if curl -s -o /dev/null "http://127.0.0.1:$base/" && curl -s -o /dev/null "http://127.0.0.1:$((base + 1))/" &&
    curl -s -o /dev/null "http://127.0.0.1:$((base + 2))/"; then break; fi
  kill -0 "$workerd_pid" || { cat "$out/workerd.log"; exit 1; }
  sleep 0.1
done

ports="{\"plain\":$base,\"anyfn\":$((base + 1)),\"quiet\":$((base + 2))}"
times="$(node benches/workers_bench.mjs "$ports" "$REQUESTS" "$ROUNDS")"
plain_size=$(stat -c %s "$out/plain/index_bg.wasm")
anyfn_size=$(stat -c %s "$out/anyfn/index_bg.wasm")
node -e '
const [times, plainSize, anyfnSize, requests, rounds] = [JSON.parse(process.argv[1]), +process.argv[2], +process.argv[3], process.argv[4], process.argv[5]];
const row = (what, anyfn, plain, unit, bound) => {
  const ratio = anyfn / plain;
  console.log(`${what.padEnd(34)} anyfn ${anyfn.toFixed(unit === "bytes" ? 0 : 1).padStart(9)} ${unit}  workers-rs ${plain.toFixed(unit === "bytes" ? 0 : 1).padStart(9)} ${unit}  ratio ${ratio.toFixed(3)}  (goal <= ${bound}: ${ratio <= bound ? "met" : "over"})`);
};
console.log(`median of ${rounds} rounds of ${requests} sequential requests, one client, one workerd`);
row("bound wasm module (index_bg.wasm)", anyfnSize, plainSize, "bytes", 1.2);
row("per request, REPORT line on", times.anyfn, times.plain, "us", 1.1);
row("per request, quiet (RUST_LOG=warn)", times.quiet, times.plain, "us", 1.1);
' "$times" "$plain_size" "$anyfn_size" "$REQUESTS" "$ROUNDS"
