//! The fixed tables of RFC 1951 §3.2.5–3.2.7 and lookups into them that are
//! plain array reads (no search, no division).

/// Shortest and longest match deflate can express.
pub(crate) const MIN_MATCH: usize = 3;
pub(crate) const MAX_MATCH: usize = 258;

pub(crate) const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
pub(crate) const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
pub(crate) const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
pub(crate) const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order code-length code lengths are sent in.
pub(crate) const CL_ORDER: [u8; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// Length code index (0..29) of each match length 0..=258 (entries below 3
/// are never read).
static LEN_CODE: [u8; 259] = len_code_table();
/// Distance code index of `dist - 1` for distances 1..=256, then of
/// `(dist - 1) >> 7` for longer ones (zlib's split, which keeps it at 512).
static DIST_CODE: [u8; 512] = dist_code_table();

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index is a build error"
)]
const fn len_code_table() -> [u8; 259] {
    let mut t = [0u8; 259];
    let mut code = 0;
    let mut len = 3;
    while len <= 258 {
        while code + 1 < 29 && LEN_BASE[code + 1] as usize <= len {
            code += 1;
        }
        t[len] = code as u8;
        len += 1;
    }
    t
}

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index is a build error"
)]
const fn dist_code_table() -> [u8; 512] {
    let mut t = [0u8; 512];
    let mut i = 0;
    while i < 512 {
        // The smallest distance this slot stands for.
        let d = if i < 256 { i + 1 } else { ((i - 256) << 7) + 1 };
        let mut code = 0;
        while code + 1 < 30 && DIST_BASE[code + 1] as usize <= d {
            code += 1;
        }
        t[i] = code as u8;
        i += 1;
    }
    t
}

/// Length code (0..29) of a match length in 3..=258.
#[inline]
pub(crate) fn len_code(len: usize) -> usize {
    usize::from(LEN_CODE.get(len).copied().unwrap_or(28))
}

/// Distance code (0..30) of a distance in 1..=32768.
#[inline]
pub(crate) fn dist_code(dist: usize) -> usize {
    let d = dist.wrapping_sub(1) & 0x7FFF;
    let slot = if d < 256 { d } else { 256 + (d >> 7) };
    usize::from(DIST_CODE.get(slot & 511).copied().unwrap_or(29))
}

/// Extra bits and their value for a length code.
#[inline]
pub(crate) fn len_extra(code: usize, len: usize) -> (u32, u32) {
    let bits = LEN_EXTRA.get(code).copied().unwrap_or(0);
    let base = LEN_BASE.get(code).copied().unwrap_or(3);
    (u32::from(bits), (len as u32).wrapping_sub(u32::from(base)))
}

/// Extra bits and their value for a distance code.
#[inline]
pub(crate) fn dist_extra(code: usize, dist: usize) -> (u32, u32) {
    let bits = DIST_EXTRA.get(code).copied().unwrap_or(0);
    let base = DIST_BASE.get(code).copied().unwrap_or(1);
    (u32::from(bits), (dist as u32).wrapping_sub(u32::from(base)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_tables_agree_with_the_rfc_bases() {
        for len in 3..=258usize {
            let c = len_code(len);
            assert!(usize::from(LEN_BASE[c]) <= len, "len {len}");
            if c + 1 < 29 {
                assert!(
                    usize::from(LEN_BASE[c + 1]) > len || len == 258,
                    "len {len}"
                );
            }
            assert!(len_extra(c, len).1 < (1 << len_extra(c, len).0).max(1));
        }
        assert_eq!(len_code(258), 28);
        assert_eq!(len_code(257), 27);
        for dist in 1..=32768usize {
            let c = dist_code(dist);
            assert!(usize::from(DIST_BASE[c]) <= dist, "dist {dist}");
            if c + 1 < 30 {
                assert!(usize::from(DIST_BASE[c + 1]) > dist, "dist {dist}");
            }
        }
    }
}
