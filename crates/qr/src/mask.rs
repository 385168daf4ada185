//! Mask patterns and the penalty score that chooses among them
//! (ISO/IEC 18004 §7.8), evaluated on whole rows of bits.

use crate::matrix::{format_row, Layout};
use crate::row::Row;

/// One of the eight data mask patterns.
///
/// # Invariants
/// `self.number() < 8`.
///
/// # Examples
/// ```
/// use panicqr_qr::Mask;
/// assert_eq!(Mask::new(0).map(Mask::number), Some(0));
/// assert!(Mask::new(8).is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mask(u8);

impl Mask {
    /// Mask 0.
    pub const MIN: Mask = Mask(0);

    /// Mask `n`, or `None` unless `n < 8`.
    pub const fn new(n: u8) -> Option<Mask> {
        if n < 8 {
            // INVARIANT: checked just above.
            Some(Mask(n))
        } else {
            None
        }
    }

    /// The pattern number, 0 to 7.
    pub const fn number(self) -> u8 {
        self.0
    }

    /// Whether the mask inverts module (x, y) (§7.8.2, Table 10).
    pub const fn inverts(self, x: usize, y: usize) -> bool {
        mask_bit(self.0, x, y)
    }
}

/// How the encoder picks the mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MaskChoice {
    /// Score all eight masks and keep the lowest penalty (ties: lowest number).
    Auto,
    /// Always use this mask (Linux always uses mask 0).
    Fixed(Mask),
}

const fn mask_bit(m: u8, x: usize, y: usize) -> bool {
    match m {
        0 => (x + y) % 2 == 0,
        1 => y % 2 == 0,
        2 => x % 3 == 0,
        3 => (x + y) % 3 == 0,
        4 => (x / 3 + y / 2) % 2 == 0,
        5 => x * y % 2 + x * y % 3 == 0,
        6 => (x * y % 2 + x * y % 3) % 2 == 0,
        _ => ((x + y) % 2 + x * y % 3) % 2 == 0,
    }
}

/// Every pattern repeats every 12 rows and 12 columns (its x and y periods
/// divide 12), so 12 rows of each describe the whole symbol.
const PERIOD: usize = 12;

/// `PATTERNS[transposed][mask][y % 12]`: the inverted modules of a row (or,
/// transposed, of a column) over 192 columns.
static PATTERNS: [[[Row; PERIOD]; 8]; 2] = build_patterns();

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index is a build error"
)]
const fn build_patterns() -> [[[Row; PERIOD]; 8]; 2] {
    let mut t = [[[Row::ZERO; PERIOD]; 8]; 2];
    let mut tr = 0;
    while tr < 2 {
        let mut m = 0;
        while m < 8 {
            let mut y = 0;
            while y < PERIOD {
                let mut words = [0u64; 3];
                let mut x = 0;
                while x < 192 {
                    let on = if tr == 0 {
                        mask_bit(m as u8, x, y)
                    } else {
                        mask_bit(m as u8, y, x)
                    };
                    if on {
                        words[x / 64] |= 1 << (x % 64);
                    }
                    x += 1;
                }
                t[tr][m][y] = Row(words);
                y += 1;
            }
            m += 1;
        }
        tr += 1;
    }
    t
}

/// The inverted modules of row `y` (or column `y` when `transposed`).
#[inline]
pub(crate) fn pattern(mask: Mask, y: usize, transposed: bool) -> Row {
    PATTERNS
        .get(usize::from(transposed))
        .and_then(|t| t.get(usize::from(mask.0)))
        .and_then(|m| m.get(y % PERIOD))
        .copied()
        .unwrap_or(Row::ZERO)
}

/// A row of the finished symbol: data and function modules, masked where the
/// mask applies, with the format information for `fmt` drawn in.
#[inline]
pub(crate) fn masked_row(
    layout: &Layout,
    raw: Row,
    mask: Mask,
    fmt: u16,
    y: usize,
    transposed: bool,
) -> Row {
    let data = !layout.function_mask(y) & layout.full;
    (raw ^ (pattern(mask, y, transposed) & data)) | format_row(fmt, layout.version(), y, transposed)
}

// Penalty weights, ISO/IEC 18004 §7.8.3 Table 11.
//
// Penalties are summed with saturating arithmetic. A real total is far below
// `u32::MAX` (a version-40 symbol scores under 10⁶), so saturation never
// changes a result; it only leaves no overflow path for the optimiser to
// keep, which it cannot rule out by itself for sums over loops.
const N1: u32 = 3;
const N2: u32 = 3;
const N3: u32 = 40;
const N4: u32 = 10;

/// Rule 1 (runs of 5+ same-coloured modules) and rule 3 (1:1:3:1:1 finder
/// look-alikes with 4 light modules on one side) on one line of modules.
/// Modules outside the symbol count as light, as the quiet zone is.
#[inline]
pub(crate) fn line_penalty(dark: Row, full: Row) -> u32 {
    let light = !dark & full;
    let mut p = 0u32;
    for line in [dark, light] {
        // Windows of five equal modules; a run of L >= 5 holds L − 4 of them
        // and scores L − 2, i.e. windows + 2 per run.
        let w5 = line & line.ahead(1) & line.ahead(2) & line.ahead(3) & line.ahead(4);
        let starts = w5 & !w5.behind(1);
        p = p
            .saturating_add(w5.count_ones())
            .saturating_add((N1 - 1).saturating_mul(starts.count_ones()));
    }
    let finders = finder_like(dark, full.count_ones() as usize);
    p.saturating_add(finders.saturating_mul(N3))
}

/// Rule 3: dark:light:dark:light:dark runs of n:n:3n:n:n with at least 4n
/// light modules on one side and n on the other, at every scale n, counted
/// once per side that qualifies. Scales 1 and 2 are matched on whole words;
/// a line that could hold a larger scale (a light run of 3+ then a dark run
/// of 9+) is rare and is scanned run by run.
fn finder_like(d: Row, width: usize) -> u32 {
    let a = |k| d.ahead(k);
    let b = |k| d.behind(k);
    let mut count = 0u32;
    // n = 1: exact runs 1 0 111 0 1, light before and after.
    let core1 = d & !a(1) & a(2) & a(3) & a(4) & !a(5) & a(6) & !b(1) & !a(7);
    if !core1.is_zero() {
        count = u32::saturating_add(count, (core1 & !(a(8) | a(9) | a(10))).count_ones());
        count = u32::saturating_add(count, (core1 & !(b(2) | b(3) | b(4))).count_ones());
    }
    // n = 2: exact runs 11 00 111111 00 11, then 8 light on one side, 2 on the other.
    let core2 = d
        & a(1)
        & !a(2)
        & !a(3)
        & a(4)
        & a(5)
        & a(6)
        & a(7)
        & a(8)
        & a(9)
        & !a(10)
        & !a(11)
        & a(12)
        & a(13)
        & !a(14)
        & !b(1);
    if !core2.is_zero() {
        let after8 = !(a(15) | a(16) | a(17) | a(18) | a(19) | a(20) | a(21));
        let before8 = !(b(2) | b(3) | b(4) | b(5) | b(6) | b(7) | b(8));
        count = u32::saturating_add(count, (core2 & after8 & !b(2)).count_ones());
        count = u32::saturating_add(count, (core2 & before8 & !a(15)).count_ones());
    }
    // n >= 3 needs a light run of 3+ before a dark run of 9+.
    let dark9 = d & a(1) & a(2) & a(3) & a(4) & a(5) & a(6) & a(7) & a(8);
    if !(dark9 & !b(1) & !b(2) & !b(3)).is_zero() {
        count = u32::saturating_add(count, scaled_finder_like(d, width, 3));
    }
    count
}

/// Rule 3 by run lengths, for scales `min_n` and up. The row is framed by
/// `width` light modules on each side (the quiet zone is light).
fn scaled_finder_like(d: Row, width: usize, min_n: usize) -> u32 {
    // runs[0] is the newest finished run; light and dark alternate, and the
    // oldest entries start as the light frame.
    let mut runs = [0usize; 7];
    let mut count = 0;
    let mut colour = false;
    let mut len = width;
    // Runs are at most 2·width + 1 ≤ 385 modules, so the saturating
    // arithmetic below is exact; it states that no overflow path exists.
    let check = |runs: &[usize; 7]| -> u32 {
        let n = runs[1];
        let (n3, n4) = (n.saturating_mul(3), n.saturating_mul(4));
        if n < min_n || runs[2] != n || runs[3] != n3 || runs[4] != n || runs[5] != n {
            return 0;
        }
        u32::from(runs[0] >= n4 && runs[6] >= n) + u32::from(runs[6] >= n4 && runs[0] >= n)
    };
    for x in 0..=width {
        // One light module past the end stands for the whole light frame.
        let dark = x < width && d.get(x);
        if dark == colour {
            len = len.saturating_add(1);
            continue;
        }
        runs.rotate_right(1);
        runs[0] = len;
        if !colour {
            count = u32::saturating_add(count, check(&runs));
        }
        colour = dark;
        len = 1;
    }
    // Close the final run: the light frame follows the last module.
    if colour {
        runs.rotate_right(1);
        runs[0] = len;
        len = 0;
    }
    runs.rotate_right(1);
    runs[0] = len.saturating_add(width);
    count.saturating_add(check(&runs))
}
/// Rule 2: 2×2 blocks of one colour, for the pair of rows `a` (above) and `b`.
#[inline]
/// `pairs` holds the columns that start a 2-module pair: `0..width − 1`.
pub(crate) fn block_penalty(a: Row, b: Row, pairs: Row) -> u32 {
    let same_v = !(a ^ b);
    let same_h = !(a ^ a.ahead(1));
    let blocks = same_v & same_v.ahead(1) & same_h & pairs;
    blocks.count_ones().saturating_mul(N2)
}

/// Rule 4: how far the proportion of dark modules is from 50 %, in steps of 5 %.
pub(crate) fn balance_penalty(dark: usize, total: usize) -> u32 {
    let total = total.max(1);
    // dark ≤ total = width² ≤ 31,329: nothing saturates.
    let diff = dark.saturating_mul(20).abs_diff(total.saturating_mul(10));
    // The smallest k with |dark/total − 1/2| ≤ (k + 1)·5 %.
    let k = diff.div_ceil(total);
    u32::try_from(k.saturating_sub(1))
        .unwrap_or(u32::MAX)
        .saturating_mul(N4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_of(s: &str) -> (Row, Row) {
        let mut r = Row::ZERO;
        for (i, c) in s.bytes().enumerate() {
            if c == b'1' {
                r.set(i);
            }
        }
        (r, Row::range(0, s.len()))
    }

    #[test]
    fn patterns_match_formulas() {
        for m in (0..8).filter_map(Mask::new) {
            for y in 0..30 {
                for x in 0..177 {
                    assert_eq!(pattern(m, y, false).get(x), m.inverts(x, y));
                    assert_eq!(pattern(m, y, true).get(x), m.inverts(y, x));
                }
            }
        }
    }

    #[test]
    fn runs() {
        let (r, f) = row_of("11111010101010101010");
        assert_eq!(line_penalty(r, f), 3);
        let (r, f) = row_of("1111111010101000000010");
        // dark run of 7 → 5, light run of 7 → 5.
        assert_eq!(line_penalty(r, f), 10);
    }

    #[test]
    fn finder_like() {
        // Light border beyond the row counts as light, as in the quiet zone.
        let (r, f) = row_of("1011101010110");
        assert_eq!(line_penalty(r, f), 40);
        let (r, f) = row_of("01010110000101110101");
        // 1011101 followed by 0000 → 40; also the run of four zeros is not a penalty.
        assert!(line_penalty(r, f) >= 40);
        let (r, f) = row_of("0110111010010");
        assert_eq!(line_penalty(r, f), 0);
    }

    #[test]
    fn blocks_and_balance() {
        let (a, _) = row_of("1100");
        let (b, _) = row_of("1101");
        // Only the block at column 0 is one colour (column 2 pairs 00 over 01).
        assert_eq!(block_penalty(a, b, Row::range(0, 3)), 3);
        assert_eq!(balance_penalty(50, 100), 0);
        assert_eq!(balance_penalty(55, 100), 0);
        assert_eq!(balance_penalty(56, 100), 10);
        assert_eq!(balance_penalty(0, 100), 90);
    }
}
