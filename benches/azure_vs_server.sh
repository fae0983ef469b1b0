#!/usr/bin/env bash
# Instructions per invocation: the `hello` example answering the same HTTP
# request through the Azure adapter (a custom handler receiving the host's
# envelope, `POST /hello`) and through anyfn-server (`GET /?name=Ada`),
# counted by valgrind's callgrind, both in one run. The issue's bound: the
# Azure adapter at most 1.2x the server.
#
# It also measures the Azure adapter with request forwarding on
# (customHandler.enableForwardingHttpRequest, in a copy of the app folder):
# the host then sends the caller's request as it came, so the adapter gets
# the very GET the server gets (with the host's invocation id header).
# It also measures the server receiving the envelope's very POST (the
# same bytes the Azure adapter gets, to `/hello?name=Ada`, whose body
# `hello` ignores): "the same HTTP request" read on the wire, so the
# envelope's transport is counted on both sides and the ratio is the
# envelope's decoding and encoding against the server's own work.
# The same run measures bare hyper (benches/peers, bin bare-hyper: a fixed
# answer, the body left to hyper to drain) receiving each of the two
# requests: what the transport alone costs for the GET and for the
# envelope's POST. The rest of each figure is the adapter's own work, and
# the last line compares those.
#
# As in benches/instructions_vs_hyper.sh, each process runs under callgrind
# twice, answering N and then 2N sequential keep-alive requests from one
# curl; the difference of the two totals divided by N is one invocation,
# without start-up and shutdown. Logging is quiet (RUST_LOG=warn) on both,
# so the figure is the adapters' own work. Every process runs its tokio
# runtime on one worker thread (ONE_WORKER in benches/lib.sh), so that runs
# repeat.
#
# Usage:   benches/azure_vs_server.sh
# Options (environment):
#   REQUESTS=2000      N
#   CARGO_TARGET_DIR   where to build (default: the workspace's target dir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REQUESTS="${REQUESTS:-2000}"
BOUND="1.2"

die() {
    printf 'azure_vs_server: error: %s\n' "$*" >&2
    exit 1
}

command -v curl >/dev/null || die "curl is needed"
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
require_tool valgrind valgrind || die "valgrind is needed"

build_hello_and_bare_hyper || die "the servers did not build"
BIN="$ANYFN_BIN"
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
    elif [[ "$name" == hyper-* ]]; then
        env "${ONE_WORKER[@]}" PORT="$port" valgrind --tool=callgrind --callgrind-out-file="$file" "$HYPER_BIN" >"$log" 2>&1 &
    else
        env "${ONE_WORKER[@]}" RUST_LOG=warn HOST=127.0.0.1 PORT="$port" \
            valgrind --tool=callgrind --callgrind-out-file="$file" "$BIN" >"$log" 2>&1 &
    fi
    PID=$!
    for ((i = 0; i < 600; i++)); do # at most ~60 s: valgrind starts slowly
        curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null && break
        kill -0 "$PID" 2>/dev/null || die "$name exited: $(tail -3 "$log")"
        sleep 0.1
    done
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
    elif [[ "$name" == azure ]]; then
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
for name in server azure azure-forwarding server-post hyper-get hyper-post; do
    one="$(run_counted "$name" "$REQUESTS")"
    two="$(run_counted "$name" "$((2 * REQUESTS))")"
    PER[$name]=$(((two - one) / REQUESTS))
    printf '%-17s %14s %14s %12s\n' "$name" "$one" "$two" "${PER[$name]}"
done
echo
awk -v s="${PER[server]}" -v a="${PER[azure]}" -v b="$BOUND" \
    'BEGIN {r = a / s; printf "instructions per invocation, azure/server: %.3f (bound %s): %s\n", r, b, (r <= b ? "within" : "OVER")}'
awk -v s="${PER[server]}" -v a="${PER[azure]}" -v g="${PER[hyper-get]}" -v p="${PER[hyper-post]}" \
    'BEGIN {printf "own work beyond bare hyper on the same request: server %d, azure %d (%.2fx)\n", s - g, a - p, (a - p) / (s - g)}'
awk -v g="${PER[hyper-get]}" -v p="${PER[hyper-post]}" -v s="${PER[server]}" -v b="$BOUND" \
    'BEGIN {printf "the envelope'"'"'s POST alone costs bare hyper %d more than the GET: %.0f%% of the %d the bound allows over the server\n", p - g, 100 * (p - g) / (s * (b - 1)), s * (b - 1)}'
awk -v s="${PER[server]}" -v f="${PER[azure-forwarding]}" -v g="${PER[hyper-get]}" \
    'BEGIN {printf "with request forwarding (the same GET as the server gets): azure/server %.3f; own work beyond bare hyper %d (%.2fx the server'"'"'s)\n", f / s, f - g, (f - g) / (s - g)}'
awk -v s="${PER[server-post]}" -v a="${PER[azure]}" -v b="$BOUND" \
    'BEGIN {r = a / s; printf "on the very same POST (the server receiving the envelope'"'"'s bytes): azure/server %.3f (bound %s): %s\n", r, b, (r <= b ? "within" : "OVER")}'
echo "(callgrind outputs: $OUT; callgrind_annotate FILE shows where they go)"
