//! Segments: runs of data in one encoding mode (ISO/IEC 18004 §7.4.3–7.4.5),
//! including the two "bytes as decimal digits" packings of the Linux panic
//! report format, produced on the fly without a digit buffer.

use core::num::NonZeroU32;

use crate::bits::BitWriter;
use crate::Version;

/// A run of data to encode in one mode.
///
/// # Examples
/// ```
/// use panicqr_qr::{Segment, Mode};
/// let url = Segment::Bytes(b"https://example.org/#?a=x86_64&v=6.1&z=");
/// let payload = Segment::DecimalBytes(&[0x48, 0x89, 0x01]);
/// assert_eq!(url.mode(), Mode::Byte);
/// assert_eq!(payload.mode(), Mode::Numeric);
/// // Three bytes become 8 digits (the width of 256³ − 1).
/// assert_eq!(payload.char_count(), 8);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    /// ASCII digits `0`–`9`, 10 bits per 3 digits.
    Numeric(&'a [u8]),
    /// Characters of `0-9A-Z $%*+-./:`, 11 bits per 2 characters.
    Alphanumeric(&'a [u8]),
    /// Any bytes, 8 bits each.
    Bytes(&'a [u8]),
    /// Bytes written as the decimal digits of the `z=` parameter (groups of 7
    /// little-endian bytes become 17 digits), in numeric mode. The digits are
    /// generated while encoding; no digit string is stored.
    DecimalBytes(&'a [u8]),
    /// Bytes written as the legacy `zl=` digits of Linux 6.12–6.14 (13 bits
    /// become 4 digits), in numeric mode, exactly as those kernels did.
    DecimalBytesLegacy(&'a [u8]),
}

/// The encoding mode of a segment as it appears in the symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Mode indicator 0001.
    Numeric,
    /// Mode indicator 0010.
    Alphanumeric,
    /// Mode indicator 0100.
    Byte,
}

impl Mode {
    const fn indicator(self) -> u32 {
        match self {
            Mode::Numeric => 1,
            Mode::Alphanumeric => 2,
            Mode::Byte => 4,
        }
    }

    /// Bits of the character count field at `version` (ISO/IEC 18004 Table 3).
    #[expect(clippy::indexing_slicing, reason = "band is 0, 1 or 2")]
    pub const fn count_bits(self, version: Version) -> u32 {
        let band = match version.number() {
            1..=9 => 0,
            10..=26 => 1,
            _ => 2,
        };
        match self {
            Mode::Numeric => [10, 12, 14][band],
            Mode::Alphanumeric => [9, 11, 13][band],
            Mode::Byte => [8, 16, 16][band],
        }
    }
}

/// Digits of the decimal writing of a group of `k` bytes (`k = 0..=7`): the
/// digits of 256^k − 1 (docs/format.md §2).
pub(crate) const GROUP_DIGITS: [usize; 8] = [0, 3, 5, 8, 10, 13, 15, 17];

impl Segment<'_> {
    /// The mode this segment is written in.
    pub const fn mode(&self) -> Mode {
        match self {
            Segment::Numeric(_) | Segment::DecimalBytes(_) | Segment::DecimalBytesLegacy(_) => {
                Mode::Numeric
            }
            Segment::Alphanumeric(_) => Mode::Alphanumeric,
            Segment::Bytes(_) => Mode::Byte,
        }
    }

    /// The number of characters (digits, for the decimal packings) the
    /// character count field holds.
    pub const fn char_count(&self) -> usize {
        match self {
            Segment::Numeric(d) | Segment::Alphanumeric(d) | Segment::Bytes(d) => d.len(),
            Segment::DecimalBytes(d) => decimal_digits(d.len()),
            Segment::DecimalBytesLegacy(d) => legacy_digits(d.len()),
        }
    }

    /// Bits of the encoded data after the header.
    #[expect(clippy::indexing_slicing, reason = "n % 3 indexes a 3-entry table")]
    fn data_bits(&self) -> Option<usize> {
        let n = self.char_count();
        match self.mode() {
            Mode::Numeric => (n / 3).checked_mul(10)?.checked_add([0, 4, 7][n % 3]),
            Mode::Alphanumeric => (n / 2).checked_mul(11)?.checked_add((n % 2) * 6),
            Mode::Byte => n.checked_mul(8),
        }
    }

    /// Total bits (header, count, data) at `version`, or `None` if the count
    /// does not fit its field there.
    pub fn bit_len(&self, version: Version) -> Option<usize> {
        let cc = self.mode().count_bits(version);
        // cc is 8 to 16; a checked shift still, as the optimiser does not
        // see through the table.
        if self.char_count().checked_shr(cc).unwrap_or(0) != 0 {
            return None;
        }
        // The count fits its field (at most 16 bits), so this cannot
        // overflow; checked all the same so no overflow path exists.
        self.data_bits()?.checked_add(4)?.checked_add(cc as usize)
    }

    /// The position and value of the first byte the mode cannot encode.
    pub(crate) fn first_invalid(&self) -> Option<(usize, u8)> {
        let bad = |d: &[u8], ok: fn(u8) -> bool| {
            d.iter()
                .position(|&b| !ok(b))
                .and_then(|i| d.get(i).map(|&b| (i, b)))
        };
        match self {
            Segment::Numeric(d) => bad(d, |b| b.is_ascii_digit()),
            Segment::Alphanumeric(d) => bad(d, |b| alnum_value(b).is_some()),
            _ => None,
        }
    }

    pub(crate) fn write(&self, w: &mut BitWriter<'_>, version: Version) {
        let mode = self.mode();
        w.push(mode.indicator(), 4);
        w.push(self.char_count() as u32, mode.count_bits(version));
        match self {
            Segment::Numeric(d) => {
                let mut p = DigitPacker::default();
                for &b in *d {
                    p.push_digit(w, u32::from(b.wrapping_sub(b'0')));
                }
                p.finish(w);
            }
            Segment::Alphanumeric(d) => {
                let value = |c: u8| u32::from(alnum_value(c).unwrap_or(0));
                let mut pairs = d.chunks_exact(2);
                for pair in &mut pairs {
                    if let [a, b] = *pair {
                        // Values are below 256 (u8): at most 255·45 + 255.
                        w.push(value(a) * 45 + value(b), 11);
                    }
                }
                if let [c] = pairs.remainder() {
                    w.push(u32::from(alnum_value(*c).unwrap_or(0)), 6);
                }
            }
            Segment::Bytes(d) => {
                let mut words = d.chunks_exact(4);
                for c in &mut words {
                    if let Some(&b) = c.first_chunk::<4>() {
                        w.push(u32::from_be_bytes(b), 32);
                    }
                }
                for &b in words.remainder() {
                    w.push(u32::from(b), 8);
                }
            }
            Segment::DecimalBytes(d) => write_decimal(w, d),
            Segment::DecimalBytesLegacy(d) => write_legacy(w, d),
        }
    }
}

/// Digits of the `z=` writing of `n` bytes: `17·⌊n/7⌋ + W[n mod 7]`.
///
/// Saturates at `usize::MAX` for lengths whose count does not fit a `usize`
/// (no QR count field holds them either), so it never overflows.
#[expect(clippy::indexing_slicing, reason = "n % 7 indexes an 8-entry table")]
pub const fn decimal_digits(n: usize) -> usize {
    (n / 7)
        .saturating_mul(17)
        .saturating_add(GROUP_DIGITS[n % 7])
}

/// Digits of the legacy `zl=` writing of `n` bytes: 4 per 13 bits, and for a
/// last group of b bits, 1 digit if b = 1 else ⌊(b+1)/3⌋.
///
/// Exact while `8·n` fits a `usize`; beyond, a count far larger than any QR
/// count field (it never overflows).
pub const fn legacy_digits(n: usize) -> usize {
    let bits = n.saturating_mul(8);
    // k < 13 and bits / 13 * 4 < bits: neither sum can overflow, but
    // saturating says so to compilers that cannot prove it (32-bit targets).
    let tail = match bits % 13 {
        1 => 1,
        k => k.saturating_add(1) / 3,
    };
    (bits / 13).saturating_mul(4).saturating_add(tail)
}

/// The alphanumeric mode's character set, in value order (§7.4.5, Table 5).
const ALNUM_CHARS: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Value of every byte in the alphanumeric mode; `NOT_ALNUM` outside it.
static ALNUM: [u8; 256] = build_alnum();
const NOT_ALNUM: u8 = 0xFF;

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index is a build error"
)]
const fn build_alnum() -> [u8; 256] {
    let mut t = [NOT_ALNUM; 256];
    let mut v = 0;
    while v < ALNUM_CHARS.len() {
        t[ALNUM_CHARS[v] as usize] = v as u8;
        v += 1;
    }
    t
}

/// The alphanumeric value of `c` (a table look-up: no arithmetic).
fn alnum_value(c: u8) -> Option<u8> {
    ALNUM
        .get(usize::from(c))
        .copied()
        .filter(|&v| v != NOT_ALNUM)
}

/// Groups decimal digits by three into 10-bit numbers (the numeric mode).
#[derive(Default)]
struct DigitPacker {
    acc: u32,
    n: u32,
}

impl DigitPacker {
    #[inline]
    fn push_digit(&mut self, w: &mut BitWriter<'_>, d: u32) {
        // acc < 100 and n < 3 between calls, d < 10: the masks state that
        // for the optimiser (no overflow check is left) and are no-ops.
        self.acc = (self.acc & 127) * 10 + (d & 15);
        self.n = (self.n & 3) + 1;
        if self.n >= 3 {
            w.push(self.acc, 10);
            self.acc = 0;
            self.n = 0;
        }
    }

    /// Pushes a whole 3-digit group when aligned, else digit by digit.
    #[inline]
    fn push_three(&mut self, w: &mut BitWriter<'_>, v: u32) {
        if self.n == 0 {
            w.push(v, 10);
        } else {
            self.push_digit(w, v / 100);
            self.push_digit(w, v / 10 % 10);
            self.push_digit(w, v % 10);
        }
    }

    fn finish(self, w: &mut BitWriter<'_>) {
        match self.n {
            1 => w.push(self.acc, 4),
            2 => w.push(self.acc, 7),
            _ => {}
        }
    }
}

/// The decimal value of a `z=` group of up to 7 little-endian bytes, as six
/// base-1000 digits, least significant first (each 0–999; the last is below
/// 100 for 7 bytes, since 256⁷ − 1 has 17 decimal digits).
///
/// Uses only 32-bit arithmetic, so 32-bit targets need no 64-bit division
/// helper (Linux provides none to Rust code): the value is
/// `hi·2³² + lo`, both halves are split into base-1000 digits with 32-bit
/// divisions by constants, `hi` is multiplied by 2³² = [296, 967, 294, 4]
/// digit by digit, and the carries are propagated. Bytes past the 7th are
/// ignored.
pub fn decimal_group(group: &[u8]) -> [u32; 6] {
    let byte = |i: usize| u32::from(group.get(i).copied().unwrap_or(0));
    let lo = byte(0) | byte(1) << 8 | byte(2) << 16 | byte(3) << 24;
    // At most 24 bits: below 16,777,216.
    let hi = byte(4) | byte(5) << 8 | byte(6) << 16;
    let l = [
        lo % 1000,
        lo / 1000 % 1000,
        lo / 1_000_000 % 1000,
        lo / 1_000_000_000,
    ];
    let h = [hi % 1000, hi / 1000 % 1000, hi / 1_000_000];
    const TWO_32: [u32; 4] = [296, 967, 294, 4];
    let mut acc = [0u32; 6];
    for (a, &x) in acc.iter_mut().zip(&l) {
        *a = x;
    }
    // Each column sums at most three products below 1000·1000 plus one digit,
    // well inside u32.
    for (i, &x) in h.iter().enumerate() {
        for (a, &p) in acc.iter_mut().skip(i).zip(&TWO_32) {
            *a += x * p;
        }
    }
    let mut carry = 0;
    for a in &mut acc {
        let v = *a + carry;
        *a = v % 1000;
        carry = v / 1000;
    }
    acc
}

/// Powers of ten below 1000, to pick a digit out of a base-1000 digit.
/// `NonZeroU32`: dividing by one needs no division-by-zero check.
const DIGIT_POW: [NonZeroU32; 3] = [NonZeroU32::MIN, TEN, HUNDRED];
const TEN: NonZeroU32 = NonZeroU32::MIN.saturating_add(9);
const HUNDRED: NonZeroU32 = TEN.saturating_mul(TEN);
const THOUSAND: NonZeroU32 = HUNDRED.saturating_mul(TEN);
const _: () = assert!(TEN.get() == 10 && HUNDRED.get() == 100 && THOUSAND.get() == 1000);

fn write_decimal(w: &mut BitWriter<'_>, data: &[u8]) {
    let mut p = DigitPacker::default();
    let mut groups = data.chunks_exact(7);
    for g in &mut groups {
        // 17 digits: 2 leading, then five groups of three.
        let [g0, g1, g2, g3, g4, top] = decimal_group(g);
        p.push_digit(w, top / 10);
        p.push_digit(w, top % 10);
        for part in [g4, g3, g2, g1, g0] {
            p.push_three(w, part);
        }
    }
    let rest = groups.remainder();
    if !rest.is_empty() {
        let parts = decimal_group(rest);
        let digits = GROUP_DIGITS.get(rest.len()).copied().unwrap_or(0);
        // Digit i counted from the right is digit i % 3 of part i / 3.
        for i in (0..digits).rev() {
            let part = parts.get(i / 3).copied().unwrap_or(0);
            let pow = DIGIT_POW.get(i % 3).copied().unwrap_or(NonZeroU32::MIN);
            p.push_digit(w, part / pow % 10);
        }
    }
    p.finish(w);
}

/// The legacy packing, with Linux 6.12's exact arithmetic: each 13-bit group
/// (and the shorter last one) is a decimal number of 4 (or fewer) digits,
/// carried across 3-digit numeric groups. A last group whose value does not
/// fit its digit count is written as those kernels wrote it (such codes were
/// unreadable then too).
fn write_legacy(w: &mut BitWriter<'_>, data: &[u8]) {
    // Non-zero divisors: no division-by-zero check (the optimiser cannot
    // see through a table of plain integers).
    const POW10: [NonZeroU32; 4] = [NonZeroU32::MIN, TEN, HUNDRED, THOUSAND];
    const BITS: [u32; 4] = [0, 4, 7, 10];
    let pow = |i: u32| POW10.get(i as usize).copied().unwrap_or(NonZeroU32::MIN);
    let bits_of = |i: u32| BITS.get(i as usize).copied().unwrap_or(10);
    // A slice this long does not fit a QR code (its count field fails
    // first); saturating keeps the bound without an overflow path.
    let total = data.len().saturating_mul(8);
    let mut offset = 0;
    let mut carry = 0u32;
    let mut carry_len = 0u32;
    // Ranges by construction, which the optimiser cannot follow across
    // iterations: size ≤ 13, value < 2¹³, chars ≤ 4, carry_len ≤ 2 at the top
    // of the loop, carry < 1000. The wrapping operations below are therefore
    // exact; they only say that no overflow check is wanted.
    while offset < total {
        let size = (total - offset).min(13);
        let value = read_bits(data, offset, size);
        // size ≤ total − offset: no wrap.
        offset = offset.wrapping_add(size);
        let chars = if size == 1 { 1 } else { (size as u32 + 1) / 3 };
        let len = carry_len.wrapping_add(chars);
        if len > 3 {
            let new_len = len - 3;
            let head = carry.wrapping_mul(pow(chars.wrapping_sub(new_len)).get());
            w.push(head.wrapping_add(value / pow(new_len)), 10);
            carry = value % pow(new_len);
            carry_len = new_len;
            if carry_len == 3 {
                w.push(carry, 10);
                carry = 0;
                carry_len = 0;
            }
        } else {
            let v = carry.wrapping_mul(pow(chars).get()).wrapping_add(value);
            w.push(v, bits_of(len));
            carry = 0;
            carry_len = 0;
        }
    }
    if carry_len > 0 {
        w.push(carry, bits_of(carry_len));
    }
}

/// `n <= 13` bits of `data` starting at bit `offset`, MSB first.
fn read_bits(data: &[u8], offset: usize, n: usize) -> u32 {
    let mut v = 0u32;
    for i in offset..offset.saturating_add(n) {
        let byte = data.get(i / 8).copied().unwrap_or(0);
        v = (v << 1) | u32::from((byte >> (7 - i % 8)) & 1);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{format, string::String, vec::Vec};

    fn digits_of(seg: Segment<'_>) -> String {
        // Decode the numeric-mode bits back to digits.
        let mut buf = [0u8; 4096];
        let mut w = BitWriter::new(&mut buf);
        let v = Version::new(40).unwrap();
        seg.write(&mut w, v);
        let bits = w.bit_len();
        w.finish().unwrap();
        let get = |from: usize, n: usize| -> u32 {
            (from..from + n).fold(0, |a, i| {
                (a << 1) | u32::from((buf[i / 8] >> (7 - i % 8)) & 1)
            })
        };
        let count = get(4, 14) as usize;
        let mut pos = 18;
        let mut out = String::new();
        let mut left = count;
        while left > 0 {
            let (nd, nb) = match left {
                1 => (1, 4),
                2 => (2, 7),
                _ => (3, 10),
            };
            out.push_str(&format!("{:0width$}", get(pos, nb), width = nd));
            pos += nb;
            left -= nd;
        }
        assert_eq!(pos, bits);
        out
    }

    #[test]
    fn alphanumeric_table_matches_table_5() {
        let values: Vec<Option<u8>> = (0..=255u8).map(alnum_value).collect();
        assert_eq!(values.iter().filter(|v| v.is_some()).count(), 45);
        assert_eq!(alnum_value(b'0'), Some(0));
        assert_eq!(alnum_value(b'9'), Some(9));
        assert_eq!(alnum_value(b'A'), Some(10));
        assert_eq!(alnum_value(b'Z'), Some(35));
        assert_eq!(alnum_value(b' '), Some(36));
        assert_eq!(alnum_value(b':'), Some(44));
        assert_eq!(alnum_value(b'a'), None);
        assert_eq!(alnum_value(0xFF), None);
    }

    #[test]
    fn decimal_bytes_worked_example() {
        // docs/format.md §2.
        let data = [0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 0, 0, 0];
        assert_eq!(
            digits_of(Segment::DecimalBytes(&data)),
            "00281474976710656000000000000255"
        );
    }

    #[test]
    fn decimal_digit_counts() {
        for n in 0..50 {
            let data: Vec<u8> = (0..n).map(|i| (i * 97 + 13) as u8).collect();
            let s = digits_of(Segment::DecimalBytes(&data));
            assert_eq!(s.len(), decimal_digits(n));
            // Reference: straightforward per-group formatting.
            let mut expect = String::new();
            for g in data.chunks(7) {
                let v = g.iter().rev().fold(0u64, |a, &b| (a << 8) | u64::from(b));
                expect.push_str(&format!("{:0w$}", v, w = GROUP_DIGITS[g.len()]));
            }
            assert_eq!(s, expect);
        }
    }

    #[test]
    fn decimal_group_matches_u64_arithmetic() {
        let mut values = std::vec![0u64, 1, 999, 1000, (1 << 32) - 1, 1 << 32, (1 << 56) - 1];
        for k in 0..=56 {
            values.push(1u64 << k);
            values.push((1u64 << k).saturating_sub(1));
        }
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x >> (x % 57 + 8).min(63));
        }
        for v in values {
            let v = v & ((1 << 56) - 1);
            let bytes = v.to_le_bytes();
            let mut expect = [0u32; 6];
            let mut rest = v;
            for e in &mut expect {
                *e = (rest % 1000) as u32;
                rest /= 1000;
            }
            assert_eq!(decimal_group(&bytes[..7]), expect, "{v}");
            // Shorter groups read only their own bytes.
            let n = (64 - v.leading_zeros() as usize).div_ceil(8);
            assert_eq!(decimal_group(&bytes[..n]), expect, "{v} in {n} bytes");
        }
    }

    #[test]
    fn digit_counts_of_absurd_lengths_do_not_overflow() {
        // Lengths only a corrupt caller (e.g. through the C ABI) could pass:
        // the counts saturate instead of overflowing, and no count field holds them.
        for n in [
            usize::MAX,
            usize::MAX - 1,
            usize::MAX / 2,
            usize::MAX / 7 + 1,
            usize::MAX / 8 + 1,
        ] {
            assert!(decimal_digits(n) >= n / 7 * 2, "{n}");
            assert!(legacy_digits(n) > 1 << 16, "{n}");
        }
        assert_eq!(decimal_digits(usize::MAX), usize::MAX);
        // Exact up to the largest length whose bit count fits.
        let n = usize::MAX / 8;
        let k = n * 8 % 13;
        assert_eq!(
            legacy_digits(n),
            n * 8 / 13 * 4 + if k == 1 { 1 } else { (k + 1) / 3 }
        );
    }

    #[test]
    fn legacy_digits_for_valid_tails() {
        // 2 bytes: 16 bits = one 13-bit group (4 digits) + 3 bits (1 digit).
        let data = [0xAB, 0xCD];
        let s = digits_of(Segment::DecimalBytesLegacy(&data));
        let v13 = 0xABCDu32 >> 3;
        assert_eq!(s, format!("{:04}{}", v13, 0xABCD & 7));
        assert_eq!(legacy_digits(2), 5);
    }

    #[test]
    fn invalid_characters_are_found() {
        assert_eq!(Segment::Numeric(b"12a4").first_invalid(), Some((2, b'a')));
        assert_eq!(
            Segment::Alphanumeric(b"AB c").first_invalid(),
            Some((3, b'c'))
        );
        assert_eq!(Segment::Bytes(b"anything").first_invalid(), None);
    }
}
