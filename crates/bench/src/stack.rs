//! Prints the peak stack of every panic-path entry point (stack painting,
//! see `panicqr_bench::peak_stack`); `tests/stack.rs` asserts the same
//! figures stay within [`panicqr_bench::STACK_BUDGET`].
//!
//! Run: `cargo run --release -p panicqr-bench --bin stack`.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

fn main() {
    println!(
        "peak stack (bytes), measured by stack painting; budget {}:",
        panicqr_bench::STACK_BUDGET
    );
    for (name, bytes) in panicqr_bench::panic_path_stacks() {
        println!("  {name:<50} {bytes:>6}");
    }
}
