#!/usr/bin/env bash
# Streamed responses through anyfn's local server against a bare hyper server
# streaming the same bytes: the `benches/peers` bins `stream-anyfn` (an anyfn
# function run by anyfn_auto::run, as a user writes one) and
# `bare-hyper-stream` (hyper 1.x, a StreamBody of data frames, no anyfn).
# Both stream `?mib=N` MiB of zero bytes in `?chunk_kib=K` KiB chunks, each a
# slice of one buffer per request, with the same headers (checked first), and
# both produce them two ways, measured separately so that like is compared
# with like:
#
#   channel  a task sends the chunks into a channel the body reads
#            (anyfn::stream::channel; hyper: tokio mpsc + ReceiverStream);
#   iter     the body is an iterator made into a stream, no task
#            (anyfn: BodyStream::new(tokio_stream::iter(..)); hyper:
#            StreamBody::new(tokio_stream::iter(..))).
#
# Three servers:
#
#   anyfn        stream-anyfn as a user runs it: default logging, one REPORT
#                line per stream to stderr (into a file here);
#   hyper        bare-hyper-stream;
#   anyfn-quiet  stream-anyfn with RUST_LOG=warn: the REPORT lines (and the
#                invocation span) off, so the difference to `anyfn` is their
#                price, which is not streaming's (benches/http_vs_hyper.sh
#                shows it for whole answers).
#
# Each round starts the three (all on one CPU, where the idle ones cost
# nothing) and measures them interleaved finely, the order rotated at every
# step: loopback throughput here moves between two levels (about 6.5 and 9
# GB/s for the same server, holding for seconds at a time, on both servers
# alike), so servers measured a round apart can land on different levels;
# measured transfer by transfer they share them.
#
# 1. Time to first byte: REQUESTS sequential requests per server for a
#    one-byte stream (`?mib=0&first=1`: the head, one chunk of one byte, the
#    end), in BLOCKS blocks that alternate between the servers, each on one
#    keep-alive connection, timed from the request's write to the arrival of
#    the first chunk's data by a small Python client (below). Not curl's
#    `%{time_starttransfer}`: that is the first byte of the response *head*,
#    and a server may send the head before the first chunk (both servers'
#    channel way do: the handler returns before its producer task has run,
#    so hyper flushes the head and writes the chunk later), which would hide
#    the time to the chunk. Not wrk: it times whole responses only. The
#    client's own time (Python, and the wake-ups on both sides: the servers'
#    CPU time is only about half of the ~50-60 us measured) is in both
#    sides' times alike, so the ratio is nearer 1 than the servers' own
#    difference; the server's CPU time per request is printed beside it.
#    Reported: p50 and p99 per round, their medians over the rounds. Goal:
#    anyfn <= 1.1 x hyper.
# 2. Throughput: GIB GiB per server in transfers of MIB_PER_REQUEST MiB (1
#    GiB by default: each stream must end within the server's deadline, 3 s
#    with anyfn_auto::run), one curl per transfer (`-o /dev/null -w
#    '%{size_download} %{time_total}'`), the servers taking turns transfer by
#    transfer. Reported: the median MiB/s of all transfers (and per round),
#    and the server's CPU seconds per GiB: the server is the bound here (its
#    core is busy for the whole transfer), so both figures tell the same,
#    the CPU one less moved by the client. Goal: anyfn >= 0.90 x hyper.
#
# The servers run on CPU 1 and the clients on CPU 0 (taskset), as in
# benches/http_vs_hyper.sh. Keep the machine otherwise idle while it runs.
#
# Usage:   benches/stream_vs_hyper.sh
# Options (environment):
#   ROUNDS=5             rounds (fresh servers each)
#   REQUESTS=20000       time-to-first-byte requests per server, round and way
#   BLOCKS=4             blocks they are sent in, alternating between servers
#   WARMUP=1000          unmeasured requests before each server's first block
#   GIB=8                GiB streamed per server, round and way
#   MIB_PER_REQUEST=1024 MiB per transfer
#   CHUNK_KIB=64         chunk size (both measurements)
#   CAPACITY=8           channel capacity in chunks (both servers)
#   WAYS="channel iter"  the ways of producing measured
#   GOAL_TTFB=1.10       the anyfn/hyper TTFB ratio to stay under
#   GOAL_THROUGHPUT=0.90 the anyfn/hyper MiB/s ratio to reach
#   QUICK=1              smoke run: 1 round, 2000 requests, 2 GiB
#   QUIET_WAIT=30        seconds to wait, before each round and way, for the
#                        machine to be idle (others under 10% of a core); then go on
#   FAIL_BELOW_GOAL=1    exit 1 when a goal is missed (default: report only)
#   PIN=1                pin as above (default on 2+ cores); PIN=0: do not
#   CARGO_TARGET_DIR     where to build (default: the workspace's target dir)
# Raw outputs (every request's time, every transfer) go to $TARGET_DIR/stream_vs_hyper/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ "${QUICK:-0}" == 1 ]]; then
    ROUNDS=1
    REQUESTS=2000
    WARMUP=200
    GIB=2
    QUIET_WAIT="${QUIET_WAIT:-5}"
fi
ROUNDS="${ROUNDS:-5}"
REQUESTS="${REQUESTS:-20000}"
BLOCKS="${BLOCKS:-4}"
WARMUP="${WARMUP:-1000}"
GIB="${GIB:-8}"
MIB_PER_REQUEST="${MIB_PER_REQUEST:-1024}"
CHUNK_KIB="${CHUNK_KIB:-64}"
CAPACITY="${CAPACITY:-8}"
read -r -a WAYS <<<"${WAYS:-channel iter}"
GOAL_TTFB="${GOAL_TTFB:-1.10}"
GOAL_THROUGHPUT="${GOAL_THROUGHPUT:-0.90}"
QUIET_WAIT="${QUIET_WAIT:-30}"
FAIL_BELOW_GOAL="${FAIL_BELOW_GOAL:-0}"
if (($(nproc) >= 2)) && command -v taskset >/dev/null; then PIN="${PIN:-1}"; else PIN=0; fi
SERVER_ON=()
CLIENT_ON=()
if [[ "$PIN" == 1 ]]; then
    SERVER_ON=(taskset -c 1)
    CLIENT_ON=(taskset -c 0)
fi
TRANSFERS=$(((GIB * 1024 + MIB_PER_REQUEST - 1) / MIB_PER_REQUEST))
PER_BLOCK=$(((REQUESTS + BLOCKS - 1) / BLOCKS))
SERVERS=(anyfn hyper anyfn-quiet)

say() { printf '%s\n' "$*"; }
die() {
    printf 'stream_vs_hyper: error: %s\n' "$*" >&2
    exit 1
}

# --- tools and build ---------------------------------------------------------

command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed (the time-to-first-byte client)"
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"

say "building (release)…"
cargo build --release --quiet -p anyfn-bench-peers --bin stream-anyfn --bin bare-hyper-stream ||
    die "the servers did not build"
TARGET_DIR="$(cargo_target_dir)"
declare -A BIN=([anyfn]="$TARGET_DIR/release/stream-anyfn" [anyfn-quiet]="$TARGET_DIR/release/stream-anyfn"
    [hyper]="$TARGET_DIR/release/bare-hyper-stream")
for name in "${SERVERS[@]}"; do [[ -x "${BIN[$name]}" ]] || die "not built: ${BIN[$name]}"; done
OUT="$TARGET_DIR/stream_vs_hyper"
mkdir -p "$OUT"
rm -f "$OUT"/*.ttfb "$OUT"/*.transfers

# The time-to-first-byte client: WARMUP + COUNT sequential GETs on one
# keep-alive connection; each timed from writing the request to having the
# first chunk's data (parsing the chunked body), then read to its end. The
# measured times (us) are appended to FILE, one a line.
cat >"$OUT/ttfb_client.py" <<'PY'
import socket, sys, time

def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    count, warmup, raw = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode()
    buf = bytearray()

    def fill():
        data = sock.recv(65536)
        if not data:
            sys.exit("the server closed the connection")
        buf.extend(data)

    def line():
        while (end := buf.find(b"\r\n")) < 0:
            fill()
        text = bytes(buf[:end])
        del buf[:end + 2]
        return text

    firsts = []
    for n in range(warmup + count):
        sent = time.perf_counter_ns()
        sock.sendall(request)
        while (end := buf.find(b"\r\n\r\n")) < 0:
            fill()
        head = bytes(buf[:end]).lower()
        del buf[:end + 4]
        if not head.startswith(b"http/1.1 200") or b"transfer-encoding: chunked" not in head:
            sys.exit("unexpected answer: %r" % head)
        first = None
        while True:
            size = int(line().split(b";")[0], 16)
            if size == 0:
                while line():  # trailers, then the empty line
                    pass
                break
            while len(buf) < size + 2:
                fill()
            del buf[:size + 2]
            if first is None:
                first = time.perf_counter_ns()
        if first is None:
            sys.exit("an empty stream")
        if n >= warmup:
            firsts.append((first - sent) / 1000)
    with open(raw, "a") as out:
        out.write("".join("%.1f\n" % t for t in firsts))

main()
PY

# --- servers -----------------------------------------------------------------

declare -A PID PORT
stop_servers() {
    local name pid
    for name in "${!PID[@]}"; do
        pid="${PID[$name]}"
        unset "PID[$name]"
        stop_process "$pid"
    done
}
trap stop_servers EXIT
trap 'stop_servers; exit 130' INT
trap 'stop_servers; exit 143' TERM

# start_server NAME LOGFILE: starts it on a free port, waits until it answers.
start_server() {
    local name="$1" log="$2" i port
    port="$(free_port)"
    PORT[$name]="$port"
    : >"$log"
    # anyfn as a user runs it: default logging, its REPORT lines (one per
    # stream) into a file; anyfn-quiet with them off.
    local log_env=(-u RUST_LOG)
    [[ "$name" == anyfn-quiet ]] && log_env=(RUST_LOG=warn)
    "${SERVER_ON[@]}" env -u AWS_LAMBDA_RUNTIME_API "${log_env[@]}" HOST=127.0.0.1 PORT="$port" \
        "${BIN[$name]}" >/dev/null 2>>"$log" &
    PID[$name]=$!
    for ((i = 0; i < 200; i++)); do
        if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/?mib=0&first=1" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "${PID[$name]}" 2>/dev/null; then
            cat "$log" >&2 || true
            unset "PID[$name]"
            die "$name exited before answering"
        fi
        sleep 0.05
    done
    cat "$log" >&2 || true
    die "$name did not answer on port $port within 10 s"
}
start_servers() { # start_servers SUFFIX
    local name
    for name in "${SERVERS[@]}"; do start_server "$name" "$OUT/$name.$1.log"; done
}

query() { printf 'chunk_kib=%s&capacity=%s&via=%s&%s' "$CHUNK_KIB" "$CAPACITY" "$1" "$2"; }

# --- same answer -------------------------------------------------------------

say "checking that the servers answer the same…"
start_servers check
for way in "${WAYS[@]}"; do
    for q in "mib=0&first=1" "mib=3&first=5"; do
        answers=""
        for name in "${SERVERS[@]}"; do
            answer="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}|%{size_header}|%{size_download}' \
                "http://127.0.0.1:${PORT[$name]}/?$(query "$way" "$q")")"
            answers+="$name $answer  "
            [[ "$name" == anyfn ]] && expected="$answer"
            [[ "$answer" == "$expected" ]] ||
                die "the servers answer ?$(query "$way" "$q") differently: $answers"
        done
        say "  ?$(query "$way" "$q") -> status|header bytes|body bytes: $answers"
    done
    [[ "$expected" == "200|"*"|$((3 * 1048576 + 5))" ]] || die "?$(query "$way" "mib=3&first=5") answered $expected"
done
stop_servers

# --- measurement -------------------------------------------------------------

TICKS="$(getconf CLK_TCK)"
# CPU time of process $1 in ns, all its threads (the scheduler's count, finer
# than /proc/PID/stat's ticks: a block of TTFB requests costs a server ~0.1 s).
process_ns() { cat "/proc/$1/task/"*/schedstat 2>/dev/null | awk '{ns += $1} END {printf "%.0f", ns}'; }
# CPU ticks of the whole machine: user, nice, system. Not irq and softirq:
# the loopback's packet work (~1/4 of a server's CPU time while it streams)
# is counted there and in no process's time, so it would read as "other".
machine_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4; exit}' /proc/stat; }
now_ns() { date +%s%N; }


# rotate N NAMES…: the names rotated by N.
rotate() {
    local n="$1"
    shift
    local names=("$@") i
    for ((i = 0; i < ${#names[@]}; i++)); do printf '%s ' "${names[(i + n) % ${#names[@]}]}"; done
}
# quantile Q FILE: the value at quantile Q of the numbers in FILE, one a line.
quantile() { sort -g "$2" | awk -v q="$1" '{v[NR] = $1} END {i = int((NR - 1) * q + 0.5) + 1; printf "%.1f", v[i]}'; }
# spread: "min-max" of the numbers on stdin.
spread() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{v[NR] = $1} END {printf "%s-%s", v[1], v[NR]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

# Accumulated per server and way: each round's p50, p99, CPU per request,
# median MiB/s; CPU ns and bytes of all transfers.
declare -A P50 P99 TCPU RMIBS TNS TBYTES RP50 RP99 RM
say ""
say "time to first byte: $REQUESTS GETs of ?$(query "<way>" "mib=0&first=1") per server, round and way,"
say "  in $BLOCKS blocks of $PER_BLOCK (+$WARMUP warm-up first) on one keep-alive connection each, the servers alternating;"
say "throughput: $TRANSFERS transfer(s) of $MIB_PER_REQUEST MiB per server, round and way, the servers taking turns;"
say "servers: ${SERVER_ON[*]:-unpinned}, clients: ${CLIENT_ON[*]:-unpinned}; $ROUNDS round(s); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "  cpu/req, cpu s/GiB: the server's CPU time (user + system); MiB/s: the median of the round's transfers;"
say "  other: CPU used by anything but the servers, the clients and this script during the round and way,"
say "         in % of one core"
printf '%-6s %-11s %-8s %9s %9s %10s | %9s %10s %7s\n' round server way "p50 us" "p99 us" "cpu/req" "MiB/s" "cpu s/GiB" other
disturbed=0
for ((round = 1; round <= ROUNDS; round++)); do
    start_servers "round$round"
    ways=("${WAYS[@]}")
    if ((round % 2 == 0)); then
        ways=()
        for ((i = ${#WAYS[@]} - 1; i >= 0; i--)); do ways+=("${WAYS[$i]}"); done
    fi
    for way in "${ways[@]}"; do
        wait_quiet "$QUIET_WAIT"
        declare -A NS=()
        for name in "${SERVERS[@]}"; do
            NS[$name]=0
            : >"$OUT/$name.$way.round$round.ttfb"
            : >"$OUT/$name.$way.round$round.transfers"
        done
        w0="$(now_ns)"
        m0="$(machine_ticks)"
        times >"$OUT/times.0" # this script's and its children's CPU so far
        # 1. time to first byte, block by block
        for ((block = 0; block < BLOCKS; block++)); do
            for name in $(rotate $((block + round)) "${SERVERS[@]}"); do
                warm=0
                ((block == 0)) && warm="$WARMUP"
                s0="$(process_ns "${PID[$name]}")"
                "${CLIENT_ON[@]}" python3 "$OUT/ttfb_client.py" "${PORT[$name]}" \
                    "/?$(query "$way" "mib=0&first=1")" "$PER_BLOCK" "$warm" \
                    "$OUT/$name.$way.round$round.ttfb" || die "$name/$way: the time-to-first-byte client failed"
                s1="$(process_ns "${PID[$name]}")"
                # The warm-up requests are in the CPU time too; counted below.
                NS[$name]=$((NS[$name] + s1 - s0))
            done
        done
        # 2. throughput, transfer by transfer
        for name in "${SERVERS[@]}"; do # warm-up
            "${CLIENT_ON[@]}" curl -fsS -o /dev/null \
                "http://127.0.0.1:${PORT[$name]}/?$(query "$way" "mib=$MIB_PER_REQUEST")" ||
                die "$name/$way: the warm-up stream failed"
        done
        declare -A GNS=()
        for name in "${SERVERS[@]}"; do GNS[$name]=0; done
        for ((t = 0; t < TRANSFERS; t++)); do
            for name in $(rotate $((t + round)) "${SERVERS[@]}"); do
                s0="$(process_ns "${PID[$name]}")"
                "${CLIENT_ON[@]}" curl -fsS -o /dev/null -w '%{size_download} %{time_total}\n' \
                    "http://127.0.0.1:${PORT[$name]}/?$(query "$way" "mib=$MIB_PER_REQUEST")" \
                    >>"$OUT/$name.$way.round$round.transfers" ||
                    die "$name/$way: a stream failed (cut by the 3 s deadline? lower MIB_PER_REQUEST)"
                s1="$(process_ns "${PID[$name]}")"
                GNS[$name]=$((GNS[$name] + s1 - s0))
            done
        done
        times >"$OUT/times.1"
        m1="$(machine_ticks)"
        w1="$(now_ns)"
        # The clients and this script's helpers (children, reaped) and the
        # script itself: what `times` counted between the two.
        script_s="$(awk 'FNR == 1 {f++} {for (i = 1; i <= 2; i++) {split($i, t, /[ms]/); s[f] += t[1] * 60 + t[2]}}
            END {print s[2] - s[1]}' "$OUT/times.0" "$OUT/times.1")"
        servers_ns=0
        for name in "${SERVERS[@]}"; do servers_ns=$((servers_ns + NS[$name] + GNS[$name])); done
        other="$(awk -v m="$((m1 - m0))" -v s="$servers_ns" -v hz="$TICKS" -v c="$script_s" -v d="$(((w1 - w0) / 1000))" \
            'BEGIN {o = (m / hz - s / 1e9 - c) / (d / 1e6) * 100; printf "%.0f", o < 0 ? 0 : o}')"
        ((other > 10)) && disturbed=1
        for name in "${SERVERS[@]}"; do
            ttfb="$OUT/$name.$way.round$round.ttfb"
            transfers="$OUT/$name.$way.round$round.transfers"
            bytes="$(awk '{b += $1} END {printf "%.0f", b}' "$transfers")"
            [[ "$bytes" == "$((TRANSFERS * MIB_PER_REQUEST * 1048576))" ]] ||
                die "$name/$way streamed $bytes bytes, expected $((TRANSFERS * MIB_PER_REQUEST * 1048576))"
            p50="$(quantile 0.5 "$ttfb")"
            p99="$(quantile 0.99 "$ttfb")"
            cpu_req="$(awk -v t="${NS[$name]}" -v n="$((PER_BLOCK * BLOCKS + WARMUP))" 'BEGIN {printf "%.1f", t / n / 1e3}')"
            mibs="$(awk '{print $1 / 1048576 / $2}' "$transfers" | median %.0f)"
            cpu_gib="$(awk -v t="${GNS[$name]}" -v b="$bytes" 'BEGIN {printf "%.3f", t / 1e9 / (b / 1073741824)}')"
            P50[$name,$way]+="$p50 "
            P99[$name,$way]+="$p99 "
            TCPU[$name,$way]+="$cpu_req "
            RMIBS[$name,$way]+="$mibs "
            TNS[$name,$way]=$((${TNS[$name,$way]:-0} + GNS[$name]))
            TBYTES[$name,$way]=$((${TBYTES[$name,$way]:-0} + bytes))
            RP50[$name,$way,$round]="$p50"
            RP99[$name,$way,$round]="$p99"
            RM[$name,$way,$round]="$mibs"
            printf '%-6s %-11s %-8s %9s %9s %8sus | %9s %10s %6s%%\n' \
                "$round" "$name" "$way" "$p50" "$p99" "$cpu_req" "$mibs" "$cpu_gib" "$other"
        done
    done
    stop_servers
done

# --- results -----------------------------------------------------------------

say ""
say "over $ROUNDS round(s): TTFB the median of the rounds' p50 and p99 (their spread min-max);"
say "MiB/s the median of all transfers (spread of the transfers); CPU/GiB over all transfers"
declare -A M_P50 M_P99 M_TCPU M_MIBS M_GCPU
for way in "${WAYS[@]}"; do
    for name in "${SERVERS[@]}"; do
        all="$(cat "$OUT/$name.$way".round*.transfers | awk '{printf "%.0f ", $1 / 1048576 / $2}')"
        M_P50[$name,$way]="$(median %.1f <<<"${P50[$name,$way]}")"
        M_P99[$name,$way]="$(median %.1f <<<"${P99[$name,$way]}")"
        M_TCPU[$name,$way]="$(median %.1f <<<"${TCPU[$name,$way]}")"
        M_MIBS[$name,$way]="$(median %.0f <<<"$all")"
        M_GCPU[$name,$way]="$(awk -v t="${TNS[$name,$way]}" -v b="${TBYTES[$name,$way]}" 'BEGIN {printf "%.3f", t / 1e9 / (b / 1073741824)}')"
        printf '  %-11s %-8s TTFB p50 %6s us (%s)  p99 %6s us (%s)  %5s us CPU/req | %5s MiB/s (%s)  %s s CPU/GiB\n' \
            "$name" "$way" "${M_P50[$name,$way]}" "$(spread <<<"${P50[$name,$way]}")" \
            "${M_P99[$name,$way]}" "$(spread <<<"${P99[$name,$way]}")" "${M_TCPU[$name,$way]}" \
            "${M_MIBS[$name,$way]}" "$(spread <<<"$all")" "${M_GCPU[$name,$way]}"
    done
done

say ""
below=0
# check LABEL VALUE OP GOAL
check() {
    local status
    if awk -v r="$2" -v g="$4" -v op="$3" 'BEGIN {exit !(op == "<=" ? r <= g : r >= g)}'; then
        status="PASS"
    else
        status="MISSED"
        below=1
    fi
    printf '  %-36s %6s  (goal %s %s)  %s\n' "$1" "$2" "$3" "$4" "$status"
}
for way in "${WAYS[@]}"; do
    for name in anyfn anyfn-quiet; do
        say "ratios $name/hyper, $way:"
        check "TTFB p50" "$(ratio "${M_P50[$name,$way]}" "${M_P50[hyper,$way]}")" "<=" "$GOAL_TTFB"
        check "TTFB p99" "$(ratio "${M_P99[$name,$way]}" "${M_P99[hyper,$way]}")" "<=" "$GOAL_TTFB"
        printf '  %-36s %6s\n' "server CPU per TTFB request" "$(ratio "${M_TCPU[$name,$way]}" "${M_TCPU[hyper,$way]}")"
        check "throughput (MiB/s)" "$(ratio "${M_MIBS[$name,$way]}" "${M_MIBS[hyper,$way]}")" ">=" "$GOAL_THROUGHPUT"
        printf '  %-36s %6s  (hyper/%s; >= 1: as lean as hyper)\n' "throughput by server CPU per GiB" \
            "$(ratio "${M_GCPU[hyper,$way]}" "${M_GCPU[$name,$way]}")" "$name"
        p50s="" p99s="" thrs=""
        for ((round = 1; round <= ROUNDS; round++)); do
            p50s+="$(ratio "${RP50[$name,$way,$round]}" "${RP50[hyper,$way,$round]}") "
            p99s+="$(ratio "${RP99[$name,$way,$round]}" "${RP99[hyper,$way,$round]}") "
            thrs+="$(ratio "${RM[$name,$way,$round]}" "${RM[hyper,$way,$round]}") "
        done
        printf '  per round: TTFB p50 %s| p99 %s| MiB/s %s\n' "$p50s" "$p99s" "$thrs"
    done
done
if [[ " ${WAYS[*]} " == *" channel "* && " ${WAYS[*]} " == *" iter "* ]]; then
    say "across ways (a producer task, as the README writes it, vs the rawest peer), anyfn channel / hyper iter:"
    printf '  %-36s %6s\n' "TTFB p50" "$(ratio "${M_P50[anyfn,channel]}" "${M_P50[hyper,iter]}")"
    printf '  %-36s %6s\n' "throughput (MiB/s)" "$(ratio "${M_MIBS[anyfn,channel]}" "${M_MIBS[hyper,iter]}")"
fi
if ((disturbed)); then
    say "warning: other processes used over 10% of a core in some rounds (column 'other'):"
    say "         the times are skewed there; repeat, and compare the per-round ratios"
fi
say "(raw outputs: $OUT)"

if [[ "$FAIL_BELOW_GOAL" == 1 && "$below" == 1 ]]; then
    exit 1
fi
