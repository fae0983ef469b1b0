#!/usr/bin/env bash
# Runs every fuzz target (or those in TARGETS) for SECONDS_PER_TARGET
# (default 600), JOBS at a time (default 2), each seeded with the project's
# example events. Needs
# cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain it sets
# RUSTC_BOOTSTRAP=1, as cargo fuzz needs nightly flags (sanitizers).
# Prints, per target, its run length, executions and what it found.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET="${SECONDS_PER_TARGET:-600}"
JOBS="${JOBS:-2}"
export RUSTC_BOOTSTRAP=1
all_targets=(lambda_http_request lambda_storage lambda_queue lambda_eventbridge cloud_event_structured cloud_event_binary server_pubsub_push body_and_query azure_envelope)
# TARGETS="a b" runs only those.
read -r -a targets <<<"${TARGETS:-${all_targets[*]}}"

seed() {
  local target=$1 dir="corpus/$1"
  mkdir -p "$dir"
  case "$target" in
    lambda_http_request) cp ../tests/fixtures/lambda/*.json "$dir"/ ;;
    lambda_storage|lambda_queue|lambda_eventbridge) cp ../tests/fixtures/aws/*.json "$dir"/ ;;
    cloud_event_structured)
      printf '%s' '{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"2024-05-01T12:00:00.5+02:00","ext":"x","datacontenttype":"application/json","data":{"a":[1,2]}}' > "$dir/json.json"
      printf '%s' '{"specversion":"1.0","id":"2","source":"/s","type":"t","data_base64":"3q2+7w=="}' > "$dir/binary.json" ;;
    cloud_event_binary)
      printf 'ce-specversion: 1.0\nce-id: 1\nce-source: /s\nce-type: t\nce-time: 2024-05-01T12:00:00Z\nce-note: 50%%25 off\ncontent-type: application/json\n\n{"a":1}' > "$dir/binary.txt" ;;
    server_pubsub_push) cp ../tests/fixtures/pubsub-push/*.json "$dir"/ ;;
    azure_envelope) cp ../adapters/azure/tests/fixtures/*.json "$dir"/ ;;
    body_and_query)
      printf 'name=Ada+Lovelace&x=%%41&x=2&empty' > "$dir/query.txt"
      printf '2024-02-29T23:59:59.123456789-05:30' > "$dir/time.txt"
      printf '{"name":"Ada"}' > "$dir/json.txt" ;;
  esac
}

cargo fuzz build -O
mkdir -p logs
run() {
  local target=$1
  seed "$target"
  cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 \
    > "logs/$target.log" 2>&1 && status=ok || status="FOUND A CRASH (see logs/$target.log and artifacts/$target)"
  if grep -q 'failed to build fuzz script' "logs/$target.log"; then
    status="DID NOT BUILD (see logs/$target.log)"
  fi
  local stats
  stats=$(grep -E '^#[0-9]+' "logs/$target.log" | tail -1 || true)
  echo "$target: ${SECONDS_PER_TARGET}s, $(grep -oE 'Done [0-9]+ runs' "logs/$target.log" | tail -1 || echo "${stats%% *}"), $status"
}
export -f run seed
export SECONDS_PER_TARGET
printf '%s\n' "${targets[@]}" | xargs -P "$JOBS" -I{} bash -c 'run {}'
