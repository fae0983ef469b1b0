#!/usr/bin/env bash
# Instructions per request: the same axum router (the rest-api example's
# rest_api::router(), a link store with tower-http CORS) served by
# axum::serve (benches/peers, bin axum-serve) and by anyfn's local server
# through anyfn-tower (the example's `rest-api` binary), answering
# `GET /links` (200, `[]`: a fresh store), counted by valgrind's callgrind,
# both in one run. Goal: anyfn at most 1.05x axum::serve.
#
# Both run a multi-threaded tokio runtime on 127.0.0.1 with TCP_NODELAY on
# every connection (anyfn-server sets it; the peer does too), and both are
# built in one cargo invocation, so the router is the same code on both
# sides. What anyfn adds is its server's per-request work (request id,
# deadline, panic catching, body limits, the invocation's Context) and
# anyfn-tower's conversion of the request and the answer. Logging is quiet
# (RUST_LOG=warn) on anyfn; axum::serve has no subscriber.
#
# As in benches/instructions_vs_hyper.sh, each server runs under callgrind
# twice, answering N and then 2N sequential keep-alive requests from one
# curl; the difference of the two totals divided by N is one request,
# without start-up and shutdown. It counts user-space instructions only.
#
# Both run their tokio runtime on one worker thread (ONE_WORKER in
# benches/lib.sh): with a worker per core, each side moved by up to 4% from
# one run to the next. RUNS pairs of runs can still be made, alternating
# the sides, and the ratio is that of the medians.
#
# Usage:   benches/axum_vs_anyfn_server.sh
# Options (environment):
#   REQUESTS=2000      N
#   RUNS=1             runs of each side; the medians are compared
#   CARGO_TARGET_DIR   where to build (default: the workspace's target dir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REQUESTS="${REQUESTS:-2000}"
RUNS="${RUNS:-1}"
REQUEST_PATH='/links'
BOUND="1.05"

PID=""
# die MESSAGE: stops the server being measured, if any, and fails.
die() {
    [[ -n "$PID" ]] && kill -KILL "$PID" 2>/dev/null
    printf 'axum_vs_anyfn_server: error: %s\n' "$*" >&2
    exit 1
}

[[ "$REQUESTS" =~ ^[1-9][0-9]*$ ]] || die "REQUESTS must be a positive whole number, not '$REQUESTS'"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive whole number, not '$RUNS'"
command -v curl >/dev/null || die "curl is needed"
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
require_tool valgrind valgrind || die "valgrind is needed"

build_rest_api_and_peers axum-serve || die "the servers did not build"
AXUM_BIN="$TARGET_DIR/release/axum-serve"
OUT="$TARGET_DIR/axum_vs_anyfn_server"
mkdir -p "$OUT"

kill_pid_on_exit

# run_counted NAME REQUESTS: the total instructions of one server run.
run_counted() {
    local name="$1" count="$2" port i
    port="$(free_port)"
    local file="$OUT/$name.$count.callgrind" log="$OUT/$name.$count.log"
    local url="http://127.0.0.1:$port$REQUEST_PATH"
    local bin="$REST_API_BIN"
    [[ "$name" == axum ]] && bin="$AXUM_BIN"
    env "${ONE_WORKER[@]}" RUST_LOG=warn HOST=127.0.0.1 PORT="$port" valgrind --tool=callgrind \
        --callgrind-out-file="$file" "$bin" >"$log" 2>&1 &
    PID=$!
    wait_answering "$PID" "$url" || die "$name did not answer $url: $(tail -3 "$log")"
    # The same URL COUNT times, one curl, one keep-alive connection.
    local urls="$OUT/$name.$count.urls"
    for ((i = 0; i < count; i++)); do printf 'url = "%s"\n' "$url"; done >"$urls"
    local answers
    answers="$(curl -fsS -K "$urls")" || die "$name: a request failed"
    [[ "${#answers}" == $((2 * count)) && -z "${answers//\[\]/}" ]] ||
        die "$name: expected $count answers [], got ${#answers} bytes: ${answers:0:200}"
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
    PID=""
    callgrind_total "$file" || die "$name: no total in $file (see $log)"
}

printf '%-8s %14s %14s %12s\n' server "Ir ($REQUESTS)" "Ir ($((2 * REQUESTS)))" Ir/request
declare -A PER RUNS_OF
for ((run = 1; run <= RUNS; run++)); do
    for name in axum anyfn; do
        one="$(run_counted "$name" "$REQUESTS")"
        two="$(run_counted "$name" "$((2 * REQUESTS))")"
        per=$(((two - one) / REQUESTS))
        RUNS_OF[$name]="${RUNS_OF[$name]:-} $per"
        printf '%-8s %14s %14s %12s\n' "$name" "$one" "$two" "$per"
    done
done
for name in axum anyfn; do
    PER[$name]="$(median '%.0f' <<<"${RUNS_OF[$name]}")"
done
if ((RUNS > 1)); then
    printf '\nmedians of %d runs: axum %s, anyfn %s\n' "$RUNS" "${PER[axum]}" "${PER[anyfn]}"
fi
echo
awk -v x="${PER[axum]}" -v a="${PER[anyfn]}" -v b="$BOUND" \
    'BEGIN {r = a / x; printf "instructions per request, anyfn/axum: %.3f (goal <= %s): %s  (anyfn %+d over axum::serve)\n", r, b, (r <= b ? "within" : "OVER"), a - x}'
echo "(callgrind outputs: $OUT; callgrind_annotate FILE shows where they go)"
