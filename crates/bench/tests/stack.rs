//! The panic path's stack bound, asserted: a stack figure is deterministic
//! for a given optimised binary, unlike a time. Optimised builds only (CI
//! runs `cargo test --release`): unoptimised frames say nothing about what
//! a kernel runs.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

#[test]
fn every_panic_path_entry_point_fits_2_kib_of_stack() {
    if cfg!(debug_assertions) {
        eprintln!("stack bound: not measured in an unoptimised build (run with --release)");
        return;
    }
    let rows = panicqr_bench::panic_path_stacks();
    assert_eq!(rows.len(), 7, "every entry point measured");
    for (name, bytes) in &rows {
        eprintln!("{name}: {bytes} bytes");
        assert!(
            *bytes > 256,
            "{name}: {bytes} bytes is not a plausible measurement"
        );
        assert!(
            *bytes <= panicqr_bench::STACK_BUDGET,
            "{name}: {bytes} bytes of stack, over {}",
            panicqr_bench::STACK_BUDGET
        );
    }
}
