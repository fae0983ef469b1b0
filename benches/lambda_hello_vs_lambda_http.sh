#!/usr/bin/env bash
# The `hello` function on Lambda next to its lambda_http peer, in
# instructions counted by valgrind's callgrind, all in one run, against the
# same Lambda Runtime API emulator (anyfn_test::LambdaEmulator on loopback,
# driven by benches/peers/src/bin/lambda-count-driver.rs). Issue 29's goals
# 2 and 3.
#
# Four functions, each built with the workspace's `release-lto` profile
# (release, fat LTO, one codegen unit, symbols stripped, panic = unwind: the
# profile a user ships a function with), both sides alike:
#
#   hello              the `hello` example (examples/hello.rs) as the quick
#                      start builds it: anyfn-auto with its default features
#                      (server, lambda, azure), which picks the Lambda adapter
#                      when AWS_LAMBDA_RUNTIME_API is set
#   hello-lambda-only  the same source built with anyfn-auto's `lambda`
#                      feature alone (benches/lambda-only), as a user deploying
#                      only to Lambda builds it
#   lambda-http-hello  the peer as lambda_http's README writes a function
#                      (benches/peers/src/bin/lambda-http-hello.rs): the
#                      README's subscriber (tracing_subscriber::fmt(),
#                      without time, level INFO), then
#                      lambda_http::run(service_fn(hello)), the same greeting
#   lambda-http-hello-bare  the same without the subscriber, for reference
#                      (anyfn's hello installs its default subscriber, as
#                      the README's peer does)
#
# Measures:
#   size        the stripped binary, in bytes
#   cold start  every instruction of one process that starts, answers one
#               invocation and exits on SIGTERM (exec to exit, the exit
#               included on both sides), the median of
#               COLD_RUNS processes (it moves by a few percent from process
#               to process: random hash seeds, how often the runtime polls)
#   per invocation  as the difference of two runs of N and 2N invocations
#               divided by N, without start-up and exit
#
# The event, in every run, is the 1.7 KB API Gateway HTTP API (v2) event
# that SAM local sends for a browser's `GET /dump?foo=bar`
# (tests/fixtures/lambda/example-apigw-sam-http-request.json, from
# aws_lambda_events's examples), sent byte for byte. Every answer is
# checked: status 200 and `Hello, world!`. Logging is quiet
# (RUST_LOG=warn: anyfn installs its default subscriber; the peer installs
# none). Each process runs its tokio runtime on one worker thread
# (ONE_WORKER in benches/lib.sh), so that runs repeat.
#
# Goals (issue 29): per invocation <= 110,000 instructions (goal 2); size
# <= 1.0x and cold start <= 0.95x lambda-http-hello's, for hello and
# hello-lambda-only alike (goal 3). The ratios to lambda-http-hello-bare are
# printed too.
#
# Usage:   benches/lambda_hello_vs_lambda_http.sh
# Options (environment):
#   N=1000             invocations of the first counted run (the second sends 2N)
#   COLD_RUNS=5        cold starts counted per function
#   CARGO_TARGET_DIR   where to build (default: the workspace's target dir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${N:-1000}"
COLD_RUNS="${COLD_RUNS:-5}"
PROFILE=release-lto

die() {
    printf 'lambda_hello_vs_lambda_http: error: %s\n' "$*" >&2
    exit 1
}

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive whole number, not '$N'"
[[ "$COLD_RUNS" =~ ^[1-9][0-9]*$ ]] || die "COLD_RUNS must be a positive whole number, not '$COLD_RUNS'"
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
require_tool valgrind valgrind || die "valgrind is needed"

printf 'building (profile %s)…\n' "$PROFILE"
# Three cargo invocations: built together, cargo would unify anyfn-auto's
# features, and the Lambda-only build would get the server and Azure too.
cargo build --profile "$PROFILE" --quiet -p anyfn --example hello || die "hello did not build"
cargo build --profile "$PROFILE" --quiet -p anyfn-bench-lambda-only --bin hello-lambda-only ||
    die "hello-lambda-only did not build"
cargo build --profile "$PROFILE" --quiet -p anyfn-bench-peers --bin lambda-http-hello \
    --bin lambda-http-hello-bare --bin lambda-count-driver ||
    die "the peer did not build"
TARGET_DIR="$(cargo_target_dir)"
BIN="$TARGET_DIR/$PROFILE"
DRIVER="$BIN/lambda-count-driver"
OUT="$TARGET_DIR/lambda_hello_vs_lambda_http"
EVENT="$(cat "$ROOT/tests/fixtures/lambda/example-apigw-sam-http-request.json")"
mkdir -p "$OUT"

binary() {
    case "$1" in
        hello) echo "$BIN/examples/hello" ;;
        hello-lambda-only) echo "$BIN/hello-lambda-only" ;;
        lambda-http-hello) echo "$BIN/lambda-http-hello" ;;
        lambda-http-hello-bare) echo "$BIN/lambda-http-hello-bare" ;;
        *) die "unknown function $1" ;;
    esac
}

# run_counted NAME INVOCATIONS: the total instructions of one function run.
run_counted() {
    local name="$1" count="$2" bin file log
    bin="$(binary "$name")"
    file="$OUT/$name.$count.callgrind"
    log="$OUT/$name.$count.log"
    rm -f "$file"
    RUST_LOG=warn "$DRIVER" "$count" --source http-api --payload "$EVENT" \
        --expect-status 200 --expect-body 'Hello, world!' \
        -- env "${ONE_WORKER[@]}" valgrind --tool=callgrind --callgrind-out-file="$file" "$bin" \
        >"$log.driver" 2>"$log" ||
        die "$name: $(grep -m1 'lambda-count-driver:' "$log" || tail -3 "$log")"
    grep -q "^count function=.* invocations=$count " "$log.driver" ||
        die "$name: the driver did not report $count invocations (see $log)"
    callgrind_total "$file" || die "$name: no total in $file (see $log)"
}

echo "profile $PROFILE: $(sed -n '/^\[profile.release-lto\]/,/^$/p' Cargo.toml | grep -v '^\[' | tr '\n' ' ')"
printf '%-18s %10s %14s %14s %14s %14s\n' function "size (B)" "cold (median)" "Ir ($N)" "Ir ($((2 * N)))" Ir/invocation
declare -A SIZE COLD PER
for name in lambda-http-hello lambda-http-hello-bare hello hello-lambda-only; do
    SIZE[$name]=$(stat -c %s "$(binary "$name")")
    colds=()
    for ((run = 1; run <= COLD_RUNS; run++)); do colds+=("$(run_counted "$name" 1)"); done
    COLD[$name]="$(printf '%s\n' "${colds[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
    one="$(run_counted "$name" "$N")"
    two="$(run_counted "$name" "$((2 * N))")"
    PER[$name]=$(((two - one) / N))
    EVENT_BYTES=$(sed -n 's/.* event_bytes=\([0-9]*\).*/\1/p' "$OUT/$name.$N.log.driver")
    printf '%-18s %10s %14s %14s %14s %14s\n' "$name" "${SIZE[$name]}" "${COLD[$name]}" "$one" "$two" "${PER[$name]}"
done
echo "the event: $EVENT_BYTES bytes"
for peer in lambda-http-hello lambda-http-hello-bare; do
    for name in hello hello-lambda-only; do
        awk -v n="$name" -v p="$peer" -v s="${SIZE[$name]}" -v ps="${SIZE[$peer]}" \
            -v c="${COLD[$name]}" -v pc="${COLD[$peer]}" \
            -v i="${PER[$name]}" -v pi="${PER[$peer]}" -v goals="$([[ $peer == lambda-http-hello ]] && echo 1 || echo 0)" 'BEGIN {
            if (goals) {
                printf "%-18s / %s: size %.3f (goal <= 1.0) %s, cold start %.3f (goal <= 0.95) %s, per invocation %.3f\n",
                    n, p, s / ps, (s / ps <= 1.0 ? "within" : "OVER"), c / pc, (c / pc <= 0.95 ? "within" : "OVER"), i / pi
            } else {
                printf "%-18s / %s: size %.3f, cold start %.3f, per invocation %.3f (for reference)\n",
                    n, p, s / ps, c / pc, i / pi
            }
        }'
    done
done
for name in hello hello-lambda-only; do
    awk -v n="$name" -v i="${PER[$name]}" 'BEGIN {
        printf "%-18s %d instructions per invocation (goal <= 110000) %s\n", n, i, (i <= 110000 ? "within" : "OVER")
    }'
done
echo "(callgrind outputs: $OUT; callgrind_annotate FILE shows where they go)"
