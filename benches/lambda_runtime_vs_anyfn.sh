#!/usr/bin/env bash
# anyfn-lambda next to raw lambda_runtime and lambda_http, against the same
# Lambda Runtime API emulator (anyfn_test::LambdaEmulator on loopback).
#
# 1. Throughput: N sequential invocations (default 10,000) of a trivial JSON
#    function (any JSON in, {"ok":true} out) written with anyfn-lambda
#    (benches/peers/src/bin/anyfn-lambda-trivial.rs) and with raw
#    lambda_runtime (benches/peers/src/bin/raw-lambda-runtime.rs), in one
#    run of benches/peers/src/bin/lambda-driver.rs: both processes up, each
#    on its own emulator (same settings), alternating blocks of BLOCK
#    invocations so that both see the same machine. ROUNDS such runs, fresh
#    processes each, the first function swapped every round. Prints both
#    rates and times per invocation, and the ratio of anyfn's time per
#    invocation to raw lambda_runtime's, median of the rounds (goal: <= 1.05).
#    Twice: raw lambda_runtime as its documentation shows it (the runtime loop
#    awaited in #[tokio::main], i.e. polled by block_on on the main thread),
#    then run in a tokio::spawn'ed task as anyfn-lambda runs it
#    (RAW_LAMBDA_RUNTIME_SPAWN=1), which tells the threading difference from
#    anyfn's own per-invocation work.
# 2. Size and cold start: the `hello` example (anyfn, via anyfn-auto, which
#    picks the Lambda adapter when AWS_LAMBDA_RUNTIME_API is set) and its
#    lambda_http peer (benches/peers/src/bin/lambda-http-hello.rs), both built
#    release and stripped. Prints their sizes, and the time from process
#    start to the first answered invocation (an API Gateway HTTP API payload
#    for GET /?name=Ada, whose answer must be "Hello, Ada!"; the invocation is
#    queued before the process is spawned), COLD_RUNS starts each,
#    alternating, each with a fresh emulator and process.
#
# Environment:
#   CARGO_TARGET_DIR  where to build (default: <repo>/target)
#   N                 timed invocations per function per round (default 10000)
#   QUICK=1           a smoke run: N=500, COLD_RUNS=5 unless set
#   ROUNDS            throughput rounds (default 3)
#   BLOCK             invocations per alternating block (default 500)
#   WARMUP            untimed invocations per process before timing (default 200)
#   COLD_RUNS         cold starts per binary (default 20)
#
# Usage: benches/lambda_runtime_vs_anyfn.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [[ ${QUICK:-0} == 1 ]]; then
  N=${N:-500}
  COLD_RUNS=${COLD_RUNS:-5}
fi
N=${N:-10000}
ROUNDS=${ROUNDS:-3}
BLOCK=${BLOCK:-500}
WARMUP=${WARMUP:-200}
COLD_RUNS=${COLD_RUNS:-20}
GOAL=1.05

for name in N ROUNDS BLOCK WARMUP COLD_RUNS; do
  if ! [[ ${!name} =~ ^[1-9][0-9]*$ ]]; then
    echo "$name must be a positive whole number, not '${!name}'" >&2
    exit 2
  fi
done
command -v strip >/dev/null || { echo "strip (binutils) is needed" >&2; exit 2; }

cd "$ROOT"
echo "== building (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
cargo build --release --quiet -p anyfn-bench-peers \
  --bin anyfn-lambda-trivial --bin raw-lambda-runtime --bin lambda-http-hello --bin lambda-driver
cargo build --release --quiet --example hello

BIN=$CARGO_TARGET_DIR/release
DRIVER=$BIN/lambda-driver
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The value of key=VALUE in a driver line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# The median of the numbers given as arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ----------------------------------------------------------------- throughput

TRIVIAL_PAYLOAD='{"name":"Ada","n":1}'
TRIVIAL_ANSWER='{"ok":true}'
ANYFN=anyfn-lambda-trivial
RAW=raw-lambda-runtime

# compare_throughput SPAWN SHORT LABEL: ROUNDS rounds of anyfn vs raw, raw's loop
# in block_on on the main thread (SPAWN=0, as lambda_runtime's docs show) or
# in a spawned task as anyfn-lambda runs it (SPAWN=1). Prints the summary.
compare_throughput() {
  local spawn=$1 short=$2 label=$3 round first second out anyfn_line raw_line
  local anyfn_us=() raw_us=() anyfn_rate=() raw_rate=() ratios=()
  echo
  echo "== throughput, $label: $N sequential invocations each per round, $ROUNDS rounds"
  echo "   (both processes up, each on its own emulator, alternating blocks of $BLOCK; $WARMUP warm-up invocations each)"
  for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then first=$ANYFN second=$RAW; else first=$RAW second=$ANYFN; fi
    out=$(RAW_LAMBDA_RUNTIME_SPAWN=$spawn "$DRIVER" throughput "$BIN/$first" "$N" "$TRIVIAL_PAYLOAD" \
      --versus "$BIN/$second" --block "$BLOCK" --warmup "$WARMUP" --expect-json "$TRIVIAL_ANSWER")
    echo " round $round"
    sed 's/^/   /' <<<"$out"
    anyfn_line=$(grep "^throughput function=$ANYFN " <<<"$out")
    raw_line=$(grep "^throughput function=$RAW " <<<"$out")
    anyfn_us+=("$(field mean_us "$anyfn_line")")
    raw_us+=("$(field mean_us "$raw_line")")
    anyfn_rate+=("$(field per_sec "$anyfn_line")")
    raw_rate+=("$(field per_sec "$raw_line")")
    ratios+=("$(awk -v a="${anyfn_us[-1]}" -v r="${raw_us[-1]}" 'BEGIN { printf "%.4f", a / r }')")
  done
  local ratio verdict
  ratio=$(median "${ratios[@]}")
  verdict=$(awk -v x="$ratio" -v g="$GOAL" 'BEGIN { print (x <= g) ? "PASS" : "MISS" }')
  echo
  echo "anyfn-lambda:       median $(median "${anyfn_rate[@]}") invocations/s, $(median "${anyfn_us[@]}") us/invocation (rounds: ${anyfn_us[*]} us)"
  echo "raw lambda_runtime: median $(median "${raw_rate[@]}") invocations/s, $(median "${raw_us[@]}") us/invocation (rounds: ${raw_us[*]} us)"
  echo "ratio anyfn/raw time per invocation, $short: median of rounds $ratio (rounds: ${ratios[*]}) (goal <= $GOAL) $verdict"
}

compare_throughput 0 "raw as documented" "raw lambda_runtime as documented (run awaited in #[tokio::main])"
compare_throughput 1 "raw spawned" "raw lambda_runtime run in a spawned task, like anyfn-lambda"

# ------------------------------------------------------- size and cold start

echo
echo "== hello vs lambda_http hello: release, stripped"
cp "$BIN/examples/hello" "$WORK/hello"
cp "$BIN/lambda-http-hello" "$WORK/lambda-http-hello"
strip "$WORK/hello" "$WORK/lambda-http-hello"

# An API Gateway HTTP API (v2) event for GET /?name=Ada.
cat >"$WORK/get-ada.json" <<'JSON'
{
  "version": "2.0",
  "routeKey": "$default",
  "rawPath": "/",
  "rawQueryString": "name=Ada",
  "headers": {
    "accept": "*/*",
    "host": "abc123.execute-api.us-east-1.amazonaws.com",
    "user-agent": "curl/8.5.0",
    "x-forwarded-for": "192.0.2.1",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https"
  },
  "queryStringParameters": { "name": "Ada" },
  "requestContext": {
    "accountId": "123456789012",
    "apiId": "abc123",
    "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
    "domainPrefix": "abc123",
    "http": {
      "method": "GET",
      "path": "/",
      "protocol": "HTTP/1.1",
      "sourceIp": "192.0.2.1",
      "userAgent": "curl/8.5.0"
    },
    "requestId": "JKJaXmPLvHcESHA=",
    "routeKey": "$default",
    "stage": "$default",
    "time": "10/Mar/2024:13:40:52 +0000",
    "timeEpoch": 1710078052000
  },
  "isBase64Encoded": false
}
JSON

size_of() { stat -c %s "$1"; }
hello_size=$(size_of "$WORK/hello")
http_size=$(size_of "$WORK/lambda-http-hello")
hello_unstripped=$(size_of "$BIN/examples/hello")
http_unstripped=$(size_of "$BIN/lambda-http-hello")

# One untimed start each, so both binaries are in the page cache.
"$DRIVER" cold "$WORK/hello" 1 "$WORK/get-ada.json" --versus "$WORK/lambda-http-hello" \
  --expect-body "Hello, Ada!" >/dev/null
# Alternating single starts, each with a fresh emulator and process.
out=$("$DRIVER" cold "$WORK/hello" "$COLD_RUNS" "$WORK/get-ada.json" --versus "$WORK/lambda-http-hello" \
  --expect-body "Hello, Ada!")
IFS=, read -r -a hello_cold <<<"$(field times_us "$(grep '^cold function=hello ' <<<"$out")")"
IFS=, read -r -a http_cold <<<"$(field times_us "$(grep '^cold function=lambda-http-hello ' <<<"$out")")"

cold_line() { # LABEL TIMES... → median and min in ms
  local label=$1
  shift
  local med min
  med=$(median "$@")
  min=$(printf '%s\n' "$@" | sort -g | head -n1)
  awk -v l="$label" -v m="$med" -v n="$min" -v c="$#" \
    'BEGIN { printf "%-22s cold start (process start -> first answer): median %.2f ms, min %.2f ms (%d runs)\n", l, m / 1000, n / 1000, c }'
}
size_line() { # LABEL STRIPPED UNSTRIPPED
  awk -v l="$1" -v s="$2" -v u="$3" \
    'BEGIN { printf "%-22s size stripped: %d bytes (%.1f KiB); unstripped %d bytes (%.1f KiB)\n", l, s, s / 1024, u, u / 1024 }'
}

echo
size_line "hello (anyfn):" "$hello_size" "$hello_unstripped"
size_line "lambda-http-hello:" "$http_size" "$http_unstripped"
awk -v a="$hello_size" -v b="$http_size" 'BEGIN { printf "%-22s size ratio anyfn/lambda_http: %.3f\n", "", a / b }'
cold_line "hello (anyfn):" "${hello_cold[@]}"
cold_line "lambda-http-hello:" "${http_cold[@]}"
awk -v a="$(median "${hello_cold[@]}")" -v b="$(median "${http_cold[@]}")" \
  'BEGIN { printf "%-22s cold start ratio anyfn/lambda_http (medians): %.3f\n", "", a / b }'
