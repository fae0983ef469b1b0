#!/usr/bin/env bash
# Every public item of the libraries (the core and adapters/*) has a code
# example in its docs, as jiff's do: .ci/doc_examples.py reads rustdoc's
# JSON of each library (its items reachable from the root, re-exports
# followed, and its public types' inherent methods) and fails on any item
# without one. The JSON output is unstable; RUSTC_BOOTSTRAP=1 lets this
# stable toolchain write it (CI installs no nightly). Examples and benches
# are examples themselves and are not checked, nor anyfn-cloudflare (empty
# off wasm32, where this toolchain does not build).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"

# Each library: its package, and its lib target's name (the JSON's).
libraries=()
while IFS= read -r line; do
  libraries+=("$line")
done < <(cargo metadata --no-deps --format-version 1 --locked | python3 -c '
import json, os, sys
root = os.getcwd()
for package in json.load(sys.stdin)["packages"]:
    path = os.path.relpath(package["manifest_path"], root)
    if package["name"] == "anyfn-cloudflare":
        continue
    if path != "Cargo.toml" and not path.startswith("adapters/"):
        continue
    for target in package["targets"]:
        if "lib" in target["kind"]:
            print(package["name"], target["name"].replace("-", "_"))
')
[[ ${#libraries[@]} -gt 0 ]] || { echo "no library package found" >&2; exit 1; }

files=()
for library in "${libraries[@]}"; do
  read -r package crate <<<"$library"
  RUSTC_BOOTSTRAP=1 cargo rustdoc --quiet --locked -p "$package" --lib --all-features \
    -- -Z unstable-options --output-format json
  files+=("$target/doc/$crate.json")
done
python3 .ci/doc_examples.py "${files[@]}"
