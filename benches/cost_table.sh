#!/usr/bin/env bash
# What the same invocations would cost on every provider: `hello`, `thumbnail`
# and `stream` run once each through the test harness (debug build, the
# integration tests' binary: nothing else is built), each priced on every
# provider at the list prices of adapters/kit/prices.json, and printed as the
# README's table (USD per million invocations). The harness measures the wall
# time and, on Linux, the CPU time of the handler's polls (what Cloudflare
# Workers bill); the stream is priced to its last byte.
#
#   benches/cost_table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --quiet -p anyfn --test integration cost_table::print_the_cost_table \
    -- --ignored --nocapture --exact 2>/dev/null |
    sed -n '/^USD per million/,/^$/p; /^|/p' | awk '!seen[$0]++'
