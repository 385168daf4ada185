//! The Linux drm_panic report format (docs: the repository's `docs/format.md`
//! summary in the README): log → zlib → decimal digits → URL → QR code, and
//! back.
//!
//! The encoding half is `no_std`, allocation-free and panic-free, for panic
//! handlers: [`url::write_prefix`], [`deflate`], [`fit::fit`]. The decoding
//! half (feature `alloc`) parses any URL, fragment, query or bare digits,
//! reports damage precisely and recovers the longest prefix of the log.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod build;
pub mod deflate;
pub mod digits;
pub mod fit;
pub mod parts;
pub mod url;

#[cfg(feature = "alloc")]
pub mod decode;
