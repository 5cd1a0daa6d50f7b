//! hangviet as WebAssembly: a thin face over `hangviet-core`.

use wasm_bindgen::prelude::*;

/// The engine version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
