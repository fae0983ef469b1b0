#!/usr/bin/env bash
# Wall-clock throughput of a Lambda Managed Instances function serving
# several invocations at once (AWS_LAMBDA_MAX_CONCURRENCY=8), anyfn-lambda
# next to lambda_runtime's own concurrent runtime, under the Lambda Runtime
# API emulator (anyfn_test::LambdaEmulator on loopback):
#
#   anyfn           anyfn_lambda::run(handler_fn(...)) (benches/peers, bin
#                   lambda-concurrent-anyfn), which runs lambda_runtime's
#                   run_concurrent under anyfn's own layer
#   lambda_runtime  lambda_runtime::run_concurrent(service_fn(...)) (feature
#                   concurrency-tokio) awaited in #[tokio::main], as its users
#                   write such a function (benches/peers, bin
#                   lambda-concurrent-raw)
#
# Both handlers await 20 ms (tokio::time::sleep: a function waiting on I/O)
# and answer {"ok":true}; every answer is checked. Both functions run in one
# run of benches/peers/src/bin/lambda-concurrency-driver.rs, each on its own
# emulator with the same settings (max concurrency 8, 3 s timeout), both
# processes up the whole time, on tokio's default worker threads (one per
# core). After WARMUP untimed invocations each, ROUNDS rounds, the sides
# interleaved (the first one swapped every round): each round sends each
# function N invocations with 8 in flight (8 senders, each sending the next
# as soon as its last is answered) and times the whole batch. At most
# 8 / 20 ms = 400 invocations/s: what either side loses below that is its
# overhead per invocation, on its critical path. The driver fails a
# function that never had 8 invocations in flight at once, or that the
# emulator restarted after a timeout. Logging is quiet (RUST_LOG=warn: anyfn
# installs its default subscriber; the peer installs none).
#
# Prints each round's invocations/s, each side's median, and the ratio of
# the medians anyfn/lambda_runtime. Goal: at least 0.95. Run it on an idle
# machine: the emulator, the driver and the function share its cores.
#
# Usage:   benches/lambda_concurrency.sh
# Options (environment):
#   N=800              invocations per function per round
#   ROUNDS=5           rounds
#   WARMUP=200         untimed invocations per function before the rounds
#   CARGO_TARGET_DIR   where to build (default: the workspace's target dir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${N:-800}"
ROUNDS="${ROUNDS:-5}"
WARMUP="${WARMUP:-200}"
CONCURRENCY=8
GOAL="0.95"

die() {
    printf 'lambda_concurrency: error: %s\n' "$*" >&2
    exit 1
}

for name in N ROUNDS WARMUP; do
    [[ "${!name}" =~ ^[1-9][0-9]*$ ]] || die "$name must be a positive whole number, not '${!name}'"
done
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"

printf 'building (release)…\n'
cargo build --release --quiet -p anyfn-bench-peers \
    --bin lambda-concurrent-anyfn --bin lambda-concurrent-raw --bin lambda-concurrency-driver ||
    die "the functions did not build"
BIN="$(cargo_target_dir)/release"
for bin in lambda-concurrent-anyfn lambda-concurrent-raw lambda-concurrency-driver; do
    [[ -x "$BIN/$bin" ]] || die "not built: $BIN/$bin"
done
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT

wait_quiet 30
printf '%s rounds of %s invocations per function, %s in flight (AWS_LAMBDA_MAX_CONCURRENCY=%s), %s warm-up\n' \
    "$ROUNDS" "$N" "$CONCURRENCY" "$CONCURRENCY" "$WARMUP"
OUT="$(RUST_LOG=warn "$BIN/lambda-concurrency-driver" --rounds "$ROUNDS" --invocations "$N" \
    --concurrency "$CONCURRENCY" --warmup "$WARMUP" \
    anyfn="$BIN/lambda-concurrent-anyfn" lambda_runtime="$BIN/lambda-concurrent-raw" 2>"$LOG")" ||
    die "the driver failed: $(grep -m1 'lambda-concurrency-driver:' "$LOG" || tail -3 "$LOG")"

# rates NAME: that function's invocations/s, one per round.
rates() { sed -n "s/^round=[0-9]* function=$1 .* per_s=\([0-9.]*\)$/\1/p" <<<"$OUT"; }

printf '%-16s %s\n' function "invocations/s per round"
declare -A MEDIAN
for name in anyfn lambda_runtime; do
    per_round="$(rates "$name" | tr '\n' ' ')"
    [[ "$(wc -w <<<"$per_round")" -eq "$ROUNDS" ]] || die "$name: not $ROUNDS rounds in the driver's output: $OUT"
    MEDIAN[$name]="$(median %.1f <<<"$per_round")"
    printf '%-16s %s (median %s)\n' "$name" "$per_round" "${MEDIAN[$name]}"
done
grep '^function=' <<<"$OUT"
echo
awk -v a="${MEDIAN[anyfn]}" -v r="${MEDIAN[lambda_runtime]}" -v g="$GOAL" -v c="$CONCURRENCY" 'BEGIN {
    printf "ceiling: %d in flight / 20 ms = %d invocations/s\n", c, c / 0.020
    x = a / r
    printf "ratio anyfn/lambda_runtime of the median throughputs: %.3f (goal >= %s): %s\n", x, g, (x >= g ? "within" : "UNDER")
}'
