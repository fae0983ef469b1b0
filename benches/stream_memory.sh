#!/usr/bin/env bash
# Memory of an anyfn function while it streams a large response: does the
# function's process hold the stream in memory, or only the chunks in
# flight? The function is the `benches/peers` bin `stream-anyfn` (run by
# anyfn_auto::run, as a user writes one), streaming GIB GiB of zero bytes in
# CHUNK_KIB KiB chunks through anyfn::stream::channel (VIA=iter: BodyStream::new
# over an iterator), every chunk a buffer of its own (`?fresh=1`), so that
# chunks held anywhere between the producer and the socket would show in the
# process's resident memory:
#
#   (a) server:   stream-anyfn as the local server; curl reads the stream to
#                 /dev/null. A second, slow-client pass (SLOW_MIB MiB read at
#                 SLOW_RATE, curl --limit-rate) shows that a client slower
#                 than the producer holds the producer back rather than
#                 filling memory.
#   (b) emulator: stream-anyfn on Lambda, under anyfn-test's emulator (the
#                 Runtime API on loopback) with ANYFN_RESPONSE_STREAMING=on,
#                 invoked with a Function URL event: lambda_runtime streams
#                 the response to the emulator, which reads every chunk
#                 (`lambda-driver stream`, which also samples the function's
#                 memory the same way as below and prints it).
#
# Memory is the function process's own VmRSS (/proc/PID/status): after
# WARMUP warm-up streams of WARMUP_MIB MiB, the baseline is read, the peak
# (VmHWM) is reset through /proc/PID/clear_refs, and during the stream VmRSS
# is sampled every SAMPLE_MS ms; the peak is the larger of the highest sample
# and VmHWM after the stream, the growth is peak minus baseline. Goal: a
# growth under GOAL_MIB MiB on both paths. In (b) the emulator and the
# reading run in the driver's process, not the function's: its own peak is
# printed beside (`driver`), and is not the function's memory.
#
# Lambda itself caps a streamed response at 200 MB (a Function URL with
# InvokeMode RESPONSE_STREAM; the first 6 MB unthrottled, the rest at up to
# 2 MB/s: src/docs/failures.md): the 1 GiB here is past what Lambda would
# deliver, at a speed it would not, and only measures how the function's
# memory behaves over a long stream. On the local
# server the invocation's deadline (3 s with anyfn_auto::run's defaults)
# covers the whole stream, so GIB must stream within it (a cut stream fails
# the run: curl reports the missing end); under the emulator the driver
# gives the function a timeout of TIMEOUT_S seconds.
#
# Usage:   benches/stream_memory.sh
# Options (environment):
#   GIB=1             GiB streamed on each path
#   CHUNK_KIB=64      chunk size
#   CAPACITY=8        channel capacity in chunks
#   VIA=channel       channel | iter
#   WARMUP=2          warm-up streams before the baseline
#   WARMUP_MIB=64     MiB per warm-up stream
#   SAMPLE_MS=10      sampling interval
#   SLOW_MIB=128      MiB of the slow-client pass (0: none)
#   SLOW_RATE=64M     its curl --limit-rate (must fit the 3 s deadline)
#   TIMEOUT_S=120     the function's timeout under the emulator
#   GOAL_MIB=10       the growth to stay under
#   FAIL_BELOW_GOAL=1 exit 1 when a growth is over the goal (default: report only)
#   CARGO_TARGET_DIR  where to build (default: the workspace's target dir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

GIB="${GIB:-1}"
CHUNK_KIB="${CHUNK_KIB:-64}"
CAPACITY="${CAPACITY:-8}"
VIA="${VIA:-channel}"
WARMUP="${WARMUP:-2}"
WARMUP_MIB="${WARMUP_MIB:-64}"
SAMPLE_MS="${SAMPLE_MS:-10}"
SLOW_MIB="${SLOW_MIB:-128}"
SLOW_RATE="${SLOW_RATE:-64M}"
TIMEOUT_S="${TIMEOUT_S:-120}"
GOAL_MIB="${GOAL_MIB:-10}"
FAIL_BELOW_GOAL="${FAIL_BELOW_GOAL:-0}"
BYTES=$((GIB * 1024 * 1048576))

say() { printf '%s\n' "$*"; }
die() {
    printf 'stream_memory: error: %s\n' "$*" >&2
    exit 1
}

command -v curl >/dev/null || die "curl is needed"
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"

say "building (release)…"
cargo build --release --quiet -p anyfn-bench-peers --bin stream-anyfn --bin lambda-driver ||
    die "the bins did not build"
TARGET_DIR="$(cargo_target_dir)"
FUNCTION="$TARGET_DIR/release/stream-anyfn"
DRIVER="$TARGET_DIR/release/lambda-driver"
[[ -x "$FUNCTION" && -x "$DRIVER" ]] || die "not built: $FUNCTION or $DRIVER"
OUT="$TARGET_DIR/stream_memory"
mkdir -p "$OUT"

query() { printf 'mib=%s&chunk_kib=%s&capacity=%s&via=%s&fresh=1' "$1" "$CHUNK_KIB" "$CAPACITY" "$VIA"; }

# --- helpers -----------------------------------------------------------------

# status_kib PID FIELD: a /proc/PID/status field in KiB (no process forked).
status_kib() {
    local key value _
    while read -r key value _; do
        if [[ "$key" == "$2:" ]]; then
            printf '%s' "$value"
            return 0
        fi
    done <"/proc/$1/status"
    return 1
}

SAMPLER_PID=""
# start_sampler PID FILE: VmRSS of PID every SAMPLE_MS ms, one a line.
start_sampler() {
    local pid="$1" file="$2" every
    every="$(awk -v ms="$SAMPLE_MS" 'BEGIN {printf "%.3f", ms / 1000}')"
    : >"$file"
    (while kill -0 "$pid" 2>/dev/null; do
        status_kib "$pid" VmRSS >>"$file" && echo >>"$file"
        sleep "$every"
    done) &
    SAMPLER_PID=$!
}
stop_sampler() {
    [[ -n "$SAMPLER_PID" ]] || return 0
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
}

SERVER_PID=""
stop_server() {
    stop_sampler
    [[ -n "$SERVER_PID" ]] || return 0
    local pid="$SERVER_PID"
    SERVER_PID=""
    stop_process "$pid"
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT
trap 'stop_server; exit 143' TERM

mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
below=0
# verdict LABEL GROWTH_KIB
verdict() {
    local status="PASS"
    if ! awk -v g="$2" -v goal="$GOAL_MIB" 'BEGIN {exit !(g < goal * 1024)}'; then
        status="OVER GOAL"
        below=1
    fi
    printf '  %-34s growth %7s MiB  (goal < %s MiB)  %s\n' "$1" "$(mib "$2")" "$GOAL_MIB" "$status"
}
declare -A GROWTH

say ""
say "streaming $GIB GiB ($BYTES bytes) in ${CHUNK_KIB} KiB chunks, via=$VIA (capacity $CAPACITY), each chunk"
say "a buffer of its own; $WARMUP warm-up stream(s) of $WARMUP_MIB MiB first; VmRSS sampled every $SAMPLE_MS ms"

# --- (a) the local server ----------------------------------------------------

# measure_server LABEL MIB [CURL OPTION…]: one stream from the running server,
# memory measured; prints the line and sets GROWTH[LABEL].
measure_server() {
    local label="$1" mibs="$2" baseline hwm_reset=no peak sampled hwm result growth
    shift 2
    sleep 0.2 # let the allocator settle after the warm-up
    baseline="$(status_kib "$SERVER_PID" VmRSS)"
    if echo 5 2>/dev/null >"/proc/$SERVER_PID/clear_refs"; then hwm_reset=yes; fi
    start_sampler "$SERVER_PID" "$OUT/server.$label.rss"
    result="$(curl -fsS -o /dev/null "$@" -w '%{size_download} %{time_total} %{speed_download}' \
        "http://127.0.0.1:$PORT/?$(query "$mibs")")" ||
        die "server ($label): the stream failed or was cut short (past the 3 s deadline? lower GIB)"
    stop_sampler
    hwm=0
    [[ "$hwm_reset" == yes ]] && hwm="$(status_kib "$SERVER_PID" VmHWM)"
    sampled="$(sort -n "$OUT/server.$label.rss" | tail -1)"
    peak="$(printf '%s\n' "$baseline" "$hwm" "${sampled:-0}" | sort -n | tail -1)"
    read -r size seconds speed <<<"$result"
    [[ "$size" == "$((mibs * 1048576))" ]] || die "server ($label) streamed $size bytes, expected $((mibs * 1048576))"
    growth=$((peak - baseline))
    GROWTH[server-$label]="$growth"
    printf '  %-8s bytes=%s seconds=%s MiB/s=%s  RSS baseline %s KiB, peak %s KiB (highest of %s samples %s, VmHWM %s, reset: %s), growth %s KiB\n' \
        "$label" "$size" "$seconds" "$(awk -v s="$speed" 'BEGIN {printf "%.0f", s / 1048576}')" \
        "$baseline" "$peak" "$(wc -l <"$OUT/server.$label.rss")" "${sampled:-none}" "$hwm" "$hwm_reset" "$growth"
}

say ""
say "(a) local server: curl -o /dev/null http://127.0.0.1:PORT/?$(query "<MiB>")"
PORT="$(free_port)"
env -u AWS_LAMBDA_RUNTIME_API -u RUST_LOG HOST=127.0.0.1 PORT="$PORT" "$FUNCTION" >/dev/null 2>"$OUT/server.log" &
SERVER_PID=$!
for ((i = 0; i < 200; i++)); do
    curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/?mib=0&first=1" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "stream-anyfn exited: $(tail -3 "$OUT/server.log")"
    sleep 0.05
done
started_kib="$(status_kib "$SERVER_PID" VmRSS)"
for ((i = 0; i < WARMUP; i++)); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/?$(query "$WARMUP_MIB")" || die "a warm-up stream failed"
done
say "  RSS at start $started_kib KiB, after the warm-up $(status_kib "$SERVER_PID" VmRSS) KiB"
measure_server fast "$((GIB * 1024))"
if ((SLOW_MIB > 0)); then
    measure_server slow "$SLOW_MIB" --limit-rate "$SLOW_RATE"
fi
stop_server

# --- (b) the Lambda emulator -------------------------------------------------

event() {
    # shellcheck disable=SC2016 # `$default` is the stage's literal name
    printf '{"version":"2.0","rawPath":"/","rawQueryString":"%s","headers":{"host":"abc.lambda-url.us-east-1.on.aws"},"requestContext":{"http":{"method":"GET","path":"/","sourceIp":"127.0.0.1"},"stage":"$default","domainName":"abc.lambda-url.us-east-1.on.aws"},"isBase64Encoded":false}' \
        "$(query "$1")"
}
say ""
say "(b) Lambda emulator: a Function URL event, ANYFN_RESPONSE_STREAMING=on, every chunk read with next_chunk and dropped"
line="$("$DRIVER" stream "$FUNCTION" "$(event "$((GIB * 1024))")" --warmup "$WARMUP" \
    --warmup-payload "$(event "$WARMUP_MIB")" --timeout-s "$TIMEOUT_S" --name stream-anyfn \
    --sample-ms "$SAMPLE_MS" --expect-bytes "$BYTES")" || die "lambda-driver stream failed"
printf '%s\n' "$line" >"$OUT/emulator.txt"
dfield() { tr ' ' '\n' <<<"$line" | sed -n "s/^$1=//p"; }
printf '  bytes=%s seconds=%s MiB/s=%s  RSS baseline %s KiB, peak %s KiB (highest of %s samples %s, VmHWM reset: %s), growth %s KiB\n' \
    "$(dfield bytes)" "$(dfield seconds)" "$(dfield mib_per_sec)" "$(dfield rss_baseline_kib)" \
    "$(dfield rss_peak_kib)" "$(dfield rss_samples)" "$(dfield rss_sampled_peak_kib)" "$(dfield hwm_reset)" \
    "$(dfield rss_growth_kib)"
say "  driver (the emulator and the reader, not the function): peak RSS $(dfield driver_peak_kib) KiB"
say "  $line"
GROWTH[emulator]="$(dfield rss_growth_kib)"

# --- verdict -----------------------------------------------------------------

say ""
say "RSS growth of the function's process while it streams:"
verdict "(a) server, $GIB GiB, fast client" "${GROWTH[server-fast]}"
if ((SLOW_MIB > 0)); then
    verdict "(a) server, $SLOW_MIB MiB at $SLOW_RATE/s" "${GROWTH[server-slow]}"
fi
verdict "(b) emulator, $GIB GiB" "${GROWTH[emulator]}"
say "(raw samples: $OUT)"

if [[ "$FAIL_BELOW_GOAL" == 1 && "$below" == 1 ]]; then
    exit 1
fi
