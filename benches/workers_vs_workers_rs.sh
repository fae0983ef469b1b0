#!/usr/bin/env bash
# The anyfn `hello` Worker (examples/workers/hello: anyfn-cloudflare running
# examples/hello.rs's handler) against the same greeting written with
# workers-rs alone (benches/workers-peer), both release builds with the
# same profile and flags, each served by its own workerd, in one run:
#   - the size of each bound module (index_bg.wasm, what wrangler uploads);
#   - the median per-request time over ROUNDS rounds of REQUESTS sequential
#     keep-alive requests from one client, the Workers taking turns;
#   - the CPU time each workerd process spent per request over all rounds
#     (utime + stime from /proc/PID/stat): the steadier figure on a loaded
#     machine, since a client's wall time is mostly its own and workerd's
#     HTTP work, alike on both sides.
#   - instructions per request under valgrind's callgrind (INSTRUCTIONS=0
#     skips it): each Worker's workerd under callgrind, with V8's optimizing
#     wasm compiler from the start (v8Flags --no-liftoff: the code a busy
#     isolate runs once V8 has tiered it up, not the baseline code a
#     slowed-down process would keep) and --predictable (no background
#     compiler or GC threads, no timing heuristics: without it, the same
#     Worker's count moved by 15% from process to process; with it, by
#     under 1%), WARMUP requests, then ROUNDS rounds of REQUESTS counted
#     between `callgrind_control --zero` and `--dump`; the median round,
#     and beside it the mean of all rounds (every round's instructions over
#     every round's requests). Rounds are not alike: one in which V8
#     collects garbage counts some 10% more than one in which it does not
#     (quiet anyfn's seven rounds at one commit: 218k to 250k, the 250k one
#     with 25M instructions of collections, the 218k one with none), so the
#     median moves with how many rounds a collection falls in; the mean
#     takes them all in, at their share.
#     The steady figure: the wall-clock ones move by tens of percent from
#     run to run on a loaded 2-core machine.
# anyfn is measured in three configurations, each its own workerd with the
# same module and its own [vars] (VARIANTS picks some; plain always runs):
#   - anyfn: as deployed by default, no [vars]: INFO logs to the console
#     (the invocation's span, with its request id, made for every request)
#     and no REPORT line (ANYFN_REPORT_LINE is off by default on Workers).
#     The headline row.
#   - report: ANYFN_REPORT_LINE=on, a REPORT line per request besides.
#   - quiet: RUST_LOG=warn (no span, no line).
# The issue's bounds: size <= 1.2x, time per request <= 1.1x the plain one.
#
# Both sides are built as `worker-build --release --panic-unwind` builds a
# Worker (what the examples' wrangler.toml runs, and workers-rs's templates
# with --panic-unwind added): cargo's release profile (workers-rs's
# templates set none), RUSTFLAGS=-Cpanic=unwind and
# -Zbuild-std=std,panic_unwind, wasm-bindgen --target bundler, then
# worker-build's release step `wasm-opt -O` with its feature flags and
# --debuginfo (the name section kept), binaryen 132 as worker-build 0.8
# pins it (CUR_WASM_OPT_VERSION), from npm. The modules served are the
# optimized ones; the wasm-bindgen output's size is printed beside them.
# With PROFILE_FLAGS=lto, both sides also get LTO, one codegen unit and
# opt-level "s".
#
# Where the size goes: benches/wasm_top.py MODULE prints each section and
# each function's code, named from the name section (as `twiggy top`).
# At c84daf6 the anyfn module (1,106,867 B) was 624 KB of code, 190 KB of
# data and 281 KB of names, the plain one (528,789 B) 254, 130 and 136 KB;
# the price list's parser and the url crate's IDNA tables, since cut, were
# 134 KB and 238 KB of it.
#
# Needs the toolchain .ci/workers.sh installs (run it once first); installs
# binaryen from npm into target/workers-tools itself.
# Usage:   benches/workers_vs_workers_rs.sh
# Options (environment):
#   REQUESTS=1000 ROUNDS=7 WARMUP=3000 INSTRUCTIONS=1
#   VARIANTS="anyfn report quiet"   the anyfn configurations run
#   WORKERS_TARGET_DIR   the wasm build's target dir (default target/workers)
#   PROFILE_FLAGS=lto    also build with LTO, one codegen unit, opt-level "s"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REQUESTS="${REQUESTS:-1000}"
ROUNDS="${ROUNDS:-7}"
wasm_target="${WORKERS_TARGET_DIR:-$ROOT/target/workers}"
tools="$ROOT/target/workers-tools"
workerd="$tools/node_modules/.bin/workerd"
wasm_opt="$tools/node_modules/.bin/wasm-opt"
# worker-build 0.8's wasm-opt: binaryen version_132 (versions.rs).
binaryen_version=132
out="$wasm_target/bench"
[[ -x "$workerd" ]] || { echo "workerd is missing: run .ci/workers.sh first" >&2; exit 1; }

if [[ "${PROFILE_FLAGS:-}" == lto ]]; then
  export CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_OPT_LEVEL=s
  wasm_target="$wasm_target-lto"
  out="$wasm_target/bench"
fi

if ! "$wasm_opt" --version 2>/dev/null | grep -q "version_$binaryen_version)"; then
  echo "installing binaryen $binaryen_version (wasm-opt) from npm"
  npm install --prefix "$tools" --no-audit --no-fund --silent "binaryen@$binaryen_version.0.0"
fi

echo "building both Workers (release, panic=unwind${PROFILE_FLAGS:+, $PROFILE_FLAGS})"
CARGO_TARGET_DIR="$wasm_target" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Cpanic=unwind" \
  /usr/bin/cargo build --locked --quiet --release --target wasm32-unknown-unknown \
  -Zbuild-std=std,panic_unwind -p hello-worker -p workers-rs-hello

rm -rf "$out"
mkdir -p "$out"
declare -A crate=([anyfn]=hello_worker [plain]=workers_rs_hello) bound_size
for name in anyfn plain; do
  wasm-bindgen --target bundler --out-dir "$out/$name" --out-name index \
    "$wasm_target/wasm32-unknown-unknown/release/${crate[$name]}.wasm"
  bound_size[$name]=$(stat -c %s "$out/$name/index_bg.wasm")
  # worker-build's step_run_wasm_opt for a release build, argument for
  # argument: -O, its explicit feature set, --debuginfo.
  "$wasm_opt" "$out/$name/index_bg.wasm" -o "$out/$name/index_bg.wasm" -O \
    --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-bulk-memory --enable-multivalue --enable-reference-types \
    --enable-exception-handling --debuginfo
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
# One workerd per Worker, so that each process's CPU time is one Worker's.
# The binary itself (npm's launcher would be the process we measure).
workerd_binary="$tools/node_modules/@cloudflare/workerd-linux-64/bin/workerd"
[[ -x "$workerd_binary" ]] || workerd_binary="$(readlink -f "$workerd")"
declare -A port pid vars=(
  [report]='(name = "ANYFN_REPORT_LINE", text = "on")'
  [quiet]='(name = "RUST_LOG", text = "warn")'
)
declare -A label=(
  [anyfn]="default (INFO on, no REPORT)"
  [report]="REPORT line on (ANYFN_REPORT_LINE=on)"
  [quiet]="quiet (RUST_LOG=warn)"
)
read -r -a variants <<<"${VARIANTS:-anyfn report quiet}"
for name in "${variants[@]}"; do
  [[ -n "${label[$name]:-}" ]] || { echo "unknown variant $name (anyfn report quiet)" >&2; exit 1; }
done
names=(plain "${variants[@]}")
folder() { if [[ $1 == plain ]]; then echo plain; else echo anyfn; fi; }
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
index=0
for name in "${names[@]}"; do
  port[$name]=$((base + index))
  index=$((index + 1))
  {
    echo 'using Workerd = import "/workerd/workerd.capnp";'
    echo 'const config :Workerd.Config = ('
    echo "  services = [(name = \"$name\", worker = .$name)],"
    echo "  sockets = [(name = \"$name\", address = \"127.0.0.1:${port[$name]}\", http = (), service = \"$name\")],"
    echo ');'
    worker "$name" "$(folder "$name")" "${vars[$name]:-}"
  } >"$out/$name.capnp"
  sed 's/^const config :Workerd.Config = ($/&\n  v8Flags = ["--no-liftoff", "--predictable"],/' "$out/$name.capnp" >"$out/$name-callgrind.capnp"
  "$workerd_binary" serve "$out/$name.capnp" >"$out/$name.log" 2>&1 &
  pid[$name]=$!
  pids+=("$!")
done
for name in "${names[@]}"; do
  for attempt in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:${port[$name]}/" && break
    kill -0 "${pid[$name]}" || { cat "$out/$name.log"; exit 1; }
    [[ $attempt -lt 300 ]] || { echo "$name did not answer within 30 s" >&2; exit 1; }
    sleep 0.1
  done
done

ports="{$(for name in "${names[@]}"; do printf '"%s":[%s,%s],' "$name" "${port[$name]}" "${pid[$name]}"; done | sed 's/,$//')}"
labels="{$(for name in "${variants[@]}"; do printf '"%s":"%s",' "$name" "${label[$name]}"; done | sed 's/,$//')}"
times="$(node benches/workers_bench.mjs "$ports" "$REQUESTS" "$ROUNDS")"
plain_size=$(stat -c %s "$out/plain/index_bg.wasm")
anyfn_size=$(stat -c %s "$out/anyfn/index_bg.wasm")
node -e '
const [times, labels, plainSize, anyfnSize, requests, rounds, plainBound, anyfnBound] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2]), +process.argv[3], +process.argv[4], process.argv[5], process.argv[6], +process.argv[7], +process.argv[8]];
const row = (what, anyfn, plain, unit, bound) => {
  const ratio = anyfn / plain;
  console.log(`${what.padEnd(60)} anyfn ${anyfn.toFixed(unit === "bytes" ? 0 : 1).padStart(9)} ${unit}  workers-rs ${plain.toFixed(unit === "bytes" ? 0 : 1).padStart(9)} ${unit}  ratio ${ratio.toFixed(3)}  (goal <= ${bound}: ${ratio <= bound ? "met" : "over"})`);
};
console.log(`median of ${rounds} rounds of ${requests} sequential requests, one client, one workerd per Worker`);
row("module as shipped (wasm-opt -O)", anyfnSize, plainSize, "bytes", 1.2);
console.log(`${"  wasm-bindgen output, before it".padEnd(60)} anyfn ${String(anyfnBound).padStart(9)} bytes  workers-rs ${String(plainBound).padStart(9)} bytes  ratio ${(anyfnBound / plainBound).toFixed(3)}`);
for (const [name, label] of Object.entries(labels)) row(`per request, ${label}`, times[name].wall, times.plain.wall, "us", 1.1);
for (const [name, label] of Object.entries(labels)) row(`workerd CPU/request, ${label}`, times[name].cpu, times.plain.cpu, "us", 1.1);
' "$times" "$labels" "$plain_size" "$anyfn_size" "$REQUESTS" "$ROUNDS" "${bound_size[plain]}" "${bound_size[anyfn]}"

# --- instructions per request, under callgrind ---------------------------
[[ "${INSTRUCTIONS:-1}" != 0 ]] || exit 0
if ! command -v valgrind >/dev/null || ! command -v callgrind_control >/dev/null; then
  echo "instructions per request: skipped (valgrind is not installed)"
  exit 0
fi
kill "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true
WARMUP="${WARMUP:-3000}"
declare -A instructions mean
for name in "${names[@]}"; do
  rm -f "$out/$name.callgrind"*
  valgrind --tool=callgrind --callgrind-out-file="$out/$name.callgrind" \
    "$workerd_binary" serve "$out/$name-callgrind.capnp" >"$out/$name.callgrind.log" 2>&1 &
  vg_pid=$!
  pids+=("$vg_pid")
  for attempt in $(seq 1 600); do # valgrind starts workerd slowly
    curl -s -o /dev/null "http://127.0.0.1:${port[$name]}/" && break
    kill -0 "$vg_pid" || { cat "$out/$name.callgrind.log"; exit 1; }
    [[ $attempt -lt 600 ]] || { echo "$name under callgrind did not answer within 60 s" >&2; exit 1; }
    sleep 0.1
  done
  node benches/workers_bench.mjs send "${port[$name]}" "$WARMUP"
  for round in $(seq 1 "$ROUNDS"); do
    callgrind_control --zero "$vg_pid" >/dev/null
    node benches/workers_bench.mjs send "${port[$name]}" "$REQUESTS"
    callgrind_control --dump "$vg_pid" >/dev/null
  done
  kill "$vg_pid"
  wait "$vg_pid" 2>/dev/null || true
  rounds_of() { grep -h '^totals:' "$out/$name.callgrind".* | awk -v n="$REQUESTS" '{print $2 / n}'; }
  instructions[$name]=$(rounds_of | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
  mean[$name]=$(rounds_of | awk '{sum += $1} END {print sum / NR}')
done
counts="{$(for name in "${names[@]}"; do printf '"%s":[%s,%s],' "$name" "${instructions[$name]}" "${mean[$name]}"; done | sed 's/,$//')}"
node -e '
const [counts, labels, warmup, requests, rounds] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2]), ...process.argv.slice(3).map(Number)];
console.log(`instructions per request (callgrind, workerd with --no-liftoff --predictable; ${rounds} rounds of ${requests} after ${warmup}: the median round, then the mean of all rounds)`);
for (const [name, label] of Object.entries(labels)) {
  const [[median, mean], [plainMedian, plainMean]] = [counts[name], counts.plain];
  const ratio = median / plainMedian;
  console.log(`${label.padEnd(60)} anyfn ${median.toFixed(0).padStart(9)}  workers-rs ${plainMedian.toFixed(0).padStart(9)}  ratio ${ratio.toFixed(3)}  (goal <= 1.1: ${ratio <= 1.1 ? "met" : "over"})`);
  console.log(`${"  mean of all rounds".padEnd(60)} anyfn ${mean.toFixed(0).padStart(9)}  workers-rs ${plainMean.toFixed(0).padStart(9)}  ratio ${(mean / plainMean).toFixed(3)}`);
}
' "$counts" "$labels" "$WARMUP" "$REQUESTS" "$ROUNDS"
