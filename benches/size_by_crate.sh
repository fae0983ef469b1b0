#!/usr/bin/env bash
# Where the size of `hello` goes, crate by crate, next to its lambda_http
# peer: issue 29's goal 3 asks what each dependency and feature adds.
#
# The three functions of benches/lambda_hello_vs_lambda_http.sh (`hello`
# as the quick start builds it, with the server, Lambda and Azure
# adapters; `hello-lambda-only`, anyfn-auto's `lambda` feature alone; and
# `lambda-http-hello`, the peer as lambda_http's README writes it), each
# built as that script builds them (release, fat LTO, one codegen unit,
# panic = unwind) but with their symbols kept, so that `cargo bloat
# --crates` can tell each function's crate. It prints the code (.text) each
# crate contributes, in bytes, with the file's and the .text section's
# size. Inlined code counts for the crate it was inlined into (with LTO,
# much of tokio's and hyper's code is the caller's), and generic code for
# the crate that instantiated it: anyfn-lambda's figure holds serde's
# decoders of every event it reads. Sizes, not instructions: one build is
# the figure, no need to repeat.
#
# Installs cargo-bloat from crates.io when it is missing.
# Usage:   benches/size_by_crate.sh
# Options (environment):
#   CARGO_TARGET_DIR   where to build (default: the workspace's target
#                      dir; the build uses the release profile with LTO
#                      set through the environment, so a target dir of its
#                      own keeps the usual release builds)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v cargo-bloat >/dev/null || cargo install --locked --quiet cargo-bloat
command -v python3 >/dev/null || { echo "size_by_crate: python3 is needed" >&2; exit 1; }

# The release-lto profile without `strip`, through the release profile
# (CARGO_PROFILE_RELEASE_LTO_* would read as the `release` profile's keys).
export CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
    CARGO_PROFILE_RELEASE_STRIP=none
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
bloat() {
    local name="$1"
    shift
    printf 'building and reading %s…\n' "$name" >&2
    cargo bloat --release "$@" --crates -n 0 --message-format json >"$out/$name.json" 2>"$out/$name.log" ||
        { cat "$out/$name.log" >&2; exit 1; }
}
# One cargo invocation each: together, cargo would unify anyfn-auto's
# features and the Lambda-only build would get the other adapters too.
bloat hello -p anyfn --example hello
bloat hello-lambda-only -p anyfn-bench-lambda-only --bin hello-lambda-only
bloat lambda-http-hello -p anyfn-bench-peers --bin lambda-http-hello

python3 - "$out" <<'EOF'
import json, sys
names = ["hello", "hello-lambda-only", "lambda-http-hello"]
runs = {name: json.load(open(f"{sys.argv[1]}/{name}.json")) for name in names}
crates = []
for run in runs.values():
    for crate in run["crates"]:
        if crate["name"] not in crates:
            crates.append(crate["name"])
sizes = {name: {c["name"]: c["size"] for c in run["crates"]} for name, run in runs.items()}
row = "{:<26}" + "{:>19}" * len(names)
print(row.format("bytes", *names))
print(row.format("file (symbols kept)", *(runs[n]["file-size"] for n in names)))
print(row.format(".text", *(runs[n]["text-section-size"] for n in names)))
for crate in crates:
    print(row.format(crate, *(sizes[n].get(crate, 0) for n in names)))
EOF
