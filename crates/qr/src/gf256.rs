//! Arithmetic in GF(2⁸) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D),
//! ISO/IEC 18004 §7.5.2. Tables are built at compile time (the Reed–Solomon
//! nibble tables from them; the run-time tables serve the tests).

/// `EXP[i] = α^i`, doubled so that `EXP[log a + log b]` needs no reduction.
#[cfg(test)]
pub(crate) static EXP: [u8; 512] = build_exp();
/// `LOG[α^i] = i`; `LOG[0]` is unused (0 has no logarithm).
#[cfg(test)]
pub(crate) static LOG: [u8; 256] = build_log();

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index is a build error"
)]
pub(crate) const fn build_exp() -> [u8; 512] {
    let mut t = [0u8; 512];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 512 {
        t[i] = x as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11D;
        }
        i += 1;
    }
    t
}

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index is a build error"
)]
pub(crate) const fn build_log() -> [u8; 256] {
    let exp = build_exp();
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 255 {
        t[exp[i] as usize] = i as u8;
        i += 1;
    }
    t
}

/// Product of two field elements (the tests' reference arithmetic; the
/// encoder uses the compile-time tables of `reed_solomon`).
#[cfg(test)]
#[inline]
#[expect(clippy::indexing_slicing, reason = "a u8 indexes a 256-entry table")]
pub(crate) fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    // Both logs are < 255, so the sum is < 510 and inside the doubled table.
    let i = usize::from(LOG[usize::from(a)]) + usize::from(LOG[usize::from(b)]);
    EXP.get(i).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_inverse() {
        for a in 1..=255u8 {
            assert_eq!(EXP[usize::from(LOG[usize::from(a)])], a);
        }
        assert_eq!(EXP[255], 1);
    }

    #[test]
    fn mul_matches_shift_and_add() {
        fn slow(mut a: u8, mut b: u8) -> u8 {
            let mut r = 0u8;
            while b != 0 {
                if b & 1 != 0 {
                    r ^= a;
                }
                let carry = a & 0x80 != 0;
                a <<= 1;
                if carry {
                    a ^= 0x1D;
                }
                b >>= 1;
            }
            r
        }
        for a in 0..=255u8 {
            for b in [0u8, 1, 2, 3, 0x53, 0x8E, 0xFF] {
                assert_eq!(mul(a, b), slow(a, b));
            }
        }
    }
}
