//! LZ77 match finding: hash chains over the window, a match search bounded
//! by a chain limit and a "nice" length, and the lazy parse. Every step of
//! the search is counted against a per-parse [`Work`] budget; once it is
//! spent, searches look at one candidate only, so no input can make a parse
//! slow — only less compressed.

use super::tables::{MAX_MATCH, MIN_MATCH};
use super::workspace::Chains;
use super::{HASH3_BITS, HASH_BITS, MAX_DIST};

/// One LZ77 step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    Literal(u8),
    Match { len: usize, dist: usize },
}

/// Candidates a full-effort lazy search examines.
const LAZY_CHAIN: u32 = 48;
/// A match this long ends the lazy search and is taken without a lazy look.
const LAZY_NICE: usize = 128;

/// Work units (chain steps, 8-byte comparisons, priced edges) a parse of `n`
/// bytes may spend at full effort.
pub(crate) const WORK_PER_BYTE: u32 = 64;
const WORK_BASE: u32 = 4096;
/// Past its budget a search takes matches this long without looking further.
const SPENT_NICE: usize = 16;

/// A parse's work counter and its budget.
pub(crate) struct Work {
    pub(crate) used: u32,
    limit: u32,
}

impl Work {
    /// The full-effort budget for `n` bytes.
    pub(crate) fn full_limit(n: usize) -> u32 {
        (n as u32)
            .saturating_mul(WORK_PER_BYTE)
            .saturating_add(WORK_BASE)
    }

    pub(crate) fn new(limit: u32) -> Work {
        Work { used: 0, limit }
    }

    #[inline(always)]
    pub(crate) fn spent(&self) -> bool {
        self.used >= self.limit
    }

    /// The nice length to use now: `full` within budget, small past it.
    #[inline(always)]
    pub(crate) fn nice(&self, full: usize) -> usize {
        if self.spent() {
            SPENT_NICE.min(full)
        } else {
            full
        }
    }

    #[inline(always)]
    pub(crate) fn add(&mut self, units: u32) {
        self.used = self.used.saturating_add(units);
    }

    /// The chain limit to use now: `full` within budget, 1 past it.
    #[inline(always)]
    pub(crate) fn chain(&self, full: u32) -> u32 {
        if self.used < self.limit {
            full
        } else {
            1
        }
    }
}

#[inline(always)]
pub(crate) fn byte(input: &[u8], i: usize) -> u8 {
    input.get(i).copied().unwrap_or(0)
}

/// The 4 bytes at `i` as a little-endian word (zeros past the end).
#[inline(always)]
fn word4(input: &[u8], i: usize) -> u32 {
    match input.get(i..i.saturating_add(4)) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => u32::from_le_bytes([
            byte(input, i),
            byte(input, i.saturating_add(1)),
            byte(input, i.saturating_add(2)),
            0,
        ]),
    }
}

/// Hash of the 4 bytes at `i`: the chains.
#[inline(always)]
fn hash4(input: &[u8], i: usize) -> usize {
    (word4(input, i).wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// Hash of the 3 bytes at `i`: the one short-match candidate.
#[inline(always)]
fn hash3(input: &[u8], i: usize) -> usize {
    ((word4(input, i) & 0xFF_FFFF).wrapping_mul(0x9E37_79B1) >> (32 - HASH3_BITS)) as usize
}

impl Chains<'_> {
    pub(crate) fn reset(&mut self) {
        // Only the heads: a chain link is read only for a position inserted
        // in this parse, whose link was written when it was inserted.
        self.head_mut().fill(0);
        self.head3_mut().fill(0);
    }

    /// Adds position `i` (< 65,535) to its hash chain. Chains hash 4 bytes,
    /// so a walk meets few candidates that share only 3; the newest 3-byte
    /// match has a table of its own.
    #[inline(always)]
    pub(crate) fn insert(&mut self, input: &[u8], i: usize) {
        if input.len().saturating_sub(i) >= MIN_MATCH {
            self.head3_mut()
                .set(hash3(input, i), i.wrapping_add(1) as u16);
        }
        if input.len().saturating_sub(i) >= 4 {
            let h = hash4(input, i);
            let newest = self.head().get(h);
            self.prev_mut().set(i, newest);
            self.head_mut().set(h, i.wrapping_add(1) as u16);
        }
    }

    /// The newest position with the 4-byte hash of `i`, plus one (0: none).
    #[inline(always)]
    pub(crate) fn first(&self, input: &[u8], i: usize) -> usize {
        if input.len().saturating_sub(i) >= 4 {
            usize::from(self.head().get(hash4(input, i)))
        } else {
            0
        }
    }

    /// The newest position with the 3-byte hash of `i`, plus one (0: none).
    #[inline(always)]
    pub(crate) fn first3(&self, input: &[u8], i: usize) -> usize {
        usize::from(self.head3().get(hash3(input, i)))
    }

    /// The position before `p` on its chain, plus one (0: none).
    #[inline(always)]
    pub(crate) fn next(&self, p: usize) -> usize {
        usize::from(self.prev().get(p))
    }
}

/// Length of the common prefix of `input[a..]` and `input[b..]`, at most
/// `max` (the caller checks `b + max <= len`), comparing 8 bytes at a time.
#[inline(always)]
pub(crate) fn match_len(input: &[u8], a: usize, b: usize, max: usize, work: &mut Work) -> usize {
    let (Some(x), Some(y)) = (
        input.get(a..a.saturating_add(max)),
        input.get(b..b.saturating_add(max)),
    ) else {
        return 0;
    };
    let mut l = 0;
    let mut xs = x.chunks_exact(8);
    let mut ys = y.chunks_exact(8);
    for (cx, cy) in xs.by_ref().zip(ys.by_ref()) {
        work.add(1);
        let (Ok(cx), Ok(cy)) = (<[u8; 8]>::try_from(cx), <[u8; 8]>::try_from(cy)) else {
            return l;
        };
        let d = u64::from_le_bytes(cx) ^ u64::from_le_bytes(cy);
        if d != 0 {
            return l.wrapping_add((d.trailing_zeros() / 8) as usize);
        }
        l = l.wrapping_add(8);
    }
    work.add(1);
    l.wrapping_add(
        xs.remainder()
            .iter()
            .zip(ys.remainder())
            .take_while(|(p, q)| p == q)
            .count(),
    )
}

/// The longest match for position `i` among at most `chain` candidates:
/// (length, distance), or length 0.
#[inline(always)]
fn longest(input: &[u8], c: &Chains<'_>, i: usize, work: &mut Work) -> (usize, usize) {
    let n = input.len();
    if n.saturating_sub(i) < MIN_MATCH {
        return (0, 0);
    }
    let max = n.wrapping_sub(i).min(MAX_MATCH);
    let nice = work.nice(LAZY_NICE).min(max);
    let mut best = (MIN_MATCH - 1, 0);
    let p3 = c.first3(input, i).wrapping_sub(1);
    if p3 < i && i.wrapping_sub(p3) <= MAX_DIST {
        work.add(1);
        let l = match_len(input, p3, i, max, work);
        if l >= MIN_MATCH {
            best = (l, i.wrapping_sub(p3));
        }
    }
    let mut cand = c.first(input, i);
    let mut last = i;
    for _ in 0..work.chain(LAZY_CHAIN) {
        if cand == 0 {
            break;
        }
        let p = cand.wrapping_sub(1);
        // Chains only go backwards; a slot overwritten after the window
        // moved on could point forward, which ends the walk.
        if p >= last || i.wrapping_sub(p) > MAX_DIST {
            break;
        }
        last = p;
        work.add(1);
        if byte(input, p.wrapping_add(best.0)) == byte(input, i.wrapping_add(best.0)) {
            let l = match_len(input, p, i, max, work);
            if l > best.0 {
                best = (l, i.wrapping_sub(p));
                if l >= nice {
                    break;
                }
            }
        }
        cand = c.next(p);
    }
    if best.0 >= MIN_MATCH {
        best
    } else {
        (0, 0)
    }
}

/// The lazy parse (a match is deferred when the next position has a longer
/// one), calling `emit` for every token, on chains the caller has reset
/// ([`Chains::reset`]). Deterministic: sizing and writing see the same tokens.
pub(crate) fn lazy(
    input: &[u8],
    c: &mut Chains<'_>,
    work: &mut Work,
    emit: &mut impl FnMut(Token),
) {
    let n = input.len();
    let mut i = 0;
    let mut pending: Option<(usize, usize)> = None;
    while i < n {
        let m = match pending.take() {
            Some(m) => m,
            None => longest(input, c, i, work),
        };
        c.insert(input, i);
        if m.0 >= MIN_MATCH && m.0 < LAZY_NICE.min(n.wrapping_sub(i)) && !work.spent() {
            let next = longest(input, c, i.wrapping_add(1), work);
            if next.0 > m.0 {
                emit(Token::Literal(byte(input, i)));
                pending = Some(next);
                i = i.wrapping_add(1);
                continue;
            }
        }
        if m.0 >= MIN_MATCH {
            emit(Token::Match {
                len: m.0,
                dist: m.1,
            });
            // Positions stay below 65,535 (the input limit): no wrapping.
            let mut k = i.wrapping_add(1);
            let end = i.wrapping_add(m.0);
            while k < end {
                c.insert(input, k);
                k = k.wrapping_add(1);
            }
            i = end;
        } else {
            emit(Token::Literal(byte(input, i)));
            i = i.wrapping_add(1);
        }
    }
}
