#!/usr/bin/env bash
# Instructions per request: the same axum router (the rest-api example's
# rest_api::router(), a link store with tower-http CORS) served three ways,
# answering `GET /links` (200, `[]`: a fresh store), counted by valgrind's
# callgrind, all in one run:
#
#   axum     axum::serve (benches/peers, bin axum-serve), as its users run
#            it: no request id, deadline, panic catching or header-read
#            timeout.
#   guarded  the axum way of giving awaiting handlers what anyfn-server
#            gives every request (benches/peers, bin axum-guarded): hyper's
#            HTTP/1 builder with hyper-util's TokioTimer, a 30 s
#            header_read_timeout and 64 KiB heads (anyfn-server's defaults),
#            drained on SIGTERM (hyper-util's GracefulShutdown), and
#            around the whole router (every request, as anyfn's) tower-http's
#            SetRequestId/PropagateRequestId (x-request-id, ids made as
#            anyfn-server makes them), Trace (TraceLayer's),
#            Timeout::with_status_code(504, 3 s) (anyfn's default deadline)
#            and CatchPanic.
#   anyfn    anyfn's local server through anyfn-tower (the example's
#            `rest-api` binary): request id, deadline, panic catching, body
#            limits, header-read timeout, the invocation's Context.
#
# Goals (issue 29): anyfn at most 1.0x guarded, and at most 1.15x axum.
#
# Build profile: all three are built by one cargo invocation with cargo's
# default `release` profile (the workspace sets none: opt-level 3, lto =
# false, 16 codegen units, no debug info, not stripped), so the router is
# the same code on all sides. All run a multi-threaded tokio runtime on 127.0.0.1 with
# TCP_NODELAY on every connection.
#
# Logging: every side runs with RUST_LOG=warn. anyfn and guarded both
# install a tracing subscriber (a fmt layer to stderr filtered by RUST_LOG
# read as tracing-subscriber's Targets: anyfn-server's default subscriber,
# and the same in the peer), so the per-request span and events of each
# (anyfn's invocation span and REPORT line, TraceLayer's span and events, all
# below warn) are filtered out alike. axum::serve has no subscriber and
# nothing to log.
#
# As in benches/instructions_vs_hyper.sh, each server runs under callgrind
# twice, answering N and then 2N sequential keep-alive requests from one
# curl; the difference of the two totals divided by N is one request,
# without start-up and shutdown. It counts user-space instructions only.
#
# All run their tokio runtime on one worker thread (ONE_WORKER in
# benches/lib.sh): with a worker per core, each side moved by up to 4% from
# one run to the next. RUNS rounds of runs can still be made, alternating
# the sides, and the ratios are those of the medians. The guarded side still
# moves by up to 4% from run to run (31,566 to 32,914 in four runs; axum and
# anyfn within 0.2%), not looked into: RUNS=3 for its figure.
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
GUARDED_BOUND="1.0"
AXUM_BOUND="1.15"

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

build_rest_api_and_peers axum-serve axum-guarded || die "the servers did not build"
AXUM_BIN="$TARGET_DIR/release/axum-serve"
GUARDED_BIN="$TARGET_DIR/release/axum-guarded"
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
    [[ "$name" == guarded ]] && bin="$GUARDED_BIN"
    env "${ONE_WORKER[@]}" RUST_LOG=warn HOST=127.0.0.1 PORT="$port" valgrind --tool=callgrind \
        --callgrind-out-file="$file" "$bin" >"$log" 2>&1 &
    PID=$!
    wait_answering "$PID" "$url" || die "$name did not answer $url: $(tail -3 "$log")"
    # The same URL COUNT times, one curl, one keep-alive connection.
    local urls="$OUT/$name.$count.urls"
    for ((i = 0; i < count; i++)); do printf 'url = "%s"\n' "$url"; done >"$urls"
    # The sides that promise a request id send one (one request more, on
    # both runs: it cancels out).
    if [[ "$name" != axum ]]; then
        curl -fsS -o /dev/null -D - "$url" | grep -qiE '^x-request-id: [0-9a-f-]{36}' ||
            die "$name answered no UUID-shaped x-request-id"
    fi
    local answers
    answers="$(curl -fsS -K "$urls")" || die "$name: a request failed"
    [[ "${#answers}" == $((2 * count)) && -z "${answers//\[\]/}" ]] ||
        die "$name: expected $count answers [], got ${#answers} bytes: ${answers:0:200}"
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
    PID=""
    callgrind_total "$file" || die "$name: no total in $file (see $log)"
}

SIDES=(axum guarded anyfn)
printf '%-8s %14s %14s %12s\n' server "Ir ($REQUESTS)" "Ir ($((2 * REQUESTS)))" Ir/request
declare -A PER RUNS_OF
for ((run = 1; run <= RUNS; run++)); do
    for name in "${SIDES[@]}"; do
        one="$(run_counted "$name" "$REQUESTS")"
        two="$(run_counted "$name" "$((2 * REQUESTS))")"
        per=$(((two - one) / REQUESTS))
        RUNS_OF[$name]="${RUNS_OF[$name]:-} $per"
        printf '%-8s %14s %14s %12s\n' "$name" "$one" "$two" "$per"
    done
done
for name in "${SIDES[@]}"; do
    PER[$name]="$(median '%.0f' <<<"${RUNS_OF[$name]}")"
done
if ((RUNS > 1)); then
    printf '\nmedians of %d runs: axum %s, guarded %s, anyfn %s\n' "$RUNS" "${PER[axum]}" "${PER[guarded]}" "${PER[anyfn]}"
fi
echo
awk -v x="${PER[guarded]}" -v a="${PER[anyfn]}" -v b="$GUARDED_BOUND" \
    'BEGIN {r = a / x; printf "instructions per request, anyfn/guarded (axum with the same guarantees): %.3f (goal <= %s): %s  (anyfn %+d)\n", r, b, (r <= b ? "within" : "OVER"), a - x}'
awk -v x="${PER[axum]}" -v a="${PER[anyfn]}" -v b="$AXUM_BOUND" \
    'BEGIN {r = a / x; printf "instructions per request, anyfn/axum (axum::serve): %.3f (goal <= %s): %s  (anyfn %+d)\n", r, b, (r <= b ? "within" : "OVER"), a - x}'
awk -v x="${PER[axum]}" -v g="${PER[guarded]}" \
    'BEGIN {printf "the guarantees, the axum way, cost %+d over axum::serve (guarded/axum %.3f)\n", g - x, g / x}'
echo "(callgrind outputs: $OUT; callgrind_annotate FILE shows where they go)"
