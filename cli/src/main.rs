fn main() {
    println!("hangviet {}", env!("CARGO_PKG_VERSION"));
}
