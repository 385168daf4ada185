//! The caller's workspace, carved once into fixed-size tables. Every table
//! is a whole array whose length is a power of two, and every index is
//! masked to it, so no access can fall outside and none needs a fallback.
//! Wider values are stored little-endian in the caller's bytes: the crate
//! has no `unsafe`, so it cannot reinterpret them.

use super::{HASH3_SIZE, HASH_SIZE, SEGMENT, WINDOW};

/// A table of `B / 2` little-endian `u16`s (`B / 2` a power of two).
pub(crate) struct U16s<'a, const B: usize>(pub(crate) &'a mut [u8; B]);

impl<const B: usize> U16s<'_, B> {
    const MASK: usize = B / 2 - 1;

    #[inline(always)]
    pub(crate) fn get(&self, i: usize) -> u16 {
        let j = (i & Self::MASK) * 2;
        match self.0.get(j..j + 2) {
            Some(&[a, b]) => u16::from_le_bytes([a, b]),
            _ => 0,
        }
    }

    #[inline(always)]
    pub(crate) fn set(&mut self, i: usize, v: u16) {
        let j = (i & Self::MASK) * 2;
        if let Some(s) = self.0.get_mut(j..j + 2) {
            s.copy_from_slice(&v.to_le_bytes());
        }
    }

    pub(crate) fn fill(&mut self, v: u16) {
        let [a, b] = v.to_le_bytes();
        for pair in self.0.chunks_exact_mut(2) {
            pair.copy_from_slice(&[a, b]);
        }
    }
}

/// A table of `B / 4` little-endian `u32`s (`B / 4` a power of two).
pub(crate) struct U32s<'a, const B: usize>(pub(crate) &'a mut [u8; B]);

impl<const B: usize> U32s<'_, B> {
    const MASK: usize = B / 4 - 1;

    #[inline(always)]
    pub(crate) fn get(&self, i: usize) -> u32 {
        let j = (i & Self::MASK) * 4;
        match self.0.get(j..j + 4) {
            Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
            _ => 0,
        }
    }

    #[inline(always)]
    pub(crate) fn set(&mut self, i: usize, v: u32) {
        let j = (i & Self::MASK) * 4;
        if let Some(s) = self.0.get_mut(j..j + 4) {
            s.copy_from_slice(&v.to_le_bytes());
        }
    }

    #[inline(always)]
    pub(crate) fn bump(&mut self, i: usize) {
        let v = self.get(i);
        self.set(i, v.saturating_add(1));
    }

    pub(crate) fn fill(&mut self, v: u32) {
        let b = v.to_le_bytes();
        for quad in self.0.chunks_exact_mut(4) {
            quad.copy_from_slice(&b);
        }
    }
}

/// Literal/length (286) and distance (30) symbols of deflate.
pub(crate) const LITS: usize = 286;
pub(crate) const DISTS: usize = 30;

/// One way to write a block: which parse, the code it is written with, and
/// (for the priced parse) the bit prices the parse used. Three references,
/// so a frame holding a few plans stays small.
pub(crate) struct Plan<'a> {
    /// [parse kind, dynamic code?, the parse's work limit (u32 LE) x4]
    pub(crate) meta: &'a mut [u8; 6],
    /// Code lengths: literal/length symbols, then distance symbols.
    pub(crate) lens: &'a mut [u8; LITS + DISTS],
    /// Prices in eighths of a bit, in the same order.
    pub(crate) prices: &'a mut [u8; LITS + DISTS],
}

impl Plan<'_> {
    pub(crate) fn limit(&self) -> u32 {
        u32::from_le_bytes([self.meta[2], self.meta[3], self.meta[4], self.meta[5]])
    }

    pub(crate) fn set_limit(&mut self, limit: u32) {
        let [a, b, c, d] = limit.to_le_bytes();
        self.meta[2] = a;
        self.meta[3] = b;
        self.meta[4] = c;
        self.meta[5] = d;
    }

    pub(crate) fn copy_from(&mut self, o: &Plan<'_>) {
        self.meta.copy_from_slice(o.meta);
        self.lens.copy_from_slice(o.lens);
        self.prices.copy_from_slice(o.prices);
    }

    pub(crate) fn lit_len(&self) -> &[u8] {
        self.lens.split_at(LITS).0
    }

    pub(crate) fn dist_len(&self) -> &[u8] {
        self.lens.split_at(LITS).1
    }

    /// Literal/length and distance code lengths, for writing.
    pub(crate) fn lens_mut(&mut self) -> (&mut [u8], &mut [u8]) {
        self.lens.split_at_mut(LITS)
    }

    pub(crate) fn lit_price(&self, sym: usize) -> u8 {
        self.prices.get(sym).copied().unwrap_or(u8::MAX)
    }

    pub(crate) fn dist_price(&self, code: usize) -> u8 {
        self.prices.get(LITS + code).copied().unwrap_or(u8::MAX)
    }
}

const PLAN_LEN: usize = 6 + 2 * (LITS + DISTS);

/// Hash heads and the chain window of the match finder.
pub(crate) struct Chains<'a> {
    /// Newest position (+1) per 4-byte hash; chains link these.
    pub(crate) head: U16s<'a, { HASH_SIZE * 2 }>,
    pub(crate) prev: U16s<'a, { WINDOW * 2 }>,
    /// Newest position (+1) per 3-byte hash: the one 3-byte candidate.
    pub(crate) head3: U16s<'a, { HASH3_SIZE * 2 }>,
}

/// The shortest-path arrays of one parse segment, and the length prices.
pub(crate) struct Dp<'a> {
    pub(crate) cost: U32s<'a, { SEGMENT * 4 }>,
    pub(crate) edge: U32s<'a, { SEGMENT * 4 }>,
    pub(crate) len_price: U16s<'a, 1024>,
}

/// Symbol counts.
pub(crate) struct Freq<'a> {
    pub(crate) lit: U32s<'a, 2048>,
    pub(crate) dist: U32s<'a, 128>,
}

/// The Huffman builder's arrays (see [`super::huffman::lengths`]), and the
/// code-length code's (19 symbols: counts, lengths, words).
pub(crate) struct HuffScratch<'a> {
    pub(crate) build: Builder<'a>,
    pub(crate) cl: ClScratch<'a>,
}

/// Leaves sorted by count, node weights, parents and depths.
pub(crate) struct Builder<'a> {
    pub(crate) leaves: U16s<'a, 1024>,
    pub(crate) weight: U32s<'a, 4096>,
    pub(crate) parent: U16s<'a, 2048>,
    pub(crate) depth: &'a mut [u8; 1024],
}

/// The code-length code's tables.
pub(crate) struct ClScratch<'a> {
    pub(crate) freq: U32s<'a, 128>,
    pub(crate) len: &'a mut [u8; 19],
    pub(crate) word: U16s<'a, 64>,
}

/// Bit-reversed canonical code words for writing.
pub(crate) struct Words<'a> {
    pub(crate) lit: U16s<'a, 1024>,
    pub(crate) dist: U16s<'a, 64>,
}

/// The whole workspace, typed.
pub(crate) struct Ws<'a> {
    pub(crate) chains: Chains<'a>,
    pub(crate) dp: Dp<'a>,
    pub(crate) freq: Freq<'a>,
    pub(crate) huff: HuffScratch<'a>,
    pub(crate) words: Words<'a>,
    /// The plan being evaluated.
    pub(crate) trial: Plan<'a>,
    /// The best plan of the current compression.
    pub(crate) best: Plan<'a>,
    /// A plan kept across compressions (the fitter's accepted one).
    pub(crate) saved: Plan<'a>,
}

/// Bytes of workspace the compressor needs.
pub const WORKSPACE_LEN: usize = HASH_SIZE * 2
    + WINDOW * 2
    + HASH3_SIZE * 2
    + SEGMENT * 8
    + 1024
    + 2048
    + 128
    + 1024
    + 4096
    + 2048
    + 1024
    + 1024
    + 64
    + 128
    + 19
    + 64
    + 3 * PLAN_LEN;

fn take<'a, const N: usize>(rest: &mut &'a mut [u8]) -> Option<&'a mut [u8; N]> {
    let (a, b) = core::mem::take(rest).split_first_chunk_mut::<N>()?;
    *rest = b;
    Some(a)
}

fn plan<'a>(rest: &mut &'a mut [u8]) -> Option<Plan<'a>> {
    Some(Plan {
        meta: take(rest)?,
        lens: take(rest)?,
        prices: take(rest)?,
    })
}

impl<'a> Ws<'a> {
    /// Carves `bytes` (at least [`WORKSPACE_LEN`]); `None` if shorter.
    pub(crate) fn new(bytes: &'a mut [u8]) -> Option<Ws<'a>> {
        let mut r = bytes;
        let r = &mut r;
        Some(Ws {
            chains: Chains {
                head: U16s(take(r)?),
                prev: U16s(take(r)?),
                head3: U16s(take(r)?),
            },
            dp: Dp {
                cost: U32s(take(r)?),
                edge: U32s(take(r)?),
                len_price: U16s(take(r)?),
            },
            freq: Freq {
                lit: U32s(take(r)?),
                dist: U32s(take(r)?),
            },
            huff: HuffScratch {
                build: Builder {
                    leaves: U16s(take(r)?),
                    weight: U32s(take(r)?),
                    parent: U16s(take(r)?),
                    depth: take(r)?,
                },
                cl: ClScratch {
                    freq: U32s(take(r)?),
                    len: take(r)?,
                    word: U16s(take(r)?),
                },
            },
            words: Words {
                lit: U16s(take(r)?),
                dist: U16s(take(r)?),
            },
            trial: plan(r)?,
            best: plan(r)?,
            saved: plan(r)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_len_is_exactly_what_is_carved() {
        let mut b = std::vec![0u8; WORKSPACE_LEN];
        assert!(Ws::new(&mut b).is_some());
        assert!(Ws::new(&mut b[..WORKSPACE_LEN - 1]).is_none());
    }

    #[test]
    fn tables_mask_their_index() {
        let mut b = [0u8; 16];
        let mut t = U16s(&mut b);
        t.set(3, 0xBEEF);
        assert_eq!(t.get(3), 0xBEEF);
        assert_eq!(t.get(3 + 8), 0xBEEF);
        let mut b = [0u8; 16];
        let mut t = U32s(&mut b);
        t.set(1, 7);
        t.bump(1);
        assert_eq!(t.get(5), 8);
    }
}
