#!/usr/bin/env bash
# Soak: loads the `echo` example at saturation with wrk on loopback for
# DURATION seconds (default 60) and reports requests, errors and the server's
# RSS at start-up, after a warm-up, and at the end.
# Goal: 0 errors; RSS growth from warm-up to end under 10%.
#
#   benches/soak.sh                 # 60 s
#   DURATION=10 benches/soak.sh     # shorter
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-60}"
WARMUP="${WARMUP:-5}"
CONNECTIONS="${CONNECTIONS:-64}"
# shellcheck source=benches/lib.sh
source benches/lib.sh
require_tool wrk wrk
TARGET_DIR="$(cargo_target_dir)"

cargo build --release --example echo --quiet
bin="$TARGET_DIR/release/examples/echo"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
RUST_LOG=warn PORT=$port "$bin" 2>/tmp/anyfn-soak.log &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
  sleep 0.05
done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { echo "echo did not start" >&2; exit 1; }

rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
rss_start=$(rss)

lua=$(mktemp)
cat >"$lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"order":7,"items":["widget","gadget"],"note":"deliver after 5pm"}'
wrk.headers["content-type"] = "application/json"
wrk.headers["cookie"] = "session=abc; theme=dark"
wrk.headers["x-tenant"] = "acme"
LUA

wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$lua" "http://127.0.0.1:$port/orders/7?x=1&x=2" >/dev/null
rss_warm=$(rss)

out=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$lua" --latency "http://127.0.0.1:$port/orders/7?x=1&x=2")
rss_end=$(rss)
echo "$out"

requests=$(awk '/requests in/ {print $1}' <<<"$out")
socket_errors=$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' <<<"$out")
non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
errors=$(( ${socket_errors:-0} + ${non2xx:-0} ))
kill -0 "$pid" || { echo "the server died" >&2; exit 1; }
growth=$(python3 -c "print(f'{($rss_end-$rss_warm)/$rss_warm*100:.1f}')")

echo
echo "soak: ${DURATION}s at ${CONNECTIONS} connections on echo"
echo "requests: $requests, errors: $errors (socket ${socket_errors:-0}, non-2xx ${non2xx:-0})"
echo "RSS: start ${rss_start} KiB, after ${WARMUP}s warm-up ${rss_warm} KiB, end ${rss_end} KiB (growth ${growth}% since warm-up)"
verdict=PASS
[[ "$errors" -eq 0 ]] || verdict=MISS
python3 -c "import sys; sys.exit(0 if ($rss_end-$rss_warm)/$rss_warm < 0.10 else 1)" || verdict=MISS
echo "goal: 0 errors and RSS growth < 10%: $verdict"
