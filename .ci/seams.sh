#!/usr/bin/env bash
# The adapter seam, checked: the shared crates (the core, the adapter kit,
# the event formats) name no adapter and pull no provider crate or runtime;
# anyfn-functions and anyfn-auto reach the adapters only through their
# cargo features, and each feature alone builds and pulls only its own.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "seams: $*" >&2
  exit 1
}

# Adapters and the provider crates only adapters may use.
adapter_crates='anyfn-(server|lambda|azure)'
provider_crates='lambda_runtime|lambda_runtime_api_client|lambda_http|aws_lambda_events|worker'
runtime_crates='hyper|hyper-util|tokio|tower|tower-service|tower-layer|tower-http|axum|axum-core'

# 1. No adapter path in the shared crates' sources (prose in docs aside).
if git grep -nE 'anyfn_(server|lambda|azure)::' -- src adapters/kit adapters/formats ':!*.md'; then
  fail "a shared crate names an adapter (above)"
fi
echo "ok: no anyfn_server::, anyfn_lambda:: or anyfn_azure:: path in the sources of src/, adapters/kit, adapters/formats (docs aside)"

# 2. No adapter, provider or runtime crate in their dependency trees (the
#    AWS formats crate reads AWS's JSON itself: no aws_lambda_events).
for crate in anyfn anyfn-kit anyfn-formats-aws anyfn-formats-google; do
  tree="$(cargo tree -p "$crate" -e normal --locked --prefix none)"
  if grep -E "^($adapter_crates|$provider_crates|$runtime_crates) " <<<"$tree"; then
    fail "$crate depends on an adapter, provider or runtime crate (above)"
  fi
  echo "ok: $crate: $(wc -l <<<"$tree") entries, no adapter, provider or runtime crate"
done

# 3. Without features, anyfn-functions and anyfn-auto build and pull no
#    adapter: every adapter path in them is behind its feature.
for crate in anyfn-functions anyfn-auto; do
  cargo clippy -p "$crate" --no-default-features --locked --quiet -- -D warnings
  tree="$(cargo tree -p "$crate" --no-default-features -e normal --locked --prefix none)"
  if grep -E "^($adapter_crates|$provider_crates) " <<<"$tree"; then
    fail "$crate without features depends on an adapter or provider crate (above)"
  fi
  echo "ok: $crate builds without features, and pulls no adapter"
done

# 4. Each adapter feature alone builds, and pulls only its own adapter.
for feature in server lambda azure; do
  cargo clippy -p anyfn-auto --no-default-features --features "$feature" --locked --quiet -- -D warnings
  tree="$(cargo tree -p anyfn-auto --no-default-features --features "$feature" -e normal --locked --prefix none)"
  others="$(grep -E "^anyfn-(server|lambda|azure) " <<<"$tree" | grep -v "^anyfn-$feature " || true)"
  if [[ -n "$others" ]]; then
    echo "$others"
    fail "anyfn-auto with only \`$feature\` pulls another adapter (above)"
  fi
  if [[ "$feature" != lambda ]] && grep -E "^($provider_crates) " <<<"$tree"; then
    fail "anyfn-auto with only \`$feature\` pulls a Lambda provider crate (above)"
  fi
  echo "ok: anyfn-auto --features $feature builds and pulls anyfn-$feature alone"
done
