//! A row (or column) of up to 192 modules as a bit set, so that placement and
//! the mask penalty work on whole machine words instead of single modules.

use core::ops::{BitAnd, BitOr, BitXor, Not};

/// Bits `0..192`, bit `i` is module `i` of the row; `1` means dark.
///
/// # Invariants
/// Code that loads rows from a symbol keeps bits at and beyond the symbol width
/// at zero, so that "outside the symbol" reads as light.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Row(pub(crate) [u64; 3]);

/// The most bytes a row of a version 40 symbol occupies in a buffer.
pub(crate) const MAX_ROW_BYTES: usize = 24;

/// The `k` lowest bits set (`k <= 64`; all of them from 64 on).
const fn low_bits(k: usize) -> u64 {
    if k >= 64 {
        u64::MAX
    } else {
        (1u64 << k) - 1
    }
}

impl Row {
    pub(crate) const ZERO: Row = Row([0; 3]);
    /// The even bits (64 is even, so every word has the same pattern).
    pub(crate) const EVEN: Row = Row([0x5555_5555_5555_5555; 3]);

    /// Bits `start..end` set (both clamped to 192).
    #[expect(clippy::indexing_slicing, reason = "i < 3 indexes a 3-word array")]
    pub(crate) const fn range(start: usize, end: usize) -> Row {
        let mut words = [0u64; 3];
        let mut i = 0;
        while i < 3 {
            let lo = i * 64;
            let a = start.saturating_sub(lo);
            let b = end.saturating_sub(lo);
            let a = if a > 64 { 64 } else { a };
            let b = if b > 64 { 64 } else { b };
            // Bits below b and not below a: no shift by 64 or more.
            words[i] = low_bits(b) & !low_bits(a);
            i += 1;
        }
        Row(words)
    }

    /// Only bit `i` set (nothing when `i >= 192`).
    pub(crate) const fn bit(i: usize) -> Row {
        Row::range(i, i + 1)
    }

    pub(crate) fn get(&self, i: usize) -> bool {
        match self.0.get(i / 64) {
            Some(w) => (w >> (i % 64)) & 1 == 1,
            None => false,
        }
    }

    pub(crate) fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// `result[p] = self[p + k]`: looks `k` modules to the right.
    #[inline(always)]
    pub(crate) fn ahead(self, k: u32) -> Row {
        let [a, b, c] = self.0;
        match k {
            0 => self,
            1..=63 => Row([
                (a >> k) | (b << (64 - k)),
                (b >> k) | (c << (64 - k)),
                c >> k,
            ]),
            _ => Row::ZERO,
        }
    }

    /// `result[p] = self[p - k]`: looks `k` modules to the left (light before 0).
    #[inline(always)]
    pub(crate) fn behind(self, k: u32) -> Row {
        let [a, b, c] = self.0;
        match k {
            0 => self,
            1..=63 => Row([
                a << k,
                (b << k) | (a >> (64 - k)),
                (c << k) | (b >> (64 - k)),
            ]),
            _ => Row::ZERO,
        }
    }

    pub(crate) fn count_ones(self) -> u32 {
        self.0[0].count_ones() + self.0[1].count_ones() + self.0[2].count_ones()
    }

    pub(crate) fn is_zero(self) -> bool {
        self.0 == [0; 3]
    }

    /// Reads a row stored LSB-first in `bytes` (at most 24 are used).
    #[inline]
    pub(crate) fn load(bytes: &[u8]) -> Row {
        let mut buf = [0u8; MAX_ROW_BYTES];
        for (d, s) in buf.iter_mut().zip(bytes) {
            *d = *s;
        }
        let [w0, w1, w2] = split_words(&buf);
        Row([w0, w1, w2])
    }

    /// Writes the row LSB-first into `bytes` (as many bytes as it has, at most 24).
    #[inline]
    pub(crate) fn store(self, bytes: &mut [u8]) {
        let mut buf = [0u8; MAX_ROW_BYTES];
        for (chunk, w) in buf.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        for (d, s) in bytes.iter_mut().zip(buf) {
            *d = s;
        }
    }

    /// Iterates over the indices of the set bits, lowest first.
    /// The indices are below 192: a word's base (0, 64 or 128) plus a
    /// trailing-zero count below 64, with no counter to overflow.
    pub(crate) fn ones(self) -> impl Iterator<Item = usize> {
        self.0
            .into_iter()
            .zip([0usize, 64, 128])
            .flat_map(|(mut w, base)| {
                core::iter::from_fn(move || {
                    if w == 0 {
                        return None;
                    }
                    let tz = w.trailing_zeros() as usize;
                    w &= w - 1;
                    // base ≤ 128 and tz < 64: no wrap.
                    Some(base.wrapping_add(tz))
                })
            })
    }
}

fn split_words(buf: &[u8; MAX_ROW_BYTES]) -> [u64; 3] {
    let mut out = [0u64; 3];
    for (o, chunk) in out.iter_mut().zip(buf.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *o = u64::from_le_bytes(b);
    }
    out
}

impl BitAnd for Row {
    type Output = Row;
    #[inline(always)]
    fn bitand(self, o: Row) -> Row {
        Row([self.0[0] & o.0[0], self.0[1] & o.0[1], self.0[2] & o.0[2]])
    }
}

impl BitOr for Row {
    type Output = Row;
    #[inline(always)]
    fn bitor(self, o: Row) -> Row {
        Row([self.0[0] | o.0[0], self.0[1] | o.0[1], self.0[2] | o.0[2]])
    }
}

impl BitXor for Row {
    type Output = Row;
    #[inline(always)]
    fn bitxor(self, o: Row) -> Row {
        Row([self.0[0] ^ o.0[0], self.0[1] ^ o.0[1], self.0[2] ^ o.0[2]])
    }
}

impl Not for Row {
    type Output = Row;
    #[inline(always)]
    fn not(self) -> Row {
        Row([!self.0[0], !self.0[1], !self.0[2]])
    }
}

impl core::ops::BitOrAssign for Row {
    #[inline(always)]
    fn bitor_assign(&mut self, o: Row) {
        *self = *self | o;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_and_shifts() {
        let r = Row::range(60, 70);
        assert_eq!(r.count_ones(), 10);
        assert!(r.get(60) && r.get(69) && !r.get(70) && !r.get(59));
        let a = r.ahead(5);
        assert!(a.get(55) && a.get(64) && !a.get(65));
        let b = r.behind(5);
        assert!(b.get(65) && b.get(74) && !b.get(64));
        assert_eq!(Row::range(0, 192).count_ones(), 192);
        assert_eq!(Row::range(130, 500).count_ones(), 62);
    }

    #[test]
    fn load_store_round_trip() {
        let bytes: [u8; 23] = core::array::from_fn(|i| (i * 37 + 1) as u8);
        let r = Row::load(&bytes);
        let mut out = [0u8; 23];
        r.store(&mut out);
        assert_eq!(bytes, out);
        assert_eq!(r.ones().count() as u32, r.count_ones());
    }
}
