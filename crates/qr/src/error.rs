//! The one error type of the encoder.

use core::fmt;

use crate::{EcLevel, Version};

/// Which caller-provided buffer an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Buffer {
    /// The scratch buffer (codewords, and the transposed symbol for automatic masking).
    Scratch,
    /// The symbol buffer the modules are written to.
    Symbol,
}

/// Why a symbol could not be encoded. Nothing is written past any buffer in
/// any case; the buffers' contents are unspecified after an error.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The segments need more bits than the largest allowed version holds.
    DataTooLong {
        /// Bits the segments need at `version` (header and counts included).
        bits: usize,
        /// Data bits `version` holds at `ec_level`.
        capacity_bits: usize,
        /// The largest version that was allowed.
        version: Version,
        /// The requested error correction level.
        ec_level: EcLevel,
    },
    /// A segment has more characters than its count field can hold even at
    /// the largest allowed version.
    SegmentTooLong {
        /// Index of the segment.
        segment: usize,
        /// Its characters (digits for the decimal packings).
        chars: usize,
        /// The most its mode's count field holds at the largest allowed version.
        max: usize,
    },
    /// A caller-provided buffer is shorter than the chosen version needs.
    BufferTooSmall {
        /// Which buffer.
        buffer: Buffer,
        /// Bytes it must have (see [`Version::symbol_len`] and [`Version::scratch_len`]).
        needed: usize,
        /// Bytes it has.
        actual: usize,
    },
    /// A byte that the segment's mode cannot encode.
    InvalidCharacter {
        /// Index of the segment.
        segment: usize,
        /// Index of the byte in the segment.
        position: usize,
        /// The byte.
        byte: u8,
    },
    /// `min_version` is greater than `max_version`.
    InvalidVersionRange {
        /// The smallest version allowed.
        min: Version,
        /// The largest version allowed.
        max: Version,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::DataTooLong {
                bits,
                capacity_bits,
                version,
                ec_level,
            } => write!(
                f,
                "data needs {bits} bits but version {} at level {:?} holds {capacity_bits}; \
                 shorten the data, lower the error correction level or allow a larger version",
                version.number(),
                ec_level
            ),
            Error::SegmentTooLong {
                segment,
                chars,
                max,
            } => write!(
                f,
                "segment {segment} has {chars} characters but its mode holds at most {max} at the \
                 largest allowed version; split it or allow a larger version"
            ),
            Error::BufferTooSmall {
                buffer,
                needed,
                actual,
            } => {
                write!(
                    f,
                    "{buffer:?} buffer has {actual} bytes but {needed} are needed"
                )
            }
            Error::InvalidCharacter {
                segment,
                position,
                byte,
            } => write!(
                f,
                "segment {segment} byte {position} (0x{byte:02x}) cannot be encoded in that \
                 segment's mode; use a byte segment"
            ),
            Error::InvalidVersionRange { min, max } => write!(
                f,
                "minimum version {} is greater than maximum version {}",
                min.number(),
                max.number()
            ),
        }
    }
}

impl core::error::Error for Error {}
