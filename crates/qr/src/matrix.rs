//! Where everything goes in the symbol (ISO/IEC 18004 §7.3, §7.7–7.9), computed
//! one row at a time as bit sets, so no module map is stored.
//!
//! The set of function modules is symmetric under transposition (finders,
//! timing, alignment, format and version areas all mirror across the
//! diagonal), so `function_mask(i)` is both row `i` and column `i`.

use crate::row::Row;
use crate::Version;

/// The geometry of one version.
///
/// The width is always derived from the [`Version`] (a `u8`), never stored as
/// a bare `usize`: the optimiser then knows `17 <= width <= 4·255 + 17`, so
/// every `width − k` (k ≤ 17) and `width + small` below is provably in range
/// and compiles without an overflow check.
pub(crate) struct Layout {
    version: Version,
    /// Bits `0..width`.
    pub(crate) full: Row,
    /// Coordinates within ±2 of any alignment centre.
    align_any: Row,
    /// The same without the first and last centre (rows through the first
    /// centre skip the patterns that would overlap finders).
    align_inner: Row,
    /// The same without the first centre.
    align_not_first: Row,
    first: usize,
    last: usize,
    centres: [u8; 7],
    n_centres: usize,
    version_bits: u32,
    /// Version information by rows 0..6: bits 3y..3y+2, for columns w−11..w−8.
    version_rows: [u8; 6],
    /// Version information by rows w−11..w−8 (index j): bits j, 3+j, …, 15+j,
    /// for columns 0..6.
    version_cols: [u8; 3],
}

impl Layout {
    pub(crate) fn new(version: Version) -> Layout {
        let width = version.width();
        let (centres, n) = version.alignment_centres();
        let mut align_any = Row::ZERO;
        let mut align_inner = Row::ZERO;
        let mut align_not_first = Row::ZERO;
        for (i, &c) in centres.iter().take(n).enumerate() {
            let c = usize::from(c);
            let win = Row::range(c.saturating_sub(2), c + 3);
            align_any |= win;
            if i != 0 {
                align_not_first |= win;
                if i + 1 != n {
                    align_inner |= win;
                }
            }
        }
        let first = usize::from(centres[0]);
        let last = n
            .checked_sub(1)
            .and_then(|i| centres.get(i))
            .map_or(0, |&c| usize::from(c));
        let version_bits = version_info_bits(version);
        let mut version_rows = [0u8; 6];
        let mut version_cols = [0u8; 3];
        for i in 0..18 {
            if bit_of(version_bits, i) {
                if let Some(r) = version_rows.get_mut(i / 3) {
                    *r |= 1 << (i % 3);
                }
                if let Some(c) = version_cols.get_mut(i % 3) {
                    *c |= 1 << (i / 3);
                }
            }
        }
        Layout {
            version,
            full: Row::range(0, width),
            align_any,
            align_inner,
            align_not_first,
            first,
            last,
            centres,
            n_centres: n,
            version_bits,
            version_rows,
            version_cols,
        }
    }

    /// The version this is the layout of.
    #[inline]
    pub(crate) fn version(&self) -> Version {
        self.version
    }

    /// Modules per side, `4·v + 17` (see the type's note on ranges).
    #[inline]
    pub(crate) fn width(&self) -> usize {
        self.version.width()
    }

    /// Alignment columns that have a pattern in row `y` (empty if none).
    fn alignment_columns(&self, y: usize) -> Row {
        if self.n_centres == 0 || !self.align_any.get(y) {
            return Row::ZERO;
        }
        if y.abs_diff(self.first) <= 2 {
            self.align_inner
        } else if y.abs_diff(self.last) <= 2 {
            self.align_not_first
        } else {
            self.align_any
        }
    }

    /// Function modules of row `y` (equally, of column `y`).
    pub(crate) fn function_mask(&self, y: usize) -> Row {
        let w = self.width();
        if y == 6 {
            return self.full;
        }
        let mut r = Row::bit(6) | self.alignment_columns(y);
        if y < 9 {
            r |= Row::range(0, 9) | Row::range(w - 8, w);
        } else if y >= w - 8 {
            r |= Row::range(0, 9);
        }
        if self.version_bits != 0 {
            if y < 6 {
                r |= Row::range(w - 11, w - 8);
            } else if (w - 11..w - 8).contains(&y) {
                r |= Row::range(0, 6);
            }
        }
        r
    }

    /// Dark function modules of row `y` (`transposed`: of column `y`), except
    /// format information, which depends on the mask and is drawn by
    /// [`format_row`]. Everything here mirrors across the diagonal but the
    /// single dark module at (8, w − 8).
    pub(crate) fn function_dark(&self, y: usize, transposed: bool) -> Row {
        let w = self.width();
        if y >= w {
            return Row::ZERO;
        }
        let mut r = Row::ZERO;
        // Finder patterns: rows of 7 modules, ISO/IEC 18004 §7.3.2.
        let finder = |row: usize| -> u64 {
            match row {
                0 | 6 => 0b111_1111,
                1 | 5 => 0b100_0001,
                _ => 0b101_1101,
            }
        };
        let put = |r: &mut Row, bits: u64, at: usize| {
            for i in 0..64 {
                if bits >> i & 1 == 1 {
                    r.set(at + i);
                }
            }
        };
        if y < 7 {
            put(&mut r, finder(y), 0);
            put(&mut r, finder(y), w - 7);
        } else if y >= w - 7 {
            put(&mut r, finder(y - (w - 7)), 0);
        }
        // Timing patterns, §7.3.4: dark on even coordinates.
        if y == 6 {
            r |= Row::range(8, w - 8) & Row::EVEN;
        } else if (8..w - 8).contains(&y) && y % 2 == 0 {
            r.set(6);
        }
        // Alignment patterns, §7.3.5.
        // `cols` is a union of 5-module windows cx−2..=cx+2 with gaps of at
        // least 7 modules (centres are 12 or more apart), so each pattern row
        // is a bit operation on it: the whole window (|dy| = 2), its two
        // edges (|dy| = 1), or the edges and the centre (dy = 0). No
        // coordinate arithmetic.
        let cols = self.alignment_columns(y);
        if !cols.is_zero() {
            if let Some(&cy) = self
                .centres
                .iter()
                .take(self.n_centres)
                .find(|&&c| y.abs_diff(usize::from(c)) <= 2)
            {
                let edges = cols & !(cols.ahead(1) & cols.behind(1));
                r |= match y.abs_diff(usize::from(cy)) {
                    2 => cols,
                    1 => edges,
                    _ => edges | (cols & cols.ahead(2) & cols.behind(2)),
                };
            }
        }
        // Version information, §7.10: bit i at (w−11 + i mod 3, i div 3) and mirrored.
        if self.version_bits != 0 {
            // Table look-ups (built in `new`): no index arithmetic here.
            if y < 6 {
                if let Some(&g) = self.version_rows.get(y) {
                    put(&mut r, u64::from(g), w - 11);
                }
            } else if let Some(&g) = y.checked_sub(w - 11).and_then(|j| self.version_cols.get(j)) {
                put(&mut r, u64::from(g), 0);
            }
        }
        // The single dark module beside the lower-left format area.
        match (transposed, y) {
            (false, _) if y == w - 8 => r.set(8),
            (true, 8) => r.set(w - 8),
            _ => {}
        }
        r
    }
}

/// Bit `i` of `bits`; false from bit 32 on. A checked shift: a shift amount
/// the optimiser cannot bound leaves no overflow check (and no panic) behind.
#[inline]
fn bit_of(bits: u32, i: usize) -> bool {
    u32::try_from(i)
        .ok()
        .and_then(|i| bits.checked_shr(i))
        .is_some_and(|b| b & 1 == 1)
}

/// The 15 format bits for a level and mask: BCH(15,5), XOR 0x5412 (§7.9.1).
pub(crate) fn format_bits(ec_bits: u16, mask: u8) -> u16 {
    let data = (ec_bits << 3) | u16::from(mask);
    let mut rem = data;
    for _ in 0..10 {
        // rem < 2^10, so rem >> 9 is 0 or 1; the mask says so to the optimiser.
        rem = (rem << 1) ^ (((rem >> 9) & 1) * 0x537);
    }
    ((data << 10) | rem) ^ 0x5412
}

/// The 18 version bits: BCH(18,6) (§7.10), 0 below version 7.
fn version_info_bits(version: Version) -> u32 {
    let v = u32::from(version.number());
    if v < 7 {
        return 0;
    }
    let mut rem = v;
    for _ in 0..12 {
        rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
    }
    (v << 12) | rem
}

/// Dark format modules of row `y` (`transposed`: of column `y`).
///
/// Bit i of the format word goes, first copy, to (8, i) for i ≤ 5, (8, 7),
/// (8, 8), (7, 8), then (14 − i, 8); second copy to (w − 1 − i, 8) for i ≤ 7
/// and (8, w − 15 + i) after (§7.9.1, Figure 25).
pub(crate) fn format_row(fmt: u16, version: Version, y: usize, transposed: bool) -> Row {
    // w = 4·v + 17 ≥ 17 (v a u8), so w − 15 and w − 1 − i (i < 8) are in range.
    let w = version.width();
    if y >= w {
        return Row::ZERO;
    }
    let mut r = Row::ZERO;
    let mut put = |x: usize, i: usize| {
        if bit_of(u32::from(fmt), i) {
            r.set(x);
        }
    };
    if !transposed {
        match y {
            0..=5 => put(8, y),
            7 => put(8, 6),
            8 => {
                put(8, 7);
                put(7, 8);
                for i in 9..15 {
                    put(14 - i, i);
                }
                for i in 0..8 {
                    put(w - 1 - i, i);
                }
            }
            // y in w−7..w: bits 8..=14.
            _ if y >= w - 7 => put(8, y - (w - 15)),
            _ => {}
        }
    } else {
        match y {
            0..=5 => put(8, 14 - y),
            7 => put(8, 8),
            8 => {
                for i in 0..6 {
                    put(i, i);
                }
                put(7, 6);
                put(8, 7);
                for i in 8..15 {
                    put(w - 15 + i, i);
                }
            }
            // y in w−8..w (checked above): bits 7..=0.
            _ if y >= w - 8 => put(8, w - 1 - y),
            _ => {}
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_bits_known_values() {
        // ISO/IEC 18004 Table C.1: L/mask 0 = 111011111000100, M/mask 0 = 101010000010010.
        assert_eq!(format_bits(1, 0), 0b111011111000100);
        assert_eq!(format_bits(0, 0), 0b101010000010010);
        assert_eq!(format_bits(2, 7), 0b000100000111011);
        assert_eq!(format_bits(2, 1), 0b001001110111110);
    }

    #[test]
    fn version_bits_known_value() {
        // ISO/IEC 18004 Table D.1: version 7 = 000111110010010100.
        assert_eq!(
            version_info_bits(Version::new(7).unwrap()),
            0b000111110010010100
        );
        assert_eq!(
            version_info_bits(Version::new(40).unwrap()),
            0b101000110001101001
        );
    }

    #[test]
    fn function_modules_are_symmetric_and_counted() {
        for v in (1..=40).filter_map(Version::new) {
            let l = Layout::new(v);
            let w = l.width();
            let mut count = 0;
            for y in 0..w {
                let r = l.function_mask(y);
                count += r.count_ones() as usize;
                assert!((r & !l.full).is_zero());
                for x in 0..w {
                    assert_eq!(
                        r.get(x),
                        l.function_mask(x).get(y),
                        "v{} ({x},{y})",
                        v.number()
                    );
                }
                assert!(
                    (l.function_dark(y, false) & !r).is_zero(),
                    "dark outside function, v{} row {y}",
                    v.number()
                );
                // Format positions are function modules.
                assert!((format_row(0x7FFF, v, y, false) & !r).is_zero());
                assert!((format_row(0x7FFF, v, y, true) & !r).is_zero());
            }
            assert_eq!(w * w - count, v.raw_data_modules(), "v{}", v.number());
        }
    }

    #[test]
    fn transposed_format_rows_mirror_rows() {
        let v = Version::new(7).unwrap();
        let w = v.width();
        for fmt in [0x5412u16, 0x1234, 0x7FFF] {
            for y in 0..w {
                for x in 0..w {
                    assert_eq!(
                        format_row(fmt, v, y, false).get(x),
                        format_row(fmt, v, x, true).get(y)
                    );
                }
            }
        }
    }
}
