//! Reed–Solomon error correction codewords (ISO/IEC 18004 §7.5.2).

#[cfg(test)]
use crate::gf256::{EXP, LOG};

/// The most error correction codewords one block has (versions 1–40, all levels).
pub(crate) const MAX_DEGREE: usize = 30;

/// The generator polynomial ∏(x − αⁱ), i < degree, as logarithms of its
/// coefficients (leading 1 omitted), highest power first. Built at run time
/// only by the tests, as a second derivation of the compile-time tables.
#[cfg(test)]
pub(crate) struct Generator {
    log_coeffs: [u8; MAX_DEGREE],
    degree: usize,
}

#[cfg(test)]
impl Generator {
    /// Builds the generator of `degree` (clamped to `1..=30`).
    #[expect(clippy::indexing_slicing, reason = "a u8 indexes a 256-entry table")]
    pub(crate) fn new(degree: usize) -> Generator {
        let degree = degree.clamp(1, MAX_DEGREE);
        // coeffs[i] is the coefficient of x^(degree-1-i); start with the polynomial 1.
        let mut coeffs = [0u8; MAX_DEGREE];
        if let Some(last) = degree.checked_sub(1).and_then(|i| coeffs.get_mut(i)) {
            *last = 1;
        }
        let mut root: u8 = 1;
        for _ in 0..degree {
            // Multiply by (x - root): shift left one power and add root * previous.
            let mut i = 0;
            while i < degree {
                let next = coeffs.get(i + 1).copied().unwrap_or(0);
                let cur = coeffs.get(i).copied().unwrap_or(0);
                let v = crate::gf256::mul(cur, root) ^ if i + 1 < degree { next } else { 0 };
                if let Some(c) = coeffs.get_mut(i) {
                    *c = v;
                }
                i += 1;
            }
            root = crate::gf256::mul(root, 2);
        }
        let mut log_coeffs = [0u8; MAX_DEGREE];
        for (l, &c) in log_coeffs.iter_mut().zip(&coeffs) {
            // Every coefficient of a QR generator is nonzero (checked in tests).
            *l = LOG[usize::from(c)];
        }
        Generator { log_coeffs, degree }
    }

    /// Products of the generator with every nibble value, so that dividing by
    /// it costs two table rows per data byte (GF(2⁸) multiplication is linear:
    /// f·g = (f & 0x0F)·g + (f & 0xF0)·g). 1 KiB, built once per symbol.
    /// Fills `t` in place (returning 1 KiB by value would keep two copies on
    /// the stack).
    #[expect(
        clippy::indexing_slicing,
        reason = "a value masked to 8 bits indexes a 256-entry table"
    )]
    pub(crate) fn fill_tables(&self, t: &mut NibbleTables) {
        let logs = self.log_coeffs.get(..self.degree).unwrap_or(&[]);
        for f in 1..16usize {
            for (tab, factor) in [(&mut t.lo, f), (&mut t.hi, f << 4)] {
                let lf = usize::from(LOG[factor & 0xFF]);
                let mut words = [0u64; 4];
                for (w, chunk) in words.iter_mut().zip(logs.chunks(8)) {
                    for (&g, k) in chunk.iter().zip(0..8) {
                        // lf and g are < 255: the index is < 510.
                        let e = EXP.get(lf + usize::from(g)).copied().unwrap_or(0);
                        *w |= u64::from(e) << (8 * k);
                    }
                }
                if let Some(row) = tab.get_mut(f) {
                    *row = words;
                }
            }
        }
    }
}

/// The error correction lengths of QR blocks (ISO/IEC 18004 Table 9): every
/// `Version::ecc_per_block` is one of these (checked in tests).
const DEGREES: [u8; 13] = [7, 10, 13, 15, 16, 17, 18, 20, 22, 24, 26, 28, 30];

/// The nibble tables of each generator in [`DEGREES`], built at compile time:
/// 13 KiB of read-only data, so an encode in a panic handler needs no 1 KiB
/// table on its stack and no time to build one.
static TABLES: [NibbleTables; 13] = build_tables();

/// The nibble tables for a block of `degree` error correction codewords, if
/// QR uses that degree.
pub(crate) fn tables(degree: usize) -> Option<&'static NibbleTables> {
    let slot = DEGREES.iter().position(|&d| usize::from(d) == degree)?;
    TABLES.get(slot)
}

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index is a build error"
)]
const fn build_tables() -> [NibbleTables; 13] {
    let exp = crate::gf256::build_exp();
    let log = crate::gf256::build_log();
    let mut all = [NibbleTables::ZERO; 13];
    let mut s = 0;
    while s < DEGREES.len() {
        let degree = DEGREES[s] as usize;
        // The generator ∏(x − αⁱ), i < degree; coeffs[i] is the coefficient
        // of x^(degree-1-i), the leading 1 omitted.
        let mut coeffs = [0u8; MAX_DEGREE];
        coeffs[degree - 1] = 1;
        let mut root: u8 = 1;
        let mut r = 0;
        while r < degree {
            let mut i = 0;
            while i < degree {
                let next = if i + 1 < degree { coeffs[i + 1] } else { 0 };
                coeffs[i] = const_mul(&exp, &log, coeffs[i], root) ^ next;
                i += 1;
            }
            root = const_mul(&exp, &log, root, 2);
            r += 1;
        }
        // Row f of lo is f·g, row f of hi is (16f)·g, coefficient bytes
        // little-endian in four words.
        let mut f = 1;
        while f < 16 {
            let mut half = 0;
            while half < 2 {
                let factor = if half == 0 { f } else { f << 4 };
                let mut words = [0u64; 4];
                let mut i = 0;
                while i < degree {
                    let e = const_mul(&exp, &log, coeffs[i], factor as u8);
                    words[i / 8] |= (e as u64) << (8 * (i % 8));
                    i += 1;
                }
                if half == 0 {
                    all[s].lo[f] = words;
                } else {
                    all[s].hi[f] = words;
                }
                half += 1;
            }
            f += 1;
        }
        s += 1;
    }
    all
}

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index is a build error"
)]
const fn const_mul(exp: &[u8; 512], log: &[u8; 256], a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        exp[log[a as usize] as usize + log[b as usize] as usize]
    }
}

/// Row `n` of `lo` is n·g, of `hi` is (16n)·g, with the 30 coefficient bytes
/// little-endian in four words.
pub(crate) struct NibbleTables {
    lo: [[u64; 4]; 16],
    hi: [[u64; 4]; 16],
}

impl NibbleTables {
    pub(crate) const ZERO: NibbleTables = NibbleTables {
        lo: [[0; 4]; 16],
        hi: [[0; 4]; 16],
    };

    /// The LFSR division: the remainder lives in four little-endian words,
    /// byte 0 = highest power, so shifting by one codeword is a word shift.
    #[expect(clippy::indexing_slicing, reason = "a nibble indexes a 16-row table")]
    pub(crate) fn remainder(&self, data: &[u8], degree: usize, out: &mut [u8]) {
        let mut rem = [0u64; 4];
        for &d in data {
            let factor = (rem[0] as u8) ^ d;
            let lo = &self.lo[usize::from(factor & 0x0F)];
            let hi = &self.hi[usize::from(factor >> 4)];
            rem[0] = ((rem[0] >> 8) | (rem[1] << 56)) ^ lo[0] ^ hi[0];
            rem[1] = ((rem[1] >> 8) | (rem[2] << 56)) ^ lo[1] ^ hi[1];
            rem[2] = ((rem[2] >> 8) | (rem[3] << 56)) ^ lo[2] ^ hi[2];
            rem[3] = (rem[3] >> 8) ^ lo[3] ^ hi[3];
        }
        let mut bytes = [0u8; 32];
        for (chunk, w) in bytes.chunks_exact_mut(8).zip(rem) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        for (o, b) in out.iter_mut().zip(bytes.iter().take(degree)) {
            *o = *b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_remainder(data: &[u8], degree: usize) -> [u8; 30] {
        // Polynomial long division, one coefficient at a time.
        let gen = Generator::new(degree);
        let coeffs: [u8; 30] = core::array::from_fn(|i| {
            if i < degree {
                EXP[usize::from(gen.log_coeffs[i])]
            } else {
                0
            }
        });
        let mut rem = [0u8; 30];
        for &d in data {
            let f = d ^ rem[0];
            rem.copy_within(1..degree, 0);
            rem[degree - 1] = 0;
            for i in 0..degree {
                rem[i] ^= crate::gf256::mul(coeffs[i], f);
            }
        }
        rem
    }

    /// GF(2⁸) product by shift and add, reduced by 0x11D: shares no table
    /// with the code under test, so a wrong `EXP`/`LOG` cannot hide here.
    fn slow_mul(mut a: u8, mut b: u8) -> u8 {
        let mut p = 0u8;
        while b != 0 {
            if b & 1 == 1 {
                p ^= a;
            }
            let carry = a & 0x80 != 0;
            a <<= 1;
            if carry {
                a ^= 0x1D;
            }
            b >>= 1;
        }
        p
    }

    /// (x − α⁰)(x − α¹)…(x − α^(degree−1)) multiplied out term by term,
    /// highest power first, leading 1 included.
    fn slow_generator(degree: usize) -> std::vec::Vec<u8> {
        let mut poly = std::vec![1u8];
        let mut root = 1u8;
        for _ in 0..degree {
            let mut next = std::vec![0u8; poly.len() + 1];
            for (i, &c) in poly.iter().enumerate() {
                next[i] ^= c;
                next[i + 1] ^= slow_mul(c, root);
            }
            poly = next;
            root = slow_mul(root, 2);
        }
        poly
    }

    #[test]
    fn generators_are_the_product_of_their_roots() {
        for degree in 1..=MAX_DEGREE {
            let want = slow_generator(degree);
            assert_eq!(want.len(), degree + 1);
            let g = Generator::new(degree);
            let got: std::vec::Vec<u8> = g.log_coeffs[..degree]
                .iter()
                .map(|&l| EXP[usize::from(l)])
                .collect();
            assert_eq!(got, want[1..], "run-time generator, degree {degree}");
            // A generator vanishes at each of its roots; checked by Horner
            // with the slow product, independent of how `want` was built.
            let mut root = 1u8;
            for i in 0..degree {
                let value = want.iter().fold(0u8, |acc, &c| slow_mul(acc, root) ^ c);
                assert_eq!(value, 0, "degree {degree}: α^{i} is not a root");
                root = slow_mul(root, 2);
            }
        }
        // Row 1 of the compile-time table is 1·g: the encoder's own coefficients.
        for degree in DEGREES.map(usize::from) {
            let want = slow_generator(degree);
            let row = &tables(degree).unwrap().lo[1];
            let got: std::vec::Vec<u8> = (0..degree)
                .map(|i| (row[i / 8] >> (8 * (i % 8))) as u8)
                .collect();
            assert_eq!(got, want[1..], "compile-time table, degree {degree}");
        }
    }

    #[test]
    fn known_generators_from_iso_18004_annex_a() {
        let published: [(usize, &[u8]); 3] = [
            (10, &[251, 67, 46, 61, 118, 70, 64, 94, 32, 45]),
            (
                13,
                &[74, 152, 176, 100, 86, 100, 106, 104, 130, 218, 206, 140, 78],
            ),
            (
                30,
                &[
                    41, 173, 145, 152, 216, 31, 179, 182, 50, 48, 110, 86, 239, 96, 222, 125, 42,
                    173, 226, 193, 224, 130, 156, 37, 251, 216, 238, 40, 192, 180,
                ],
            ),
        ];
        for (degree, logs) in published {
            assert_eq!(
                &Generator::new(degree).log_coeffs[..degree],
                logs,
                "degree {degree}"
            );
        }
    }

    #[test]
    fn known_generator_degree_7() {
        // ISO/IEC 18004 Annex A: degree 7 is α0 α87 α229 α146 α149 α238 α102 α21.
        let g = Generator::new(7);
        assert_eq!(&g.log_coeffs[..7], &[87, 229, 146, 149, 238, 102, 21]);
    }

    #[test]
    #[allow(clippy::expect_used, reason = "a test: a missing table fails it")]
    fn compile_time_tables_match_run_time_ones_for_every_block_length() {
        use crate::{EcLevel, Version};
        let mut seen = 0;
        for v in 1..=40 {
            for ec in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
                let degree = Version::new(v).unwrap().ecc_per_block(ec);
                let t = tables(degree).expect("a table for every QR block length");
                let mut r = NibbleTables::ZERO;
                Generator::new(degree).fill_tables(&mut r);
                assert!(t.lo == r.lo && t.hi == r.hi, "degree {degree}");
                seen += 1;
            }
        }
        assert_eq!(seen, 160);
        assert!(tables(8).is_none());
    }

    #[test]
    fn word_lfsr_matches_naive_division() {
        let data: [u8; 40] = core::array::from_fn(|i| (i as u8).wrapping_mul(151).wrapping_add(7));
        for degree in [7, 10, 13, 17, 22, 26, 28, 30] {
            let mut out = [0u8; 30];
            let mut t = NibbleTables::ZERO;
            Generator::new(degree).fill_tables(&mut t);
            t.remainder(&data, degree, &mut out);
            assert_eq!(
                out[..degree],
                naive_remainder(&data, degree)[..degree],
                "degree {degree}"
            );
        }
    }
}
