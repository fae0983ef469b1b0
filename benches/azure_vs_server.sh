#!/usr/bin/env bash
# Instructions per invocation: the `hello` example answering the same HTTP
# request through the Azure adapter (a custom handler receiving the host's
# envelope, `POST /hello`) and through anyfn-server (`GET /?name=Ada`),
# counted by valgrind's callgrind, all in one run.
#
# The peer of the envelope mode (issue 29, goal 5) is the custom handler a
# Rust user would write without anyfn for the same HTTP trigger
# (benches/peers, bin azure-envelope-handler): hyper on
# FUNCTIONS_CUSTOMHANDLER_PORT, serde-derived structs for the invocation
# request's Data.req and the answer's Outputs.res, Logs and ReturnValue,
# serde_json; it answers what `hello` answers, the same 143 bytes. Goal:
# anyfn-azure's envelope mode at most 1.0x it.
#
# It also measures the Azure adapter with request forwarding on
# (customHandler.enableForwardingHttpRequest, in a copy of the app folder):
# the host then sends the caller's request as it came, so the adapter gets
# the very GET the server gets (with the host's invocation id header).
# Goal: at most 1.2x the local server.
# It also measures the server receiving the envelope's very POST (the
# same bytes the Azure adapter gets, to `/hello?name=Ada`, whose body
# `hello` ignores): "the same HTTP request" read on the wire, so the
# envelope's transport is counted on both sides and the ratio is the
# envelope's decoding and encoding against the server's own work.
# The same run measures bare hyper (benches/peers, bin bare-hyper: a fixed
# answer, the body left to hyper to drain) receiving each of the two
# requests: what the transport alone costs for the GET and for the
# envelope's POST. The rest of each figure is the adapter's own work.
#
# Build profile: cargo's default `release` profile on every side (the
# workspace sets none: opt-level 3, lto = false, 16 codegen units, no debug
# info, not stripped); `hello` in one cargo invocation, the peers in another.
#
# As in benches/instructions_vs_hyper.sh, each process runs under callgrind
# twice, answering N and then 2N sequential keep-alive requests from one
# curl; the difference of the two totals divided by N is one invocation,
# without start-up and shutdown. Logging is quiet (RUST_LOG=warn) on
# anyfn's sides, so the figure is the adapters' own work; the peers log
# nothing. Every process runs its tokio runtime on one worker thread
# (ONE_WORKER in benches/lib.sh), so that runs repeat.
#
# Usage:   benches/azure_vs_server.sh
# Options (environment):
#   REQUESTS=2000      N
#   CARGO_TARGET_DIR   where to build (default: the workspace's target dir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REQUESTS="${REQUESTS:-2000}"
ENVELOPE_BOUND="1.0"
FORWARDING_BOUND="1.2"

die() {
    printf 'azure_vs_server: error: %s\n' "$*" >&2
    exit 1
}

command -v curl >/dev/null || die "curl is needed"
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
require_tool valgrind valgrind || die "valgrind is needed"

build_hello_and_bare_hyper || die "the servers did not build"
cargo build --release --quiet -p anyfn-bench-peers --bin bare-hyper --bin azure-envelope-handler ||
    die "the envelope handler did not build"
BIN="$ANYFN_BIN"
HANDLER_BIN="$TARGET_DIR/release/azure-envelope-handler"
[[ -x "$HANDLER_BIN" ]] || die "not built: $HANDLER_BIN"
OUT="$TARGET_DIR/azure_vs_server"
mkdir -p "$OUT"
APP="$ROOT/examples/azure/hello"

# The same app with request forwarding on (customHandler.enableForwardingHttpRequest):
# the host then sends the caller's GET /?name=Ada as it came, with its
# invocation id, and the answer is the HTTP response itself.
FORWARDING_APP="$OUT/app-forwarding"
rm -rf "$FORWARDING_APP"
cp -r "$APP" "$FORWARDING_APP"
sed -i 's/"enableForwardingHttpRequest": false/"enableForwardingHttpRequest": true/' "$FORWARDING_APP/host.json"
grep -q '"enableForwardingHttpRequest": true' "$FORWARDING_APP/host.json" ||
    die "could not turn forwarding on in $FORWARDING_APP/host.json"

# The host's envelope for GET /?name=Ada to the function `hello`.
ENVELOPE="$OUT/envelope.json"
cat >"$ENVELOPE" <<'JSON'
{"Data":{"req":{"Url":"http://127.0.0.1/?name=Ada","Method":"GET","Query":{"name":"Ada"},"Headers":{"Host":["127.0.0.1"],"User-Agent":["curl"]},"Params":{},"Identities":[],"Body":""}},"Metadata":{"Query":"{\"name\":\"Ada\"}","sys":{"MethodName":"hello","UtcNow":"2026-11-30T00:00:00.0000000Z","RandGuid":"0f8fad5b-d9cb-469f-a165-70867728950e"}}}
JSON

PID=""
kill_pid_on_exit

# run_counted NAME REQUESTS: the total instructions of one process run.
run_counted() {
    local name="$1" count="$2" port i
    port="$(free_port)"
    local file="$OUT/$name.$count.callgrind" log="$OUT/$name.$count.log"
    if [[ "$name" == azure-forwarding ]]; then
        (cd "$FORWARDING_APP" && exec env "${ONE_WORKER[@]}" RUST_LOG=warn FUNCTIONS_CUSTOMHANDLER_PORT="$port" \
            valgrind --tool=callgrind --callgrind-out-file="$file" "$BIN") >"$log" 2>&1 &
    elif [[ "$name" == azure ]]; then
        (cd "$APP" && exec env "${ONE_WORKER[@]}" RUST_LOG=warn FUNCTIONS_CUSTOMHANDLER_PORT="$port" \
            valgrind --tool=callgrind --callgrind-out-file="$file" "$BIN") >"$log" 2>&1 &
    elif [[ "$name" == handler ]]; then
        env "${ONE_WORKER[@]}" FUNCTIONS_CUSTOMHANDLER_PORT="$port" \
            valgrind --tool=callgrind --callgrind-out-file="$file" "$HANDLER_BIN" >"$log" 2>&1 &
    elif [[ "$name" == hyper-* ]]; then
        env "${ONE_WORKER[@]}" PORT="$port" valgrind --tool=callgrind --callgrind-out-file="$file" "$HYPER_BIN" >"$log" 2>&1 &
    else
        env "${ONE_WORKER[@]}" RUST_LOG=warn HOST=127.0.0.1 PORT="$port" \
            valgrind --tool=callgrind --callgrind-out-file="$file" "$BIN" >"$log" 2>&1 &
    fi
    PID=$!
    # Any HTTP answer (the envelope handler answers 404 to GET /).
    wait_answering "$PID" "http://127.0.0.1:$port/" || die "$name did not answer: $(tail -3 "$log")"
    local answered
    if [[ "$name" == server-post ]]; then
        answered="$(curl -fsS -H 'content-type: application/json' \
            --data-binary @"$ENVELOPE" \
            "http://127.0.0.1:$port/hello?name=Ada&n=[1-$count]" | grep -o 'Hello, Ada!' | wc -l)"
    elif [[ "$name" == hyper-post ]]; then
        answered="$(curl -fsS -H 'content-type: application/json' \
            -H 'x-azure-functions-invocationid: 0f8fad5b-d9cb-469f-a165-70867728950e' \
            --data-binary @"$ENVELOPE" \
            "http://127.0.0.1:$port/hello?n=[1-$count]" | grep -o 'Hello, Ada!' | wc -l)"
    elif [[ "$name" == azure || "$name" == handler ]]; then
        # The host names every invocation in this header.
        answered="$(curl -fsS -H 'content-type: application/json' \
            -H 'x-azure-functions-invocationid: 0f8fad5b-d9cb-469f-a165-70867728950e' \
            --data-binary @"$ENVELOPE" \
            "http://127.0.0.1:$port/hello?n=[1-$count]" | grep -o 'Hello, Ada!' | wc -l)"
    elif [[ "$name" == azure-forwarding ]]; then
        answered="$(curl -fsS -H 'x-azure-functions-invocationid: 0f8fad5b-d9cb-469f-a165-70867728950e' \
            "http://127.0.0.1:$port/?name=Ada&n=[1-$count]" | grep -o 'Hello, Ada!' | wc -l)"
    else
        answered="$(curl -fsS "http://127.0.0.1:$port/?name=Ada&n=[1-$count]" | grep -o 'Hello, Ada!' | wc -l)"
    fi
    [[ "$answered" == "$count" ]] || die "$name answered $answered of $count requests"
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
    PID=""
    awk '/^(summary|totals):/ {print $2; exit}' "$file"
}

printf '%-17s %14s %14s %12s\n' adapter "Ir ($REQUESTS)" "Ir ($((2 * REQUESTS)))" Ir/request
declare -A PER
for name in server azure handler azure-forwarding server-post hyper-get hyper-post; do
    one="$(run_counted "$name" "$REQUESTS")"
    two="$(run_counted "$name" "$((2 * REQUESTS))")"
    PER[$name]=$(((two - one) / REQUESTS))
    printf '%-17s %14s %14s %12s\n' "$name" "$one" "$two" "${PER[$name]}"
done
echo
awk -v h="${PER[handler]}" -v a="${PER[azure]}" -v b="$ENVELOPE_BOUND" \
    'BEGIN {r = a / h; printf "instructions per invocation, azure envelope/straightforward envelope handler: %.3f (goal <= %s): %s  (anyfn %+d)\n", r, b, (r <= b ? "within" : "OVER"), a - h}'
awk -v s="${PER[server]}" -v f="${PER[azure-forwarding]}" -v b="$FORWARDING_BOUND" \
    'BEGIN {r = f / s; printf "instructions per invocation, azure with request forwarding/local server (the same GET): %.3f (goal <= %s): %s\n", r, b, (r <= b ? "within" : "OVER")}'
awk -v s="${PER[server]}" -v a="${PER[azure]}" \
    'BEGIN {printf "azure envelope/local server (GET): %.3f\n", a / s}'
awk -v s="${PER[server-post]}" -v a="${PER[azure]}" \
    'BEGIN {printf "azure envelope/local server receiving the envelope'"'"'s very POST: %.3f\n", a / s}'
awk -v s="${PER[server]}" -v a="${PER[azure]}" -v h="${PER[handler]}" -v f="${PER[azure-forwarding]}" -v g="${PER[hyper-get]}" -v p="${PER[hyper-post]}" \
    'BEGIN {printf "own work beyond bare hyper on the same request: server %d, azure envelope %d, envelope handler %d, azure forwarding %d\n", s - g, a - p, h - p, f - g}'
echo "(callgrind outputs: $OUT; callgrind_annotate FILE shows where they go)"
