//! A QR Code Model 2 encoder for panic handlers: `no_std`, no allocation, no
//! `unsafe`, no panics.
//!
//! It encodes numeric, alphanumeric and byte segments, plus the two "bytes as
//! decimal digits" packings of the Linux drm_panic report format (generated
//! on the fly), at versions 1–40 and levels L/M/Q/H, with a fixed or
//! automatically chosen mask, into buffers the caller provides.
//!
//! # Guarantees (the panic path)
//! - **No heap.** Every byte written is in the two caller buffers; their exact
//!   sizes are [`Version::symbol_len`] and [`Version::scratch_len`].
//! - **No panics.** No indexing that can fail, no `unwrap`, no arithmetic that
//!   can overflow for valid versions. Too-long data or a short buffer is an
//!   [`Error`]; nothing is written past a buffer. `ci/panic-free.sh` checks the
//!   optimised object has no path to the panic handler.
//! - **No recursion, bounded stack.** The deepest call chain is fixed. Peak
//!   stack of one version-40 encode with automatic mask, measured by stack
//!   painting on x86_64 (`cargo run --release -p panicqr-bench --bin stack`):
//!   **1,425 bytes**, the same with a fixed mask (asserted by
//!   `crates/bench/tests/stack.rs`). The Reed–Solomon nibble tables are
//!   built at compile time (13 KiB of read-only data), not on the stack.
//! - **Bounded time.** Linear in the symbol size: one pass to write codewords,
//!   one for error correction, one placement pass, and 8 row-and-column passes
//!   for automatic masking.
//! - **Thread-safe** given distinct buffers: no global mutable state, no locks.
//! - **No formatting machinery** on the encode path; [`Error`] implements
//!   `Display` for callers that want a message.
//!
//! # Examples
//! ```
//! use panicqr_qr::{encode, EcLevel, MaskChoice, Options, Segment, Version};
//! let opts = Options { ec_level: EcLevel::L, ..Options::default() };
//! let mut scratch = [0u8; Version::MAX.scratch_len(MaskChoice::Auto)];
//! let mut out = [0u8; Version::MAX.symbol_len()];
//! let sym = encode(&[Segment::Bytes(b"Kernel panic - not syncing")], &opts, &mut scratch, &mut out)?;
//! for row in sym.rows() {
//!     let _line: usize = row.iter().filter(|&dark| dark).count();
//! }
//! # Ok::<(), panicqr_qr::Error>(())
//! ```
//!
//! # Mask selection
//! The penalty follows ISO/IEC 18004 §7.8.3 with the reading Nayuki's
//! `qrcodegen` uses: the finder-like rule counts 1:1:3:1:1 runs at every
//! scale, with light on one side at least 4 units and modules outside the
//! symbol taken as light. Tests check that every mask choice agrees with
//! `qrcodegen` over thousands of random symbols.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used))]

#[cfg(test)]
extern crate std;

mod bits;
mod encode;
mod error;
mod gf256;
mod mask;
mod matrix;
mod reed_solomon;
mod row;
mod segment;
mod symbol;
mod version;

pub use encode::{encode, prepare, render, Options, Prepared};
pub use error::{Buffer, Error};
pub use mask::{Mask, MaskChoice};
pub use segment::{decimal_digits, decimal_group, legacy_digits, Mode, Segment};
pub use symbol::{ModuleRow, Symbol};
pub use version::{EcLevel, Version};
