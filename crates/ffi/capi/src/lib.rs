//! `libpanicqr`: the C library. Everything is in `panicqr-ffi`; this crate
//! adds the panic handler a `no_std` library needs.
//!
//! The handler is never reached: `ci/panic-free.sh` links every entry point
//! with the `panic-never` handler, which references an undefined symbol.
//! Linking this library together with another Rust staticlib gives two panic
//! handlers; link `panicqr-ffi` as an rlib into that Rust code instead.
#![no_std]

pub use panicqr_ffi::*;

#[cfg(not(feature = "panic-never"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

#[cfg(feature = "panic-never")]
unsafe extern "C" {
    /// Deliberately undefined: referenced only if a panic can happen.
    fn panicqr_panic_is_reachable() -> !;
}

#[cfg(feature = "panic-never")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: never defined; linking fails if this is reachable, which is the point.
    unsafe { panicqr_panic_is_reachable() }
}
