//! Versions (symbol sizes), error correction levels and the block structure
//! of ISO/IEC 18004 Table 9, with the buffer sizes the encoder needs.

use crate::mask::MaskChoice;

/// A QR Code Model 2 version, from 1 (21×21 modules) to 40 (177×177).
///
/// # Invariants
/// `1 <= self.number() <= 40`.
///
/// # Examples
/// ```
/// use panicqr_qr::Version;
/// let v = Version::new(40).ok_or("bad version")?;
/// assert_eq!(v.width(), 177);
/// assert!(Version::new(41).is_none());
/// # Ok::<(), &str>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(u8);

impl Version {
    /// Version 1.
    pub const MIN: Version = Version(1);
    /// Version 40.
    pub const MAX: Version = Version(40);

    /// The version `n`, or `None` outside `1..=40`.
    pub const fn new(n: u8) -> Option<Version> {
        if n >= 1 && n <= 40 {
            // INVARIANT: checked just above.
            Some(Version(n))
        } else {
            None
        }
    }

    /// The version number, 1 to 40.
    pub const fn number(self) -> u8 {
        self.0
    }

    /// Modules per side: `4·v + 17`.
    pub const fn width(self) -> usize {
        self.0 as usize * 4 + 17
    }

    /// Bytes per row of a symbol buffer: one bit per module, `⌈width/8⌉`.
    pub const fn row_bytes(self) -> usize {
        self.width().div_ceil(8)
    }

    /// Exact length of the symbol buffer [`encode`](crate::encode) writes:
    /// `width · ⌈width/8⌉` bytes (4,071 for version 40, the same as Linux's
    /// `data_size` minimum).
    pub const fn symbol_len(self) -> usize {
        self.width() * self.row_bytes()
    }

    /// Exact length of the scratch buffer [`encode`](crate::encode) needs.
    ///
    /// With a fixed mask this is the number of codewords (3,706 at version 40,
    /// Linux's `tmp_size`); automatic mask selection also keeps a transposed
    /// copy of the symbol for the column penalties.
    pub const fn scratch_len(self, mask: MaskChoice) -> usize {
        match mask {
            MaskChoice::Fixed(_) => self.total_codewords(),
            MaskChoice::Auto => self.total_codewords() + self.symbol_len(),
        }
    }

    /// Codewords (data + error correction) in the symbol.
    pub const fn total_codewords(self) -> usize {
        self.raw_data_modules() / 8
    }

    /// Data codewords at `ec` (the capacity in 8-bit codewords).
    #[expect(clippy::indexing_slicing, reason = "EcLevel < 4 and index() < 40")]
    pub const fn data_codewords(self, ec: EcLevel) -> usize {
        DATA_CODEWORDS[ec as usize][self.index()] as usize
    }

    /// Error correction codewords per block at `ec`.
    pub const fn ecc_per_block(self, ec: EcLevel) -> usize {
        self.ecc_len(ec) as usize
    }

    /// Number of Reed–Solomon blocks at `ec`.
    pub const fn blocks(self, ec: EcLevel) -> usize {
        self.block_count(ec) as usize
    }

    /// [`Version::ecc_per_block`] as its table type (at most 30).
    #[expect(clippy::indexing_slicing, reason = "EcLevel < 4 and index() < 40")]
    pub(crate) const fn ecc_len(self, ec: EcLevel) -> u8 {
        ECC_PER_BLOCK[ec as usize][self.index()]
    }

    /// [`Version::blocks`] as its table type (1 to 81).
    #[expect(clippy::indexing_slicing, reason = "EcLevel < 4 and index() < 40")]
    pub(crate) const fn block_count(self, ec: EcLevel) -> u8 {
        BLOCKS[ec as usize][self.index()]
    }

    /// Blocks one data codeword shorter than the others at `ec` (the first
    /// ones; ISO/IEC 18004 §7.5.2), at most 81.
    #[expect(clippy::indexing_slicing, reason = "EcLevel < 4 and index() < 40")]
    pub(crate) const fn short_blocks(self, ec: EcLevel) -> u8 {
        SHORT_BLOCKS[ec as usize][self.index()]
    }

    /// Data codewords of a short block at `ec`, at most 118.
    #[expect(clippy::indexing_slicing, reason = "EcLevel < 4 and index() < 40")]
    pub(crate) const fn short_block_data(self, ec: EcLevel) -> u8 {
        SHORT_BLOCK_DATA[ec as usize][self.index()]
    }

    /// `number − 1` as a table index. The modulo is a no-op under the
    /// invariant; it lets the optimiser see the index is in range, so no
    /// panic path is generated.
    const fn index(self) -> usize {
        (self.0 as usize).wrapping_sub(1) % 40
    }

    /// Modules left for data and error correction once the function patterns
    /// (finders, timing, alignment, format and version areas) are placed.
    #[expect(clippy::indexing_slicing, reason = "index() < 40")]
    pub const fn raw_data_modules(self) -> usize {
        RAW_DATA_MODULES[self.index()] as usize
    }

    /// Centre coordinates of the alignment patterns (same list for x and y),
    /// ISO/IEC 18004 Annex E. Returns the list and how many entries are used.
    #[expect(clippy::indexing_slicing, reason = "index() < 40")]
    pub(crate) const fn alignment_centres(self) -> ([u8; 7], usize) {
        ALIGNMENT[self.index()]
    }
}

// Everything that depends on the version alone is computed at compile time
// (where an overflow is a build error), so the encoder does no version
// arithmetic at run time: nothing there can overflow or panic.

/// [`Version::raw_data_modules`] of version `v` (1–40).
const fn raw_data_modules_of(v: usize) -> usize {
    let mut n = (16 * v + 128) * v + 64;
    if v >= 2 {
        let a = v / 7 + 2;
        n -= (25 * a - 10) * a - 55;
        if v >= 7 {
            n -= 36;
        }
    }
    n
}

/// [`Version::alignment_centres`] of version `v` (1–40).
#[expect(
    clippy::indexing_slicing,
    reason = "compile-time only, where an out-of-range index is a build error"
)]
const fn alignment_centres_of(v: usize) -> ([u8; 7], usize) {
    let mut out = [0u8; 7];
    if v == 1 {
        return (out, 0);
    }
    let width = v * 4 + 17;
    let count = v / 7 + 2;
    // The centres are evenly spaced by an even step from the last one
    // (width − 7) back towards 6; version 32 is the one irregular step.
    let step = if v == 32 {
        26
    } else {
        (v * 4 + count * 2 + 1) / (count * 2 - 2) * 2
    };
    out[0] = 6;
    let mut i = 1;
    while i < count {
        out[count - i] = (width - 7 - (i - 1) * step) as u8;
        i += 1;
    }
    (out, count)
}

/// Raw data modules by `version - 1`.
#[expect(clippy::indexing_slicing, reason = "compile-time only")]
const RAW_DATA_MODULES: [u16; 40] = {
    let mut t = [0u16; 40];
    let mut i = 0;
    while i < 40 {
        t[i] = raw_data_modules_of(i + 1) as u16;
        i += 1;
    }
    t
};

/// Data codewords by `[level][version - 1]`: total codewords minus the
/// error correction ones.
#[expect(clippy::indexing_slicing, reason = "compile-time only")]
const DATA_CODEWORDS: [[u16; 40]; 4] = {
    let mut t = [[0u16; 40]; 4];
    let mut ec = 0;
    while ec < 4 {
        let mut i = 0;
        while i < 40 {
            let total = RAW_DATA_MODULES[i] as usize / 8;
            let ecc = ECC_PER_BLOCK[ec][i] as usize * BLOCKS[ec][i] as usize;
            t[ec][i] = (total - ecc) as u16;
            i += 1;
        }
        ec += 1;
    }
    t
};

/// Short blocks by `[level][version - 1]`: `blocks − total mod blocks`.
#[expect(clippy::indexing_slicing, reason = "compile-time only")]
const SHORT_BLOCKS: [[u8; 40]; 4] = {
    let mut t = [[0u8; 40]; 4];
    let mut ec = 0;
    while ec < 4 {
        let mut i = 0;
        while i < 40 {
            let total = RAW_DATA_MODULES[i] as usize / 8;
            let blocks = BLOCKS[ec][i] as usize;
            t[ec][i] = (blocks - total % blocks) as u8;
            i += 1;
        }
        ec += 1;
    }
    t
};

/// Data codewords of a short block by `[level][version - 1]`:
/// `⌊total / blocks⌋ − ecc per block` (checked to fit a `u8`).
#[expect(clippy::indexing_slicing, reason = "compile-time only")]
const SHORT_BLOCK_DATA: [[u8; 40]; 4] = {
    let mut t = [[0u8; 40]; 4];
    let mut ec = 0;
    while ec < 4 {
        let mut i = 0;
        while i < 40 {
            let total = RAW_DATA_MODULES[i] as usize / 8;
            let n = total / BLOCKS[ec][i] as usize - ECC_PER_BLOCK[ec][i] as usize;
            assert!(n <= 255);
            t[ec][i] = n as u8;
            i += 1;
        }
        ec += 1;
    }
    t
};

/// Alignment pattern centres by `version - 1`.
#[expect(clippy::indexing_slicing, reason = "compile-time only")]
const ALIGNMENT: [([u8; 7], usize); 40] = {
    let mut t = [([0u8; 7], 0usize); 40];
    let mut i = 0;
    while i < 40 {
        t[i] = alignment_centres_of(i + 1);
        i += 1;
    }
    t
};

/// Error correction level: how much of the symbol can be damaged and still read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EcLevel {
    /// About 7 % of codewords can be restored (what Linux uses).
    L = 0,
    /// About 15 %.
    M = 1,
    /// About 25 %.
    Q = 2,
    /// About 30 %.
    H = 3,
}

impl EcLevel {
    /// All levels, lowest first.
    pub const ALL: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

    /// The two format-information bits (ISO/IEC 18004 Table 12).
    pub(crate) const fn format_bits(self) -> u16 {
        match self {
            EcLevel::L => 1,
            EcLevel::M => 0,
            EcLevel::Q => 3,
            EcLevel::H => 2,
        }
    }
}

// ISO/IEC 18004 Table 9, indexed [level][version - 1].
const ECC_PER_BLOCK: [[u8; 40]; 4] = [
    [
        7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30,
        30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
    [
        10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28,
        28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    ],
    [
        13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30,
        30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
    [
        17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30,
        30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
];

const BLOCKS: [[u8; 40]; 4] = [
    [
        1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13,
        14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
    ],
    [
        1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23,
        25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
    ],
    [
        1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29,
        34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
    ],
    [
        1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35,
        37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
    ],
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn all() -> impl Iterator<Item = Version> {
        (1..=40).filter_map(Version::new)
    }

    #[test]
    fn level_l_capacity_matches_spec_table() {
        // docs/format.md §5 (ISO/IEC 18004 Table 7, level L, in codewords).
        const L: [usize; 40] = [
            19, 34, 55, 80, 108, 136, 156, 194, 232, 274, 324, 370, 428, 461, 523, 589, 647, 721,
            795, 861, 932, 1006, 1094, 1174, 1276, 1370, 1468, 1531, 1631, 1735, 1843, 1955, 2071,
            2191, 2306, 2434, 2566, 2702, 2812, 2956,
        ];
        for (v, cap) in all().zip(L) {
            assert_eq!(v.data_codewords(EcLevel::L), cap, "version {}", v.number());
        }
    }

    #[test]
    fn spot_checks_other_levels() {
        // ISO/IEC 18004 Table 7: H at v1 = 9, Q at v10 = 154, M at v40 = 2334, H at v40 = 1276.
        let v = |n| Version::new(n).unwrap();
        assert_eq!(v(1).data_codewords(EcLevel::H), 9);
        assert_eq!(v(10).data_codewords(EcLevel::Q), 154);
        assert_eq!(v(40).data_codewords(EcLevel::M), 2334);
        assert_eq!(v(40).data_codewords(EcLevel::H), 1276);
        assert_eq!(v(40).total_codewords(), 3706);
        assert_eq!(v(40).symbol_len(), 4071);
    }

    #[test]
    fn blocks_split_evenly() {
        for v in all() {
            for ec in EcLevel::ALL {
                let b = v.blocks(ec);
                let short = v.total_codewords() / b;
                assert!(short > v.ecc_per_block(ec), "v{} {:?}", v.number(), ec);
            }
        }
    }

    #[test]
    fn short_and_long_blocks_hold_all_codewords() {
        for v in all() {
            for ec in EcLevel::ALL {
                let n = v.blocks(ec);
                let short = usize::from(v.short_blocks(ec));
                let data = usize::from(v.short_block_data(ec));
                let ecc = v.ecc_per_block(ec);
                assert!((1..=n).contains(&short), "v{} {:?}", v.number(), ec);
                assert_eq!(
                    short * data + (n - short) * (data + 1),
                    v.data_codewords(ec)
                );
                assert_eq!(
                    short * (data + ecc) + (n - short) * (data + 1 + ecc),
                    v.total_codewords()
                );
            }
        }
        // ISO/IEC 18004 Table 9: 5-H is 2 blocks of 11 data codewords, 2 of 12.
        let v5 = Version::new(5).unwrap();
        assert_eq!(
            (v5.short_blocks(EcLevel::H), v5.short_block_data(EcLevel::H)),
            (2, 11)
        );
    }

    #[test]
    fn alignment_centres_match_annex_e() {
        let v = |n| Version::new(n).unwrap();
        let c = |n: u8| {
            let (a, k) = v(n).alignment_centres();
            a[..k].to_vec()
        };
        assert_eq!(c(1), Vec::<u8>::new());
        assert_eq!(c(2), [6, 18]);
        assert_eq!(c(7), [6, 22, 38]);
        assert_eq!(c(14), [6, 26, 46, 66]);
        assert_eq!(c(32), [6, 34, 60, 86, 112, 138]);
        assert_eq!(c(36), [6, 24, 50, 76, 102, 128, 154]);
        assert_eq!(c(40), [6, 30, 58, 86, 114, 142, 170]);
    }
}
