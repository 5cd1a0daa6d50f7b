#!/usr/bin/env bash
# Build the hangviet engine as WebAssembly and the web page around it.
#   wasm/pkg/    wasm-bindgen --target nodejs  (CommonJS; used by wasm/tests/)
#   wasm/dist/   the deployable page: wasm/www/* with the --target web build in dist/pkg/
# Usage: bash wasm/build.sh         release build + wasm-opt -Oz (what ships, what CI tests)
#        bash wasm/build.sh --dev   debug build, no wasm-opt (fast, for working on the page)
# Needs the wasm32-unknown-unknown target, wasm-bindgen-cli at the exact version of the
# wasm-bindgen crate in Cargo.lock, and `npm ci` in wasm/ for wasm-opt (npm's binaryen:
# Debian's binaryen produces broken modules). ./tests/run installs all three.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

profile=release
if [ "${1:-}" = "--dev" ]; then
    profile=dev
fi

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
wasm_opt="$root/wasm/node_modules/.bin/wasm-opt"
if [ "$profile" = release ] && [ ! -x "$wasm_opt" ]; then
    echo "wasm/build.sh: wasm-opt missing; run 'npm ci' in wasm/ (or ./tests/run browser_deps)" >&2
    exit 1
fi

if [ "$profile" = release ]; then
    cargo build -p hangviet-wasm --target wasm32-unknown-unknown --release
    module="target/wasm32-unknown-unknown/release/hangviet_wasm.wasm"
else
    cargo build -p hangviet-wasm --target wasm32-unknown-unknown
    module="target/wasm32-unknown-unknown/debug/hangviet_wasm.wasm"
fi

rm -rf wasm/pkg wasm/dist
wasm-bindgen --target nodejs --out-dir wasm/pkg "$module"
mkdir -p wasm/dist
cp -R wasm/www/. wasm/dist/
wasm-bindgen --target web --no-typescript --out-dir wasm/dist/pkg "$module"
# Lets node (the tests) load the web build's .js as the ES module it is;
# browsers ignore this file.
printf '{ "type": "module" }\n' >wasm/dist/pkg/package.json

if [ "$profile" = release ]; then
    # -Oz after opt-level 3: measured smallest for the same speed (wasm/README.md).
    # The module uses SIMD (.cargo/config.toml): wasm-opt reads that from the module's
    # target_features section. The two modules differ only in their glue imports; both at once.
    pids=()
    for f in wasm/pkg/hangviet_wasm_bg.wasm wasm/dist/pkg/hangviet_wasm_bg.wasm; do
        ("$wasm_opt" -Oz "$f" -o "$f.opt" && mv "$f.opt" "$f") &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
fi

for f in wasm/pkg/hangviet_wasm_bg.wasm wasm/dist/pkg/hangviet_wasm_bg.wasm; do
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    printf 'wasm size (%s): %s  %d bytes raw, %d bytes gzipped (%d KiB / %d KiB)\n' \
        "$profile" "$f" "$raw" "$gz" $((raw / 1024)) $((gz / 1024))
done
