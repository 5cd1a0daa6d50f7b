#!/usr/bin/env bash
# Build the hangviet engine as WebAssembly.
#   wasm/pkg/       wasm-bindgen --target nodejs  (CommonJS; used by wasm/tests/)
#   wasm/dist/pkg/  wasm-bindgen --target web     (ES module; for the web page)
# Needs the wasm32-unknown-unknown target and wasm-bindgen-cli at the exact
# version of the wasm-bindgen crate in Cargo.lock (tests/run installs both).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# wasm-bindgen-cli must match the crate version exactly, or the generated glue
# and the module disagree ("rust Wasm file schema version" error).
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$want" ]; then
    echo "wasm/build.sh: no wasm-bindgen package in Cargo.lock; run 'cargo generate-lockfile' first" >&2
    exit 1
fi
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [ "$have" != "$want" ]; then
    echo "wasm/build.sh: need wasm-bindgen-cli $want (found '${have:-none}');" \
        "run ./tests/run or 'cargo install wasm-bindgen-cli --version $want'" >&2
    exit 1
fi

cargo build -p hangviet-wasm --target wasm32-unknown-unknown --release
module="target/wasm32-unknown-unknown/release/hangviet_wasm.wasm"

rm -rf wasm/pkg wasm/dist/pkg
wasm-bindgen --target nodejs --out-dir wasm/pkg "$module"
wasm-bindgen --target web --out-dir wasm/dist/pkg "$module"
# Lets node (the tests) load the web build's .js as the ES module it is;
# browsers ignore this file.
printf '{ "type": "module" }\n' >wasm/dist/pkg/package.json

for f in wasm/pkg/hangviet_wasm_bg.wasm wasm/dist/pkg/hangviet_wasm_bg.wasm; do
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    printf 'wasm size: %s  %d bytes raw, %d bytes gzipped (%d KiB / %d KiB)\n' \
        "$f" "$raw" "$gz" $((raw / 1024)) $((gz / 1024))
done
