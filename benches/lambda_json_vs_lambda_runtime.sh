#!/usr/bin/env bash
# Instructions per invocation of a plain JSON function under the Lambda
# Runtime API emulator (anyfn_test::LambdaEmulator on loopback), counted by
# valgrind's callgrind, both sides in one run (issue 29, goal 1):
#
#   lambda_runtime  the peer as lambda_runtime's README writes a function: a
#                   service_fn over serde_json::Value run by
#                   lambda_runtime::run in #[tokio::main] (benches/peers, bin
#                   lambda-runtime-greet), answering {"name":"Ada"} with
#                   {"greeting":"Hello, Ada!"}
#   anyfn           the `greet-json` example (anyfn_auto::run of a
#                   Json<Person> -> Json<Greeting> handler), the same answer,
#                   with what anyfn adds: the deadline kept on a task of its
#                   own, panics caught, the invocation's span and Context
#
# Both are built with cargo's release profile in one cargo invocation (the
# workspace sets no profile of its own). Each function runs under callgrind
# twice, started by benches/peers/src/bin/lambda-count-driver.rs, which
# sends N and then 2N sequential invocations, checks every answer and stops
# the function with SIGTERM; the difference of the two totals divided by N
# is one invocation, without start-up and shutdown. Logging is quiet on
# anyfn (RUST_LOG=warn; the peer installs no subscriber). Each function runs
# its tokio runtime on one worker thread (ONE_WORKER in benches/lib.sh).
# Goal: anyfn at most 0.95x lambda_runtime.
#
# Usage:   benches/lambda_json_vs_lambda_runtime.sh
# Options (environment):
#   N=2000             invocations of the first run (the second sends 2N)
#   CARGO_TARGET_DIR   where to build (default: the workspace's target dir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${N:-2000}"
GOAL="0.95"
PAYLOAD='{"name":"Ada"}'
ANSWER='{"greeting":"Hello, Ada!"}'

die() {
    printf 'lambda_json_vs_lambda_runtime: error: %s\n' "$*" >&2
    exit 1
}

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive whole number, not '$N'"
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
require_tool valgrind valgrind || die "valgrind is needed"

printf 'building (release)…\n'
cargo build --release --quiet -p anyfn --example greet-json \
    -p anyfn-bench-peers --bin lambda-runtime-greet --bin lambda-count-driver ||
    die "the functions did not build"
TARGET_DIR="$(cargo_target_dir)"
BIN="$TARGET_DIR/release"
DRIVER="$BIN/lambda-count-driver"
OUT="$TARGET_DIR/lambda_json_vs_lambda_runtime"
mkdir -p "$OUT"

# run_counted NAME INVOCATIONS: the total instructions of one function run.
run_counted() {
    local name="$1" count="$2" bin
    case "$name" in
        lambda_runtime) bin="$BIN/lambda-runtime-greet" ;;
        anyfn) bin="$BIN/examples/greet-json" ;;
        *) die "unknown function $name" ;;
    esac
    [[ -x "$bin" ]] || die "not built: $bin"
    local file="$OUT/$name.$count.callgrind" log="$OUT/$name.$count.log"
    rm -f "$file"
    RUST_LOG=warn "$DRIVER" "$count" --payload "$PAYLOAD" --expect-json "$ANSWER" \
        -- env "${ONE_WORKER[@]}" valgrind --tool=callgrind --callgrind-out-file="$file" "$bin" >"$log.driver" 2>"$log" ||
        die "$name: $(grep -m1 'lambda-count-driver:' "$log" || tail -3 "$log")"
    grep -q "^count function=.* invocations=$count " "$log.driver" ||
        die "$name: the driver did not report $count invocations (see $log)"
    callgrind_total "$file" || die "$name: no total in $file (see $log)"
}

printf '%-15s %14s %14s %14s\n' function "Ir ($N)" "Ir ($((2 * N)))" Ir/invocation
declare -A PER
for name in lambda_runtime anyfn; do
    one="$(run_counted "$name" "$N")"
    two="$(run_counted "$name" "$((2 * N))")"
    PER[$name]=$(((two - one) / N))
    printf '%-15s %14s %14s %14s\n' "$name" "$one" "$two" "${PER[$name]}"
done
echo
awk -v p="${PER[lambda_runtime]}" -v a="${PER[anyfn]}" -v g="$GOAL" 'BEGIN {
    x = a / p
    printf "anyfn/lambda_runtime per invocation: %.3f (goal <= %s): %s\n", x, g, (x <= g ? "within" : "OVER")
}'
echo "(callgrind outputs: $OUT; callgrind_annotate FILE shows where they go)"
