#!/usr/bin/env bash
# Instructions per request: anyfn's local server (the `hello` example) against
# bare hyper (`benches/peers` bin `bare-hyper`) answering the same bytes,
# counted by valgrind's callgrind.
#
# wrk's requests/s (benches/http_vs_hyper.sh) is what users feel, but on a
# shared 2-core machine it moves by 10-20% between runs. Instruction counts
# do not: the same binaries and requests give the same count, whatever else
# the machine does. So this is the figure to watch when working on the
# server's per-request cost. It counts user-space instructions only: system
# calls (the same for both servers, one read and one write per request) and
# waiting are not in it, which is why its ratio is lower than wrk's.
#
# Each server runs under callgrind twice, answering N and then 2N sequential
# keep-alive requests from one curl; the difference of the two totals divided
# by N is the cost of one request, without start-up and shutdown. Both run
# their tokio runtime on one worker thread (ONE_WORKER in benches/lib.sh):
# with a worker per core, which worker serves the connection changes the
# count from run to run.
#
# `bare-hyper` answers with fixed bytes, so the difference also holds the
# `hello` handler's own work (reading `name` from the query, formatting the
# greeting), which no server spares a handler. The same run also counts
# `hyper-hello` (benches/peers): hyper answering the same greeting from the
# same query, as a hyper user writes it; anyfn's count over it is what the
# server's guarantees cost.
#
# Usage:   benches/instructions_vs_hyper.sh
# Options (environment):
#   REQUESTS=5000      N
#   CARGO_TARGET_DIR   where to build (default: the workspace's target dir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REQUESTS="${REQUESTS:-5000}"
REQUEST_PATH='/?name=Ada'

die() {
    printf 'instructions_vs_hyper: error: %s\n' "$*" >&2
    exit 1
}

command -v curl >/dev/null || die "curl is needed"
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
require_tool valgrind valgrind || die "valgrind is needed"

build_hello_and_bare_hyper || die "the servers did not build"
OUT="$TARGET_DIR/instructions_vs_hyper"
mkdir -p "$OUT"

PID=""
kill_pid_on_exit

# run_counted NAME REQUESTS ENV...: the total instructions of one server run.
run_counted() {
    local name="$1" count="$2" port i
    shift 2
    local bin="$ANYFN_BIN"
    [[ "$name" == hyper ]] && bin="$HYPER_BIN"
    [[ "$name" == hyper-hello ]] && bin="$HYPER_HELLO_BIN"
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    local file="$OUT/$name.$count.callgrind"
    env "${ONE_WORKER[@]}" "$@" HOST=127.0.0.1 PORT="$port" valgrind --tool=callgrind \
        --callgrind-out-file="$file" "$bin" >/dev/null 2>"$OUT/$name.$count.log" &
    PID=$!
    for ((i = 0; i < 600; i++)); do # at most ~60 s: valgrind starts slowly
        curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port$REQUEST_PATH" 2>/dev/null && break
        kill -0 "$PID" 2>/dev/null || die "$name exited: $(tail -3 "$OUT/$name.$count.log")"
        sleep 0.1
    done
    local answered
    answered="$(curl -fsS "http://127.0.0.1:$port$REQUEST_PATH&n=[1-$count]" | grep -o 'Hello, Ada!' | wc -l)"
    [[ "$answered" == "$count" ]] || die "$name answered $answered of $count requests"
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
    PID=""
    awk '/^(summary|totals):/ {print $2; exit}' "$file"
}

printf '%-12s %14s %14s %12s\n' server "Ir ($REQUESTS)" "Ir ($((2 * REQUESTS)))" Ir/request
declare -A PER
for setup in "anyfn" "hyper" "hyper-hello" "anyfn-quiet RUST_LOG=warn"; do
    read -r name env <<<"$setup"
    if [[ "$name" == anyfn ]]; then env="RUST_LOG=info"; fi
    one="$(run_counted "$name" "$REQUESTS" $env)"
    two="$(run_counted "$name" "$((2 * REQUESTS))" $env)"
    PER[$name]=$(((two - one) / REQUESTS))
    printf '%-12s %14s %14s %12s\n' "$name" "$one" "$two" "${PER[$name]}"
done
echo
for name in anyfn anyfn-quiet; do
    awk -v h="${PER[hyper]}" -v a="${PER[$name]}" -v n="$name" \
        'BEGIN {printf "instructions per request, hyper/%s: %.3f  (%s: %+d over hyper)\n", n, h / a, n, a - h}'
done
# The same comparison against hyper doing hello's own work too (the query
# read, the greeting formatted): what anyfn's guarantees cost a handler.
for name in anyfn anyfn-quiet; do
    awk -v h="${PER[hyper-hello]}" -v a="${PER[$name]}" -v n="$name" \
        'BEGIN {printf "instructions per request, hyper-hello/%s: %.3f  (%s: %+d over hyper-hello)\n", n, h / a, n, a - h}'
done
echo "(callgrind outputs: $OUT; callgrind_annotate FILE shows where they go)"
