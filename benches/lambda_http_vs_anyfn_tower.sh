#!/usr/bin/env bash
# Instructions per invocation under the Lambda Runtime API emulator
# (anyfn_test::LambdaEmulator on loopback), counted by valgrind's callgrind,
# of three functions answering the same API Gateway HTTP API (v2) event for
# `GET /links`, all in one run:
#
#   raw          raw lambda_runtime (benches/peers, bin raw-lambda-runtime):
#                the event read as a serde_json::Value, a fixed JSON answer
#                ({"ok":true}); what the runtime alone costs (the Runtime
#                API's `next` and `response` calls, the payload's JSON)
#   lambda_http  lambda_http::run(rest_api::router()) (benches/peers, bin
#                lambda-http-axum): the rest-api example's axum router
#   anyfn        the rest-api example's `rest-api` binary:
#                anyfn_auto::run(anyfn_tower::service(rest_api::router())),
#                which runs anyfn-lambda when AWS_LAMBDA_RUNTIME_API is set
#   anyfn_hooked the same with one (empty) shutdown hook (benches/peers, bin
#                rest-api-with-shutdown-hook): it registers Lambda's internal
#                extension before its first `next` and listens for SIGTERM,
#                which must cost nothing per invocation
#
# The router answers 200 with the body `[]` (a fresh store) on both HTTP
# sides; every answer is checked (status and body through the HTTP API's
# response shape, anyfn_test::fixtures::lambda_http; raw's must be
# {"ok":true}). Each function's instructions beyond raw's are its HTTP
# mapping (event → http::Request → router → http::Response → answer): the
# last line compares anyfn's with lambda_http's. Goal: anyfn's at most 0.5x
# lambda_http's. Logging is quiet (RUST_LOG=warn: anyfn installs its default
# subscriber; the peers install none). Each function runs its tokio runtime
# on one worker thread (ONE_WORKER in benches/lib.sh), so that runs repeat.
#
# Each function runs under callgrind twice, started by
# benches/peers/src/bin/lambda-count-driver.rs (which starts an emulator,
# runs the function under valgrind, sends N and then 2N sequential
# invocations, checks each answer and stops the function with SIGTERM, on
# which callgrind writes its counts); the difference of the two totals
# divided by N is one invocation, without start-up and shutdown. It counts
# the function process's user-space instructions only, not the emulator's.
# The figures grow slowly with N, on all three: lambda_runtime sets
# _X_AMZN_TRACE_ID to each invocation's own trace id, and glibc keeps every
# value setenv was given (a growing search tree, a more fragmented heap), so
# compare figures of the same N.
#
# Usage:   benches/lambda_http_vs_anyfn_tower.sh
# Options (environment):
#   N=2000             invocations of the first run (the second sends 2N)
#   CARGO_TARGET_DIR   where to build (default: the workspace's target dir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${N:-2000}"
GOAL="0.5"
REQUEST_PATH='/links'

die() {
    printf 'lambda_http_vs_anyfn_tower: error: %s\n' "$*" >&2
    exit 1
}

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive whole number, not '$N'"
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
require_tool valgrind valgrind || die "valgrind is needed"

build_rest_api_and_peers raw-lambda-runtime lambda-http-axum rest-api-with-shutdown-hook lambda-count-driver ||
    die "the functions did not build"
BIN="$TARGET_DIR/release"
DRIVER="$BIN/lambda-count-driver"
OUT="$TARGET_DIR/lambda_http_vs_anyfn_tower"
mkdir -p "$OUT"

# run_counted NAME INVOCATIONS: the total instructions of one function run.
run_counted() {
    local name="$1" count="$2" bin
    local -a expect=(--expect-status 200 --expect-body '[]')
    case "$name" in
        raw) bin="$BIN/raw-lambda-runtime"; expect=(--expect-json '{"ok":true}') ;;
        lambda_http) bin="$BIN/lambda-http-axum" ;;
        anyfn) bin="$REST_API_BIN" ;;
        anyfn_hooked) bin="$BIN/rest-api-with-shutdown-hook" ;;
        *) die "unknown function $name" ;;
    esac
    local file="$OUT/$name.$count.callgrind" log="$OUT/$name.$count.log"
    rm -f "$file"
    RUST_LOG=warn "$DRIVER" "$count" --source http-api --get "$REQUEST_PATH" "${expect[@]}" \
        -- env "${ONE_WORKER[@]}" valgrind --tool=callgrind --callgrind-out-file="$file" "$bin" >"$log.driver" 2>"$log" ||
        die "$name: $(grep -m1 'lambda-count-driver:' "$log" || tail -3 "$log")"
    grep -q "^count function=.* invocations=$count " "$log.driver" ||
        die "$name: the driver did not report $count invocations (see $log)"
    callgrind_total "$file" || die "$name: no total in $file (see $log)"
}

printf '%-12s %14s %14s %14s\n' function "Ir ($N)" "Ir ($((2 * N)))" Ir/invocation
declare -A PER
for name in raw lambda_http anyfn anyfn_hooked; do
    one="$(run_counted "$name" "$N")"
    two="$(run_counted "$name" "$((2 * N))")"
    PER[$name]=$(((two - one) / N))
    printf '%-12s %14s %14s %14s\n' "$name" "$one" "$two" "${PER[$name]}"
done
echo
awk -v r="${PER[raw]}" -v h="${PER[lambda_http]}" -v a="${PER[anyfn]}" -v k="${PER[anyfn_hooked]}" -v g="$GOAL" 'BEGIN {
    printf "HTTP mapping beyond the raw runtime, per invocation: lambda_http %+d, anyfn %+d\n", h - r, a - r
    if (h - r <= 0) { print "lambda_http adds nothing over the raw runtime: no ratio"; exit }
    x = (a - r) / (h - r)
    printf "ratio anyfn/lambda_http of that mapping: %.3f (goal <= %s): %s\n", x, g, (x <= g ? "within" : "OVER")
    printf "whole invocations, anyfn/lambda_http: %.3f\n", a / h
    printf "with a shutdown hook (the extension registered), per invocation: %+d (%.4fx)\n", k - a, k / a
}'
echo "(callgrind outputs: $OUT; callgrind_annotate FILE shows where they go)"
