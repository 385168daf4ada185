//! The caller's workspace, carved once into a few fixed-size regions, each
//! one array holding tables at constant offsets. Every table's length is a
//! power of two and every index is masked to it, so no access can fall
//! outside (the compiler sees it and drops the bounds checks). One address
//! per region keeps the frames that hold the workspace small.
//! Wider values are stored little-endian in the caller's bytes: the crate
//! has no `unsafe`, so it cannot reinterpret them.

use super::{HASH3_SIZE, HASH_SIZE, SEGMENT, WINDOW};

/// A table of `B / 2` little-endian `u16`s (`B / 2` a power of two) at
/// byte offset `OFF` of the region `R` refers to. Tables of one region share
/// its single pointer: a frame holding a region holds one address, and the
/// code reaches each table at a constant offset from it.
pub(crate) struct U16s<R, const OFF: usize, const B: usize>(pub(crate) R);

/// A table of `B / 4` little-endian `u32`s (`B / 4` a power of two), as
/// [`U16s`].
pub(crate) struct U32s<R, const OFF: usize, const B: usize>(pub(crate) R);

/// A table that is a whole region of its own.
pub(crate) type Own16<'a, const B: usize> = U16s<&'a mut [u8; B], 0, B>;
/// A table that is a whole region of its own.
pub(crate) type Own32<'a, const B: usize> = U32s<&'a mut [u8; B], 0, B>;

macro_rules! le_table {
    ($view:ident, $t:ty, $w:literal) => {
        impl<R: AsRef<[u8]>, const OFF: usize, const B: usize> $view<R, OFF, B> {
            const MASK: usize = {
                assert!(B >= $w && (B / $w).is_power_of_two());
                B / $w - 1
            };

            #[inline(always)]
            pub(crate) fn get(&self, i: usize) -> $t {
                let j = OFF + (i & Self::MASK) * $w;
                match self.0.as_ref().get(j..).and_then(|b| b.first_chunk::<$w>()) {
                    Some(&b) => <$t>::from_le_bytes(b),
                    None => 0,
                }
            }
        }

        impl<R: AsRef<[u8]> + AsMut<[u8]>, const OFF: usize, const B: usize> $view<R, OFF, B> {
            #[inline(always)]
            pub(crate) fn set(&mut self, i: usize, v: $t) {
                let j = OFF + (i & Self::MASK) * $w;
                if let Some(s) = self
                    .0
                    .as_mut()
                    .get_mut(j..)
                    .and_then(|b| b.first_chunk_mut::<$w>())
                {
                    *s = v.to_le_bytes();
                }
            }

            pub(crate) fn fill(&mut self, v: $t) {
                let b = v.to_le_bytes();
                if let Some(t) = self.0.as_mut().get_mut(OFF..OFF + B) {
                    for c in t.chunks_exact_mut($w) {
                        if let Some(c) = c.first_chunk_mut::<$w>() {
                            *c = b;
                        }
                    }
                }
            }
        }
    };
}

le_table!(U16s, u16, 2);
le_table!(U32s, u32, 4);

impl<R: AsRef<[u8]> + AsMut<[u8]>, const OFF: usize, const B: usize> U32s<R, OFF, B> {
    #[inline(always)]
    pub(crate) fn bump(&mut self, i: usize) {
        let v = self.get(i);
        self.set(i, v.saturating_add(1));
    }
}

/// A region's table accessors: a read view and a write view, both at a
/// constant offset of the region's one array.
macro_rules! tables {
    ($len:expr $(, then $tail:expr)?; $($get:ident, $get_mut:ident: $view:ident[$bytes:expr] @ $off:expr;)*) => {
        $(
            #[inline(always)]
            pub(crate) fn $get(&self) -> $view<&[u8; $len], { $off }, { $bytes }> {
                let () = Self::LAYOUT;
                $view(&*self.0)
            }

            #[inline(always)]
            pub(crate) fn $get_mut(&mut self) -> $view<&mut [u8; $len], { $off }, { $bytes }> {
                let () = Self::LAYOUT;
                $view(&mut *self.0)
            }
        )*
        // The tables follow each other and the last ends where the region
        // does: checked when an accessor is compiled.
        const LAYOUT: () = {
            let mut at = 0;
            $(
                assert!($off == at);
                at += $bytes;
            )*
            $(at += $tail;)?
            assert!(at == $len);
        };
    };
}

/// Literal/length (286) and distance (30) symbols of deflate.
pub(crate) const LITS: usize = 286;
pub(crate) const DISTS: usize = 30;

const META: usize = 6;
const PLAN_LEN: usize = META + 2 * (LITS + DISTS);

/// One way to write a block: which parse, the code it is written with, and
/// (for the priced parse) the bit prices the parse used, in one region:
/// [parse kind, dynamic code?, the parse's work limit (u32 LE) x4], the
/// code lengths (literal/length symbols, then distance symbols), and the
/// prices in eighths of a bit, in the same order.
pub(crate) struct Plan<'a>(pub(crate) &'a mut [u8; PLAN_LEN]);

impl Plan<'_> {
    const LENS: usize = META;
    const PRICES: usize = META + LITS + DISTS;

    pub(crate) fn kind(&self) -> u8 {
        self.0[0]
    }

    pub(crate) fn set_kind(&mut self, kind: u8) {
        self.0[0] = kind;
    }

    /// Whether the block uses its own (dynamic) code.
    pub(crate) fn dynamic(&self) -> bool {
        self.0[1] != 0
    }

    pub(crate) fn set_dynamic(&mut self, dynamic: bool) {
        self.0[1] = u8::from(dynamic);
    }

    pub(crate) fn limit(&self) -> u32 {
        u32::from_le_bytes([self.0[2], self.0[3], self.0[4], self.0[5]])
    }

    pub(crate) fn set_limit(&mut self, limit: u32) {
        let [a, b, c, d] = limit.to_le_bytes();
        self.0[2] = a;
        self.0[3] = b;
        self.0[4] = c;
        self.0[5] = d;
    }

    pub(crate) fn copy_from(&mut self, o: &Plan<'_>) {
        self.0.copy_from_slice(o.0);
    }

    pub(crate) fn lit_len(&self) -> &[u8; LITS] {
        self.0
            .get(Self::LENS..)
            .and_then(|s| s.first_chunk())
            .unwrap_or(&[0; LITS])
    }

    pub(crate) fn dist_len(&self) -> &[u8; DISTS] {
        self.0
            .get(Self::LENS + LITS..)
            .and_then(|s| s.first_chunk())
            .unwrap_or(&[0; DISTS])
    }

    /// Literal/length and distance code lengths, for writing (never
    /// `None`: the layout is fixed).
    pub(crate) fn lens_mut(&mut self) -> Option<(&mut [u8; LITS], &mut [u8; DISTS])> {
        pair_mut(self.0, Self::LENS)
    }

    /// Literal/length and distance prices, for writing (never `None`).
    pub(crate) fn prices_mut(&mut self) -> Option<(&mut [u8; LITS], &mut [u8; DISTS])> {
        pair_mut(self.0, Self::PRICES)
    }

    pub(crate) fn lit_price(&self, sym: usize) -> u8 {
        self.0
            .get(Self::PRICES..)
            .and_then(|s| s.first_chunk::<LITS>())
            .and_then(|p| p.get(sym))
            .copied()
            .unwrap_or(u8::MAX)
    }

    pub(crate) fn dist_price(&self, code: usize) -> u8 {
        self.0
            .get(Self::PRICES + LITS..)
            .and_then(|s| s.first_chunk::<DISTS>())
            .and_then(|p| p.get(code))
            .copied()
            .unwrap_or(u8::MAX)
    }
}

/// The literal/length and distance arrays at `off` of a plan.
fn pair_mut(plan: &mut [u8; PLAN_LEN], off: usize) -> Option<(&mut [u8; LITS], &mut [u8; DISTS])> {
    let (lit, rest) = plan.get_mut(off..)?.split_first_chunk_mut::<LITS>()?;
    Some((lit, rest.first_chunk_mut::<DISTS>()?))
}

const CHAINS_LEN: usize = (HASH_SIZE + WINDOW + HASH3_SIZE) * 2;

/// Hash heads and the chain window of the match finder: `head` holds the
/// newest position (+1) per 4-byte hash, which `prev` chains; `head3` the
/// newest position (+1) per 3-byte hash, the one 3-byte candidate.
pub(crate) struct Chains<'a>(pub(crate) &'a mut [u8; CHAINS_LEN]);

impl Chains<'_> {
    tables! { CHAINS_LEN;
        head, head_mut: U16s[HASH_SIZE * 2] @ 0;
        prev, prev_mut: U16s[WINDOW * 2] @ HASH_SIZE * 2;
        head3, head3_mut: U16s[HASH3_SIZE * 2] @ (HASH_SIZE + WINDOW) * 2;
    }
}

const DP_LEN: usize = SEGMENT * 8 + 1024;

/// The shortest-path arrays of one parse segment, and the length prices.
pub(crate) struct Dp<'a>(pub(crate) &'a mut [u8; DP_LEN]);

impl Dp<'_> {
    tables! { DP_LEN;
        cost, cost_mut: U32s[SEGMENT * 4] @ 0;
        edge, edge_mut: U32s[SEGMENT * 4] @ SEGMENT * 4;
        len_price, len_price_mut: U16s[1024] @ SEGMENT * 8;
    }
}

const FREQ_LEN: usize = 2048 + 128;

/// Symbol counts.
pub(crate) struct Freq<'a>(pub(crate) &'a mut [u8; FREQ_LEN]);

impl Freq<'_> {
    tables! { FREQ_LEN;
        lit, lit_mut: U32s[2048] @ 0;
        dist, dist_mut: U32s[128] @ 2048;
    }

    /// Zeroes every count before a pass.
    pub(crate) fn clear(&mut self) {
        self.0.fill(0);
    }
}

/// The Huffman builder's arrays (see [`super::huffman::lengths`]), and the
/// code-length code's (19 symbols: counts, lengths, words).
pub(crate) struct HuffScratch<'a> {
    pub(crate) build: Builder<'a>,
    pub(crate) cl: ClScratch<'a>,
}

const BUILDER_LEN: usize = 1024 + 4096 + 2048 + 1024;

/// Leaves sorted by count, node weights, parents and depths.
pub(crate) struct Builder<'a>(pub(crate) &'a mut [u8; BUILDER_LEN]);

impl Builder<'_> {
    // The depths, one byte per node, take the last 1024 bytes.
    tables! { BUILDER_LEN, then 1024;
        leaves, leaves_mut: U16s[1024] @ 0;
        weight, weight_mut: U32s[4096] @ 1024;
        parent, parent_mut: U16s[2048] @ 5120;
    }

    /// Node depths (1024 bytes after the parents).
    pub(crate) fn depth(&self, i: usize) -> u8 {
        self.0.get(7168 + (i & 1023)).copied().unwrap_or(0)
    }

    pub(crate) fn set_depth(&mut self, i: usize, d: u8) {
        if let Some(x) = self.0.get_mut(7168 + (i & 1023)) {
            *x = d;
        }
    }
}

/// The code-length code's tables.
pub(crate) struct ClScratch<'a> {
    pub(crate) freq: Own32<'a, 128>,
    pub(crate) len: &'a mut [u8; 19],
    pub(crate) word: Own16<'a, 64>,
}

const WORDS_LEN: usize = 1024 + 64;

/// Bit-reversed canonical code words for writing.
pub(crate) struct Words<'a>(pub(crate) &'a mut [u8; WORDS_LEN]);

impl Words<'_> {
    tables! { WORDS_LEN;
        lit, lit_mut: U16s[1024] @ 0;
        dist, dist_mut: U16s[64] @ 1024;
    }
}

/// The whole workspace, typed: eleven addresses.
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
pub const WORKSPACE_LEN: usize =
    CHAINS_LEN + DP_LEN + FREQ_LEN + BUILDER_LEN + 128 + 19 + 64 + WORDS_LEN + 3 * PLAN_LEN;

fn take<'a, const N: usize>(rest: &mut &'a mut [u8]) -> Option<&'a mut [u8; N]> {
    let (a, b) = core::mem::take(rest).split_first_chunk_mut::<N>()?;
    *rest = b;
    Some(a)
}

impl<'a> Ws<'a> {
    /// Carves `bytes` (at least [`WORKSPACE_LEN`]); `None` if shorter.
    pub(crate) fn new(bytes: &'a mut [u8]) -> Option<Ws<'a>> {
        let mut r = bytes;
        let r = &mut r;
        Some(Ws {
            chains: Chains(take(r)?),
            dp: Dp(take(r)?),
            freq: Freq(take(r)?),
            huff: HuffScratch {
                build: Builder(take(r)?),
                cl: ClScratch {
                    freq: U32s(take(r)?),
                    len: take(r)?,
                    word: U16s(take(r)?),
                },
            },
            words: Words(take(r)?),
            trial: Plan(take(r)?),
            best: Plan(take(r)?),
            saved: Plan(take(r)?),
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
        let mut t: Own16<'_, 16> = U16s(&mut b);
        t.set(3, 0xBEEF);
        assert_eq!(t.get(3), 0xBEEF);
        assert_eq!(t.get(3 + 8), 0xBEEF);
        let mut b = [0u8; 16];
        let mut t: Own32<'_, 16> = U32s(&mut b);
        t.set(1, 7);
        t.bump(1);
        assert_eq!(t.get(5), 8);
    }
}
