#!/usr/bin/env bash
# Every public item of the libraries (the core and adapters/*) has a code
# example in its docs: rustdoc's `missing_doc_code_examples` lint, denied.
# The lint is unstable; RUSTC_BOOTSTRAP=1 lets this stable toolchain run it
# (CI installs no nightly). Examples and benches are examples themselves and
# are not checked, nor anyfn-cloudflare (below). Prints each item lacking
# one and fails. The lint does not see items of private modules that are
# re-exported (a builder's setters, say): those it cannot check.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
while IFS= read -r name; do
  packages+=(-p "$name")
done < <(cargo metadata --no-deps --format-version 1 --locked | python3 -c '
import json, os, sys
root = os.getcwd()
for package in json.load(sys.stdin)["packages"]:
    path = os.path.relpath(package["manifest_path"], root)
    # anyfn-cloudflare is empty off wasm32, where this toolchain does not
    # build (on wasm32 rustdoc 1.96 flags its `entry_points!` macro, whose
    # docs do have an example: left out there too).
    if package["name"] == "anyfn-cloudflare":
        continue
    if path == "Cargo.toml" or path.startswith("adapters/"):
        print(package["name"])
')
[[ ${#packages[@]} -gt 0 ]] || { echo "no library package found" >&2; exit 1; }

echo "checking $(( ${#packages[@]} / 2 )) library packages"
RUSTC_BOOTSTRAP=1 \
RUSTDOCFLAGS="-D warnings -Zunstable-options -Zcrate-attr=feature(rustdoc_missing_doc_code_examples) -D rustdoc::missing_doc_code_examples" \
  cargo doc "${packages[@]}" --all-features --no-deps --locked
echo "ok: every public item of the libraries has an example"
