#!/usr/bin/env bash
# The examples answer the same under `cargo lambda watch` as on anyfn's local
# server. Each example is one binary: without AWS_LAMBDA_RUNTIME_API it serves
# HTTP itself (the local server), with it it runs the Lambda adapter, here
# against the Runtime API that `cargo lambda watch` emulates. Every check
# sends the same request to both and compares the status and the parts of the
# body the contract covers:
#
#   hello     GET /?name=Ada                      200 `Hello, Ada!`
#   echo      POST /orders/7?x=1&x=2 (body `hello body`, cookie `a=1; b=2`,
#             content-type text/plain), through cargo-lambda's Function URL:
#             method, path, query, cookies, body and isBase64Encoded of the
#             echoed JSON (not the headers: cargo-lambda adds and drops some;
#             not requestId, functionName, remainingTimeMs, platform, traceId)
#   echo      an API Gateway HTTP API (v2) event sent to cargo-lambda's invoke
#             API (POST /2015-03-31/functions/_/invocations), against the
#             equivalent request to the local server: the payload's
#             statusCode and the same fields of the JSON in its `body`
#   failures  GET /sleep?ms=10                    200 `woke up` (it used to time
#                                                 out at once under cargo lambda)
#             GET /fail                           400 OrderNotFound
#             GET /links/abc                      404 UnknownLink
#             GET /panic                          500 Panic
#             GET /sleep?ms=5000                  504 Timeout, within MAX_TIMEOUT_S
#             (error bodies: errorType and errorMessage, not requestId)
#
# It prints one line per check,
#   check  local=<status> <summary>  cargo-lambda=<status> <summary>  same|DIFFERENT
# and exits 1 when any answer differs (or is not the expected one, or the
# timeout took too long). The times of the /sleep checks are shown in
# brackets but not compared.
#
# `cargo lambda watch --example X` cannot serve these examples (watch only
# knows [[bin]] targets, and the workspace has several in benches/peers), so
# cargo-lambda runs with --only-lambda-apis and the script starts the example
# binary itself against cargo-lambda's Runtime API (one cargo-lambda per
# example). cargo-lambda is installed with `pip install cargo-lambda` when
# `cargo lambda --version` fails.
#
# Usage:   benches/cargo_lambda_watch.sh
# Options (environment):
#   WATCH_PORT=<random free>  the port of `cargo lambda watch`
#   MAX_TIMEOUT_S=5           the most seconds GET /sleep?ms=5000 may take to
#                             answer 504 (the deadline is 3 s)
#   KEEP_LOGS=1               print where the logs are even when all is same
#   CARGO_TARGET_DIR          where to build (default: the workspace's target dir)
# The examples are built in debug. ANYFN_ERROR_DETAILS and RUST_LOG are unset
# for both runs (the expected 5xx messages are the generic ones). Logs of the
# servers and of cargo-lambda go to $TARGET_DIR/cargo_lambda_watch/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MAX_TIMEOUT_S="${MAX_TIMEOUT_S:-5}"
KEEP_LOGS="${KEEP_LOGS:-0}"
STARTED="$(date +%s.%N)"

say() { printf '%s\n' "$*"; }
die() {
    printf 'cargo_lambda_watch: error: %s\n' "$*" >&2
    exit 1
}

# --- tools -------------------------------------------------------------------

command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed"
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"

if ! cargo lambda --version >/dev/null 2>&1; then
    say "cargo lambda does not run; installing it (pip install cargo-lambda)…"
    if command -v pip >/dev/null; then
        pip install cargo-lambda || die "pip install cargo-lambda failed"
    else
        python3 -m pip install cargo-lambda || die "pip install cargo-lambda failed"
    fi
    # pyenv needs new shims; a --user install lands in the user base's bin.
    if command -v pyenv >/dev/null; then pyenv rehash || true; fi
    PATH="$PATH:$(python3 -m site --user-base)/bin"
    hash -r
    cargo lambda --version >/dev/null 2>&1 ||
        die "cargo lambda still does not run after pip install cargo-lambda (is cargo-lambda on the PATH?)"
fi
CARGO_LAMBDA_VERSION="$(cargo lambda --version)"

# --- build -------------------------------------------------------------------

EXAMPLES=(hello echo failures)
say "building the examples (debug): ${EXAMPLES[*]}…"
cargo build --quiet -p anyfn --example hello --example echo --example failures ||
    die "the examples did not build"
TARGET_DIR="$(cargo_target_dir)"
for example in "${EXAMPLES[@]}"; do
    [[ -x "$TARGET_DIR/debug/examples/$example" ]] ||
        die "not built: $TARGET_DIR/debug/examples/$example"
done
OUT="$TARGET_DIR/cargo_lambda_watch"
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/*.body

# --- processes ---------------------------------------------------------------

FUNCTION_PID="" # the example, on the local server or under cargo-lambda
WATCH_PID=""    # cargo lambda watch

# stop PID SIGNAL: sends SIGNAL, waits up to 5 s, then SIGKILL.
stop() {
    local pid="$1" signal="$2" i
    kill "-$signal" "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
stop_function() {
    [[ -n "$FUNCTION_PID" ]] || return 0
    local pid="$FUNCTION_PID"
    FUNCTION_PID=""
    stop "$pid" TERM
}
stop_watch() {
    [[ -n "$WATCH_PID" ]] || return 0
    local pid="$WATCH_PID"
    WATCH_PID=""
    stop "$pid" INT
}
stop_all() {
    stop_function
    stop_watch
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

BASE="" # where the current run answers: http://ADDR or http://ADDR/lambda-url/_

# start_local EXAMPLE: the example on the local server (PORT=0); sets BASE.
start_local() {
    local example="$1" log="$OUT/$1.local.log" addr="" i
    env -u AWS_LAMBDA_RUNTIME_API -u ANYFN_ERROR_DETAILS -u RUST_LOG HOST=127.0.0.1 PORT=0 \
        "$TARGET_DIR/debug/examples/$example" >"$log" 2>&1 &
    FUNCTION_PID=$!
    for ((i = 0; i < 200; i++)); do # at most ~10 s
        addr="$(grep -o 'INIT listening on http://[^[:space:]]*' "$log" | head -n1 | sed 's|.*http://||')" || true
        [[ -n "$addr" ]] && break
        if ! kill -0 "$FUNCTION_PID" 2>/dev/null; then
            cat "$log" >&2 || true
            FUNCTION_PID=""
            die "$example (local server) exited before listening"
        fi
        sleep 0.05
    done
    [[ -n "$addr" ]] || {
        cat "$log" >&2 || true
        die "$example (local server) logged no 'INIT listening on' line within 10 s"
    }
    BASE="http://$addr"
}

# start_watch EXAMPLE: cargo lambda watch on WATCH_PORT, and the example
# polling its Runtime API; sets BASE (the Function URL route).
WATCH=""
start_watch() {
    local example="$1" port="${WATCH_PORT:-$(free_port)}" code="" i
    local log="$OUT/$example.cargo-lambda.log"
    WATCH="http://127.0.0.1:$port"
    cargo lambda watch --only-lambda-apis --ignore-changes -A 127.0.0.1 -P "$port" >"$log" 2>&1 &
    WATCH_PID=$!
    # Never probe it with GET / or an unknown path: those are Function URL
    # invocations that wait for a function. This Runtime API call answers
    # at once.
    for ((i = 0; i < 120; i++)); do # at most ~30 s (the first start may be slow)
        code="$(curl -s -o /dev/null -w '%{http_code}' -m 2 -XPOST \
            "$WATCH/.rt/2018-06-01/runtime/invocation/readiness-probe/response" -d '{}')" || true
        [[ "$code" == 200 ]] && break
        if ! kill -0 "$WATCH_PID" 2>/dev/null; then
            cat "$log" >&2 || true
            WATCH_PID=""
            die "cargo lambda watch exited before it was ready (port $port)"
        fi
        sleep 0.25
    done
    [[ "$code" == 200 ]] || {
        cat "$log" >&2 || true
        die "cargo lambda watch was not ready on port $port within 30 s"
    }
    env -u ANYFN_ERROR_DETAILS -u RUST_LOG \
        AWS_LAMBDA_RUNTIME_API="http://127.0.0.1:$port/.rt" AWS_LAMBDA_FUNCTION_NAME=_ \
        AWS_LAMBDA_FUNCTION_VERSION=1 AWS_LAMBDA_FUNCTION_MEMORY_SIZE=4096 \
        "$TARGET_DIR/debug/examples/$example" >"$OUT/$example.lambda.log" 2>&1 &
    FUNCTION_PID=$!
    BASE="$WATCH/lambda-url/_"
}

# --- answers -----------------------------------------------------------------

# summarize MODE FILE: one line saying what the body in FILE answers.
#   text    the body itself
#   error   errorType: errorMessage
#   echo    the compared fields of echo's JSON
#   invoke  "<statusCode> <echo fields of the JSON in the payload's body>"
summarize() {
    python3 - "$1" "$2" <<'PY'
import json, sys

mode, path = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read()
text = raw.decode("utf-8", "replace")
ECHO_FIELDS = ("method", "path", "query", "cookies", "body", "isBase64Encoded")


def short(s, n=100):
    s = s.replace("\n", "\\n")
    return s if len(s) <= n else s[:n] + "…"


def echo_fields(body):
    try:
        obj = json.loads(body)
    except ValueError:
        return "not JSON: " + short(body)
    if not isinstance(obj, dict):
        return "not an object: " + short(body)
    return json.dumps({k: obj.get(k) for k in ECHO_FIELDS}, separators=(",", ":"))


if mode == "text":
    print(short(text))
elif mode == "error":
    try:
        obj = json.loads(text)
        print(f"{obj.get('errorType')}: {obj.get('errorMessage')}")
    except (ValueError, AttributeError):
        print("not JSON: " + short(text))
elif mode == "echo":
    print(echo_fields(text))
elif mode == "invoke":
    try:
        payload = json.loads(text)
        print(payload.get("statusCode"), echo_fields(payload.get("body") or ""))
    except (ValueError, AttributeError):
        print("000 not a JSON payload: " + short(text))
else:
    sys.exit(f"unknown mode {mode}")
PY
}

# answer NAME MODE curl-args…: requests with curl (the body goes to
# $OUT/$SIDE.NAME.body); sets ANSWER to
# "<status> <summary>" (compared) and ANSWER_TIME to the seconds it took.
ANSWER=""
ANSWER_TIME=""
SIDE=""
answer() {
    local name="$1" mode="$2" body="$OUT/$SIDE.$1.body" result status
    shift 2
    result="$(curl -s -m 15 -o "$body" -w '%{http_code} %{time_total}' "$@")" || true
    [[ -f "$body" ]] || : >"$body"
    status="${result%% *}"
    ANSWER_TIME="${result#* }"
    if [[ "$mode" == invoke ]]; then
        if [[ "$status" == 200 ]]; then
            ANSWER="$(summarize invoke "$body")"
        else
            ANSWER="invoke-HTTP-$status $(summarize text "$body")"
        fi
    else
        ANSWER="$status $(summarize "$mode" "$body")"
    fi
}

# The checks: name, how to read the body, the expected "<status> <summary>",
# and the request (curl arguments after the base URL's path).
ECHO_EXPECTED='200 {"method":"POST","path":"/orders/7","query":{"x":["1","2"]},"cookies":["a=1","b=2"],"body":"hello body","isBase64Encoded":false}'
INVOKE_EXPECTED='200 {"method":"POST","path":"/orders/7","query":{"x":["1","2"]},"cookies":["a=1"],"body":"hello","isBase64Encoded":false}'
# shellcheck disable=SC2016 # $default is the stage's name, not a variable
V2_EVENT='{"version":"2.0","rawPath":"/orders/7","rawQueryString":"x=1&x=2","headers":{"host":"example.com","cookie":"a=1"},"requestContext":{"http":{"method":"POST","path":"/orders/7"},"stage":"$default"},"body":"hello","isBase64Encoded":false}'

declare -A LOCAL LOCAL_TIME WATCHED WATCHED_TIME
CHECKS=()
declare -A EXPECTED

# run_checks EXAMPLE SIDE: the example's checks against BASE; SIDE is local
# or watch.
run_checks() {
    local example="$1" side="$2" check
    SIDE="$side"
    case "$example" in
    hello)
        check="hello GET /?name=Ada"
        answer hello text "$BASE/?name=Ada"
        record "$side" "$check" '200 Hello, Ada!'
        ;;
    echo)
        check="echo url POST /orders/7?x=1&x=2"
        answer echo echo -XPOST "$BASE/orders/7?x=1&x=2" -H 'cookie: a=1; b=2' \
            -H 'content-type: text/plain' --data-binary 'hello body'
        record "$side" "$check" "$ECHO_EXPECTED"
        check="echo invoke v2 POST /orders/7?x=1&x=2"
        if [[ "$side" == local ]]; then
            # The request the v2 event describes.
            answer echo-invoke echo -XPOST "$BASE/orders/7?x=1&x=2" -H 'host: example.com' \
                -H 'cookie: a=1' -H 'content-type:' --data-binary 'hello'
        else
            answer echo-invoke invoke -XPOST "$WATCH/2015-03-31/functions/_/invocations" \
                -H 'content-type: application/json' --data-binary "$V2_EVENT"
        fi
        record "$side" "$check" "$INVOKE_EXPECTED"
        ;;
    failures)
        check="failures GET /sleep?ms=10"
        answer sleep10 text "$BASE/sleep?ms=10"
        record "$side" "$check" '200 woke up'
        check="failures GET /fail"
        answer fail error "$BASE/fail"
        record "$side" "$check" '400 OrderNotFound: order 17 does not exist'
        check="failures GET /links/abc"
        answer links error "$BASE/links/abc"
        record "$side" "$check" '404 UnknownLink: no short link `abc`'
        check="failures GET /panic"
        answer panic error "$BASE/panic"
        record "$side" "$check" '500 Panic: Internal Server Error'
        check="failures GET /sleep?ms=5000"
        answer sleep5000 error "$BASE/sleep?ms=5000"
        record "$side" "$check" '504 Timeout: Gateway Timeout'
        ;;
    esac
}

# record SIDE CHECK EXPECTED: keeps ANSWER and ANSWER_TIME.
record() {
    local side="$1" check="$2" expected="$3"
    if [[ "$side" == local ]]; then
        CHECKS+=("$check")
        EXPECTED[$check]="$expected"
        LOCAL[$check]="$ANSWER"
        LOCAL_TIME[$check]="$ANSWER_TIME"
    else
        WATCHED[$check]="$ANSWER"
        WATCHED_TIME[$check]="$ANSWER_TIME"
    fi
}

for example in "${EXAMPLES[@]}"; do
    say "  $example: local server…"
    start_local "$example"
    run_checks "$example" local
    stop_function
    say "  $example: cargo lambda watch…"
    start_watch "$example"
    run_checks "$example" watch
    stop_function
    stop_watch
done

# --- report ------------------------------------------------------------------

# shown CHECK ANSWER TIME: the answer, with the time for the /sleep checks.
shown() {
    if [[ "$1" == *"/sleep"* ]]; then
        printf '%s (%.2f s)' "$2" "$3"
    else
        printf '%s' "$2"
    fi
}

say ""
FAILED=0
for check in "${CHECKS[@]}"; do
    local_answer="${LOCAL[$check]}"
    watched_answer="${WATCHED[$check]-<no answer>}"
    verdict="same"
    if [[ "$local_answer" != "$watched_answer" ]]; then
        verdict="DIFFERENT"
    elif [[ "$local_answer" != "${EXPECTED[$check]}" ]]; then
        verdict="same, but expected ${EXPECTED[$check]}"
    fi
    if [[ "$check" == *"ms=5000"* ]]; then
        for t in "${LOCAL_TIME[$check]}" "${WATCHED_TIME[$check]-0}"; do
            if awk -v t="$t" -v max="$MAX_TIMEOUT_S" 'BEGIN { exit !(t > max) }'; then
                verdict="$verdict, but slower than ${MAX_TIMEOUT_S} s"
                break
            fi
        done
    fi
    [[ "$verdict" == same ]] || FAILED=1
    printf '%-38s  local=%s  cargo-lambda=%s  %s\n' "$check" \
        "$(shown "$check" "$local_answer" "${LOCAL_TIME[$check]}")" \
        "$(shown "$check" "$watched_answer" "${WATCHED_TIME[$check]-0}")" "$verdict"
done

say ""
say "cargo-lambda: $CARGO_LAMBDA_VERSION"
printf 'total: %.1f s\n' "$(awk -v a="$STARTED" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
if [[ "$FAILED" != 0 ]]; then
    say "some answers differ; logs and bodies: $OUT/"
    exit 1
fi
[[ "$KEEP_LOGS" != 1 ]] || say "logs and bodies: $OUT/"
say "all answers are the same"
