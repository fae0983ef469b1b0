# shellcheck shell=bash
# Helpers for the bench scripts; `source` it, do not run it.

# require_tool COMMAND PACKAGE: installs Debian's PACKAGE when COMMAND is not
# on the PATH (with sudo when not root); fails when it is still missing.
require_tool() {
    local command="$1" package="$2" sudo=""
    command -v "$command" >/dev/null && return 0
    if [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null; then sudo="sudo"; fi
    printf 'installing %s…\n' "$package" >&2
    $sudo apt-get install -y -qq "$package" >/dev/null 2>&1 ||
        { $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq "$package" >/dev/null; }
    command -v "$command" >/dev/null || {
        printf 'could not install %s (for %s)\n' "$package" "$command" >&2
        return 1
    }
}

# ONE_WORKER: the environment under which the callgrind benches run every
# process they count: its tokio runtime on one worker thread. With the
# default, one worker per core, which worker takes a connection and the
# wakeups between workers change from run to run, and moved each side's
# instructions per request by up to 4% (axum_vs_anyfn_server.sh, 3 runs of
# each side: axum 22,487 to 24,172, anyfn 29,360 to 30,319); with one
# worker, runs repeat to within 0.2%. Both sides of each comparison run so.
ONE_WORKER=(TOKIO_WORKER_THREADS=1)

# cargo_target_dir: cargo's target directory, honouring CARGO_TARGET_DIR and
# any configured one.
cargo_target_dir() {
    cargo metadata --format-version 1 --no-deps |
        grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4
}

# build_hello_and_bare_hyper: builds the `hello` example and the bare-hyper
# and hyper-hello peers (release), and sets TARGET_DIR, ANYFN_BIN, HYPER_BIN
# and HYPER_HELLO_BIN.
build_hello_and_bare_hyper() {
    printf 'building (release)…\n'
    cargo build --release --quiet -p anyfn --example hello
    cargo build --release --quiet -p anyfn-bench-peers --bin bare-hyper --bin hyper-hello
    TARGET_DIR="$(cargo_target_dir)"
    ANYFN_BIN="$TARGET_DIR/release/examples/hello"
    HYPER_BIN="$TARGET_DIR/release/bare-hyper"
    HYPER_HELLO_BIN="$TARGET_DIR/release/hyper-hello"
    [[ -x "$ANYFN_BIN" && -x "$HYPER_BIN" && -x "$HYPER_HELLO_BIN" ]] || {
        printf 'not built: %s, %s or %s\n' "$ANYFN_BIN" "$HYPER_BIN" "$HYPER_HELLO_BIN" >&2
        return 1
    }
}

# build_rest_api_and_peers PEER_BIN...: builds the rest-api example's
# `rest-api` binary and the named benches/peers binaries (release) in one
# cargo invocation, so that both see the same features of axum and its
# stack, and sets TARGET_DIR and REST_API_BIN.
build_rest_api_and_peers() {
    local bins=(--bin rest-api) bin
    for bin in "$@"; do bins+=(--bin "$bin"); done
    printf 'building (release)…\n'
    cargo build --release --quiet -p rest-api -p anyfn-bench-peers "${bins[@]}"
    TARGET_DIR="$(cargo_target_dir)"
    REST_API_BIN="$TARGET_DIR/release/rest-api"
    for bin in "$REST_API_BIN" "${@/#/$TARGET_DIR/release/}"; do
        [[ -x "$bin" ]] || {
            printf 'not built: %s\n' "$bin" >&2
            return 1
        }
    done
}

# callgrind_total FILE: the instructions counted in a callgrind output file.
callgrind_total() {
    awk '/^(summary|totals):/ {print $2; found = 1; exit} END {exit !found}' "$1"
}

# wait_answering PID URL: polls URL (at most ~60 s: valgrind starts slowly)
# until it gets an HTTP answer, whatever its status; fails when process PID
# exits first or time runs out.
wait_answering() {
    local pid="$1" url="$2" i
    for ((i = 0; i < 600; i++)); do
        curl -sS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# free_port: a loopback port nothing listens on, a random one below the
# kernel's range of ephemeral ports (32768 by default): a port in that range
# may be the local end of a live connection (a client's), which no connect
# test sees and which makes the server's bind fail. Fails when none is found.
free_port() {
    local port i low=32768
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    [[ "$low" =~ ^[0-9]+$ && "$low" -gt 12000 ]] || low=32768
    for ((i = 0; i < 200; i++)); do
        port=$((10000 + (RANDOM * 32768 + RANDOM) % (low - 10000)))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    printf 'no free loopback port found\n' >&2
    return 1
}

# stop_process PID: SIGTERM (anyfn drains in-flight requests on it), up to 5 s
# to exit, then SIGKILL; reaps it when it is this shell's child.
stop_process() {
    local pid="$1" i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# wait_quiet SECONDS: waits, at most SECONDS, until the machine is idle (under
# 10% of a core busy in user, nice and system time over half a second), so
# that a measurement does not start in the middle of someone's build; says so
# and goes on when it stays busy.
wait_quiet() {
    local deadline=$((SECONDS + $1)) hz m0 busy
    hz="$(getconf CLK_TCK)"
    busy_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4; exit}' /proc/stat; }
    while :; do
        m0="$(busy_ticks)"
        sleep 0.5
        busy="$(awk -v m="$(($(busy_ticks) - m0))" -v hz="$hz" 'BEGIN {printf "%.0f", m / hz / 0.5 * 100}')"
        ((busy < 10)) && return 0
        if ((SECONDS >= deadline)); then
            printf '  (the machine is busy: %s%% of a core; going on)\n' "$busy"
            return 0
        fi
    done
}

# median [FORMAT]: the median of the numbers on stdin (separated by spaces or
# lines), printed with FORMAT (default %.2f).
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk -v f="${1:-%.2f}" '{v[NR] = $1} END {
    if (NR % 2) printf f, v[(NR + 1) / 2]; else printf f, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# kill_pid_on_exit: when the script exits, kills the process whose id is in
# $PID (the one being measured), if there is one. Scripts set PID when they
# start it and clear it when it has exited.
kill_pid_on_exit() {
    trap '[[ -n "${PID:-}" ]] && kill -KILL "$PID" 2>/dev/null; true' EXIT
}
