//! Bytes as decimal digits: the `z=` packing (7 little-endian bytes → 17
//! digits) and the legacy `zl=` packing (13 bits → 4 digits). Encoding for the
//! QR code happens inside the encoder (`Segment::DecimalBytes`); this module
//! decodes, and encodes to text for tools.

pub use panicqr_qr::{decimal_digits, legacy_digits};

/// Digits of a last group of k = 0..=6 bytes (the digits of 256^k − 1).
pub const TAIL_DIGITS: [usize; 7] = [0, 3, 5, 8, 10, 13, 15];

/// What is wrong with a digit string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigitError {
    /// A character that is not a digit, at this digit position (0-based, after
    /// removing whitespace and line breaks).
    NotADigit {
        /// Position among the digits.
        position: usize,
    },
    /// The last group has a length no packing produces (the data was cut).
    BadTailLength {
        /// Digits in the last group.
        tail: usize,
    },
    /// A group's value is too large for its byte count (the data is damaged).
    GroupOutOfRange {
        /// Index of the group.
        group: usize,
    },
}

impl core::fmt::Display for DigitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            DigitError::NotADigit { position } => {
                write!(f, "non-digit at digit position {position}")
            }
            DigitError::BadTailLength { tail } => write!(
                f,
                "last group has {tail} digits, which no packing produces (data cut short)"
            ),
            DigitError::GroupOutOfRange { group } => {
                write!(f, "digit group {group} is out of range for its length")
            }
        }
    }
}

/// Decodes `z=` digits into `out` (at most `digits.len()/17*7 + 6` bytes are
/// written). Returns the bytes decoded; on error, the bytes before the bad
/// group are in `out` and the count is in the error's companion value.
pub fn decode_z(digits: &[u8], out: &mut [u8]) -> (usize, Option<DigitError>) {
    let mut written = 0;
    let mut pos = 0;
    let mut group = 0;
    let full = digits.len() / 17;
    let tail = digits.len() % 17;
    let tail_bytes = TAIL_DIGITS.iter().position(|&d| d == tail);
    loop {
        let (len, bytes) = if group < full {
            (17, 7)
        } else if group == full && tail > 0 {
            match tail_bytes {
                Some(b) => (tail, b),
                None => return (written, Some(DigitError::BadTailLength { tail })),
            }
        } else {
            return (written, None);
        };
        let chunk = digits.get(pos..pos + len).unwrap_or(&[]);
        let mut v: u64 = 0;
        for (i, &c) in chunk.iter().enumerate() {
            if !c.is_ascii_digit() {
                return (written, Some(DigitError::NotADigit { position: pos + i }));
            }
            v = v * 10 + u64::from(c - b'0');
        }
        if bytes < 8 && v >> (8 * bytes) != 0 {
            return (written, Some(DigitError::GroupOutOfRange { group }));
        }
        for (k, b) in v.to_le_bytes().iter().take(bytes).enumerate() {
            if let Some(o) = out.get_mut(written + k) {
                *o = *b;
            }
        }
        written += bytes;
        pos += len;
        group += 1;
    }
}

/// Writes the `z=` digits of `data` into `out`; returns the count.
pub fn encode_z(data: &[u8], out: &mut [u8]) -> usize {
    let mut n = 0;
    const POW: [u32; 3] = [1, 10, 100];
    for g in data.chunks(7) {
        // Base-1000 digits with 32-bit arithmetic only (no 64-bit division
        // helper on 32-bit targets).
        let parts = panicqr_qr::decimal_group(g);
        let width = if g.len() == 7 {
            17
        } else {
            TAIL_DIGITS.get(g.len()).copied().unwrap_or(0)
        };
        // Digit i counted from the right is digit i % 3 of part i / 3.
        for i in 0..width {
            let part = parts.get(i / 3).copied().unwrap_or(0);
            let d = part / POW.get(i % 3).copied().unwrap_or(1) % 10;
            if let Some(o) = out.get_mut(n + width - 1 - i) {
                *o = b'0' + d as u8;
            }
        }
        n += width;
    }
    n
}

/// Writes the legacy `zl=` digits of `data` as Linux 6.12–6.14 did (see
/// `Segment::DecimalBytesLegacy`): 4 digits per 13 bits, a last group of 1–3
/// digits. (Allocates: a tool-side helper.)
#[cfg(feature = "alloc")]
pub fn encode_zl(data: &[u8]) -> alloc::vec::Vec<u8> {
    use alloc::vec::Vec;
    let total = data.len() * 8;
    let mut out = Vec::with_capacity(legacy_digits(data.len()));
    let mut offset = 0;
    while offset < total {
        let size = (total - offset).min(13);
        let mut v = 0u32;
        for i in offset..offset + size {
            let byte = data.get(i / 8).copied().unwrap_or(0);
            v = (v << 1) | u32::from((byte >> (7 - i % 8)) & 1);
        }
        offset += size;
        let digits = if size == 13 {
            4
        } else if size == 1 {
            1
        } else {
            (size + 1) / 3
        };
        let mut buf = [0u8; 5];
        let mut x = v;
        for d in buf.iter_mut().take(digits).rev() {
            *d = b'0' + (x % 10) as u8;
            x /= 10;
        }
        out.extend_from_slice(buf.get(..digits).unwrap_or(&[]));
    }
    out
}

/// Decodes legacy `zl=` digits (Linux 6.12–6.14): groups of 4 digits are 13
/// bits each, big-endian, and a last group of 1–3 digits holds the remaining
/// 1–12 bits right-aligned. Returns the bytes decoded and any error.
pub fn decode_zl(digits: &[u8], out: &mut [u8]) -> (usize, Option<DigitError>) {
    if let Some(p) = digits.iter().position(|c| !c.is_ascii_digit()) {
        let (n, _) = decode_zl_groups(digits.get(..p - p % 4).unwrap_or(&[]), out);
        return (n, Some(DigitError::NotADigit { position: p }));
    }
    // Which byte count produces exactly this many digits?
    let l = digits.len();
    let Some(nbytes) = (l * 13 / 32..=l * 13 / 32 + 2).find(|&n| legacy_digits(n) == l) else {
        let (n, err) = decode_zl_groups(digits.get(..l / 4 * 4).unwrap_or(&[]), out);
        return (
            n,
            Some(err.unwrap_or(DigitError::BadTailLength { tail: l % 4 })),
        );
    };
    let mut bits = BitSink::default();
    let mut bits_left = nbytes * 8;
    for (g, chunk) in digits.chunks(4).enumerate() {
        let v = chunk
            .iter()
            .fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
        let size = bits_left.min(13) as u32;
        if u64::from(v) >> size != 0 {
            return (bits.written, Some(DigitError::GroupOutOfRange { group: g }));
        }
        bits.push(v, size, out);
        bits_left -= size as usize;
    }
    (bits.written, None)
}

/// Decodes whole 4-digit groups (13 bits each) of a cut `zl=` string, keeping
/// the whole bytes; for recovering a prefix.
pub fn decode_zl_groups(digits: &[u8], out: &mut [u8]) -> (usize, Option<DigitError>) {
    let mut bits = BitSink::default();
    for (g, chunk) in digits.chunks_exact(4).enumerate() {
        if let Some(i) = chunk.iter().position(|c| !c.is_ascii_digit()) {
            return (
                bits.written,
                Some(DigitError::NotADigit {
                    position: g * 4 + i,
                }),
            );
        }
        let v = chunk
            .iter()
            .fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
        if v >= 1 << 13 {
            return (bits.written, Some(DigitError::GroupOutOfRange { group: g }));
        }
        bits.push(v, 13, out);
    }
    (bits.written, None)
}

/// Big-endian bits in, whole bytes out.
#[derive(Default)]
struct BitSink {
    acc: u64,
    n: u32,
    written: usize,
}

impl BitSink {
    fn push(&mut self, v: u32, size: u32, out: &mut [u8]) {
        self.acc = (self.acc << size) | u64::from(v);
        self.n += size;
        while self.n >= 8 {
            self.n -= 8;
            if let Some(o) = out.get_mut(self.written) {
                *o = (self.acc >> self.n) as u8;
            }
            self.written += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example() {
        let data = [0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 0, 0, 0];
        let mut d = [0u8; 64];
        let n = encode_z(&data, &mut d);
        assert_eq!(&d[..n], b"00281474976710656000000000000255");
        let mut back = [0u8; 16];
        assert_eq!(decode_z(&d[..n], &mut back), (13, None));
        assert_eq!(&back[..13], &data);
    }

    #[test]
    fn encode_z_matches_decimal_formatting() {
        use std::{format, string::String, vec::Vec};
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for len in 0..60usize {
            let data: Vec<u8> = (0..len)
                .map(|i| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    // Some all-0xFF and all-zero groups for the extremes.
                    match (len + i / 7) % 5 {
                        0 => 0xFF,
                        1 => 0,
                        _ => x as u8,
                    }
                })
                .collect();
            let mut expect = String::new();
            for g in data.chunks(7) {
                let v = g.iter().rev().fold(0u64, |a, &b| (a << 8) | u64::from(b));
                let w = if g.len() == 7 {
                    17
                } else {
                    TAIL_DIGITS[g.len()]
                };
                expect.push_str(&format!("{v:0w$}"));
            }
            let mut d = [0u8; 160];
            let n = encode_z(&data, &mut d);
            assert_eq!(
                core::str::from_utf8(&d[..n]).unwrap(),
                expect,
                "{len} bytes"
            );
        }
    }

    #[test]
    fn errors_are_precise() {
        let mut out = [0u8; 64];
        assert_eq!(
            decode_z(b"0028147497671065600", &mut out),
            (7, Some(DigitError::BadTailLength { tail: 2 }))
        );
        assert_eq!(
            decode_z(b"0028147497671x656", &mut out),
            (0, Some(DigitError::NotADigit { position: 13 }))
        );
        assert_eq!(
            decode_z(b"00281474976710656999", &mut out),
            (7, Some(DigitError::GroupOutOfRange { group: 1 }))
        );
    }
}
