//! Huffman codes: length-limited code lengths from symbol counts, canonical
//! code words, the bit prices the priced parse uses, and the dynamic block
//! header (RFC 1951 §3.2.2, §3.2.7). All arrays live in the workspace.

use super::bits::BitWriter;
use super::tables::{CL_ORDER, DIST_EXTRA, LEN_EXTRA};
use super::workspace::{Builder, Freq, HuffScratch, Plan, U16s, Words, DISTS, LITS};

/// Code lengths (at most `max_bits`) for `n` symbols counted by `freq`, into
/// `lens`. Symbols with count 0 get length 0. Deterministic: ties are broken
/// by symbol number.
pub(crate) fn lengths(
    freq: &impl Fn(usize) -> u32,
    n: usize,
    max_bits: u32,
    lens: &mut [u8],
    s: &mut Builder<'_>,
) {
    lens.fill(0);
    let mut leaves = 0usize;
    for sym in 0..n.min(LITS) {
        if freq(sym) > 0 {
            s.leaves_mut().set(leaves, sym as u16);
            leaves = leaves.wrapping_add(1);
        }
    }
    match leaves {
        0 => return,
        1 => {
            if let Some(l) = lens.get_mut(usize::from(s.leaves().get(0))) {
                *l = 1;
            }
            return;
        }
        _ => {}
    }
    sort_leaves(&mut s.leaves_mut(), leaves, freq);
    // Two-queue Huffman: leaves in order, internal nodes appended in order of
    // creation (their weights never decrease). Nodes 0..leaves are leaves,
    // leaves..2*leaves-1 internal; the root is the last.
    // Counters below stay under 2 × 286 nodes: wrapping never happens.
    let mut i = 0usize;
    while i < leaves {
        let w = freq(usize::from(s.leaves().get(i)));
        s.weight_mut().set(i, w);
        i = i.wrapping_add(1);
    }
    let (mut li, mut ii, mut next) = (0usize, leaves, leaves);
    let nodes = leaves.wrapping_mul(2).wrapping_sub(1);
    while next < nodes {
        let mut pick = || {
            let use_leaf = li < leaves && (ii >= next || s.weight().get(li) <= s.weight().get(ii));
            if use_leaf {
                li = li.wrapping_add(1);
                li.wrapping_sub(1)
            } else {
                ii = ii.wrapping_add(1);
                ii.wrapping_sub(1)
            }
        };
        let a = pick();
        let b = pick();
        let w = s.weight().get(a).saturating_add(s.weight().get(b));
        s.weight_mut().set(next, w);
        s.parent_mut().set(a, next as u16);
        s.parent_mut().set(b, next as u16);
        next = next.wrapping_add(1);
    }
    // Depth of each node: its parent's plus one, parents first.
    s.set_depth(nodes.wrapping_sub(1), 0);
    for i in (0..nodes.wrapping_sub(1)).rev() {
        let p = usize::from(s.parent().get(i));
        let d = s.depth(p).saturating_add(1);
        s.set_depth(i, d);
    }
    // Leaves per length, clamped to max_bits; then the Kraft sum is repaired
    // by moving leaves down from shorter lengths, as zlib's gen_bitlen does.
    let max = (max_bits as usize).clamp(1, 15);
    let mut count = [0u32; 16];
    for i in 0..leaves {
        let d = usize::from(s.depth(i)).min(max);
        if let Some(c) = count.get_mut(d) {
            *c = c.saturating_add(1);
        }
    }
    let kraft = |c: &[u32; 16]| -> u64 {
        c.iter()
            .enumerate()
            .skip(1)
            .take(max)
            .map(|(b, &k)| u64::from(k) << (max - b))
            .fold(0u64, u64::saturating_add)
    };
    while kraft(&count) > 1u64 << max {
        let Some(b) = (1..max)
            .rev()
            .find(|&b| count.get(b).is_some_and(|&c| c > 0))
        else {
            break;
        };
        // b < max <= 15: b + 1 cannot wrap.
        let below = b.wrapping_add(1);
        for (i, up) in [(b, false), (below, true), (below, true), (max, false)] {
            if let Some(c) = count.get_mut(i) {
                *c = if up {
                    c.saturating_add(1)
                } else {
                    c.saturating_sub(1)
                };
            }
        }
    }
    // Longest codes go to the rarest symbols (leaves are sorted ascending).
    let mut idx = 0usize;
    for b in (1..=max).rev() {
        for _ in 0..count.get(b).copied().unwrap_or(0) {
            if idx < leaves {
                if let Some(l) = lens.get_mut(usize::from(s.leaves().get(idx))) {
                    *l = b as u8;
                }
            }
            idx = idx.wrapping_add(1);
        }
    }
}

/// Shell sort of the first `n` leaves by (count, symbol). `sort_unstable`
/// would do, but keeps a panic path (for inconsistent orderings) in the
/// object, and needs a slice of `u16`s the workspace cannot lend.
fn sort_leaves<R: AsRef<[u8]> + AsMut<[u8]>, const O: usize>(
    v: &mut U16s<R, O, 1024>,
    n: usize,
    freq: &impl Fn(usize) -> u32,
) {
    let key = |s: u16| (freq(usize::from(s)), s);
    let mut gap = n / 2;
    while gap > 0 {
        for i in gap..n {
            let x = v.get(i);
            let mut j = i;
            while j >= gap {
                let y = v.get(j - gap);
                if key(y) <= key(x) {
                    break;
                }
                v.set(j, y);
                j -= gap;
            }
            v.set(j, x);
        }
        gap /= 2;
    }
}

/// Bit-reversed canonical code words for `lens` (RFC 1951 §3.2.2), into
/// `words`. `extra8` counts length-8 codes past the end of `lens` that take
/// part in the numbering: the fixed code's symbols 286 and 287.
fn canonical<R: AsRef<[u8]> + AsMut<[u8]>, const O: usize, const B: usize>(
    lens: &[u8],
    extra8: u16,
    words: &mut U16s<R, O, B>,
) {
    let mut count = [0u16; 16];
    for &l in lens {
        if let Some(c) = count.get_mut(usize::from(l & 15)) {
            *c = c.saturating_add(1);
        }
    }
    count[8] = count[8].saturating_add(extra8);
    count[0] = 0;
    let mut next = [0u16; 16];
    let mut code = 0u16;
    for (n, &c) in next.iter_mut().skip(1).zip(count.iter()) {
        code = code.wrapping_add(c) << 1;
        *n = code;
    }
    for (sym, &l) in lens.iter().enumerate() {
        let l = usize::from(l & 15);
        if let Some(n) = next.get_mut(l).filter(|_| l != 0) {
            let c = *n;
            *n = c.wrapping_add(1);
            words.set(sym, c.reverse_bits() >> (16 - l));
        }
    }
}

/// The fixed code's lengths (RFC 1951 §3.2.6).
pub(crate) fn set_fixed(plan: &mut Plan<'_>) {
    let Some((lit, dist)) = plan.lens_mut() else {
        return;
    };
    for (i, l) in lit.iter_mut().enumerate() {
        *l = fixed_lit_len(i);
    }
    dist.fill(5);
}

fn fixed_lit_len(sym: usize) -> u8 {
    match sym {
        0..=143 => 8,
        144..=255 => 9,
        256..=279 => 7,
        _ => 8,
    }
}

/// Code words of `plan` (dynamic or fixed) for writing.
pub(crate) fn words(plan: &Plan<'_>, words: &mut Words<'_>) {
    let fixed = !plan.dynamic();
    canonical(
        plan.lit_len(),
        if fixed { 2 } else { 0 },
        &mut words.lit_mut(),
    );
    canonical(plan.dist_len(), 0, &mut words.dist_mut());
}

/// A dynamic code for the counts in `freq`, into `plan`'s lengths.
#[inline(never)]
pub(crate) fn dynamic(freq: &Freq<'_>, plan: &mut Plan<'_>, s: &mut HuffScratch<'_>) {
    let Some((lit, dist)) = plan.lens_mut() else {
        return;
    };
    lengths(&|i| freq.lit().get(i), LITS, 15, lit, &mut s.build);
    lengths(&|i| freq.dist().get(i), DISTS, 15, dist, &mut s.build);
    if dist.iter().all(|&l| l == 0) {
        // No matches: still describe one distance code (RFC 1951 §3.2.7).
        if let Some(l) = dist.first_mut() {
            *l = 1;
        }
    }
}

/// 0..30, for zipping with the distance tables (an `enumerate` keeps an
/// overflow check the optimiser cannot always remove). Zipped by reference:
/// by value, the array is copied into the caller's frame.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index is a build error"
)]
const DIST_INDEX: [u8; DISTS] = {
    let mut t = [0u8; DISTS];
    let mut i = 0;
    while i < DISTS {
        t[i] = i as u8;
        i += 1;
    }
    t
};

fn len_extra(sym: usize) -> u8 {
    sym.checked_sub(257)
        .and_then(|k| LEN_EXTRA.get(k))
        .copied()
        .unwrap_or(0)
}

/// `8 * log2(x)` rounded down, for `x >= 1`, in integer arithmetic: the
/// integer part from the leading bit, three fraction bits by squaring a
/// 16-bit mantissa (whose square still fits 32 bits).
fn log2_q3(x: u32) -> u32 {
    let x = x.max(1);
    // x >= 1, so k is 0..=31 and the shifts below are under 32.
    let k = 31u32.wrapping_sub(x.leading_zeros());
    // Mantissa in [2^15, 2^16): 1.xxx in Q15.
    let mut y = if k >= 15 {
        x >> (k.wrapping_sub(15) & 31)
    } else {
        x << (15u32.wrapping_sub(k) & 31)
    };
    let mut frac = 0;
    for _ in 0..3 {
        y = y.wrapping_mul(y) >> 15;
        frac <<= 1;
        if y >= 1 << 16 {
            frac |= 1;
            y >>= 1;
        }
    }
    k.wrapping_mul(8).wrapping_add(frac)
}

/// Sets `plan`'s prices from symbol counts: each symbol's information
/// content (`log2(total / count)`, in eighths of a bit) plus its extra bits.
/// A symbol not seen costs one bit more than one seen once. Smoother than
/// whole code lengths, which is what lets the next parse find a better code.
pub(crate) fn prices_from_freq(freq: &Freq<'_>, plan: &mut Plan<'_>) {
    let total = (0..LITS).fold(0u32, |a, i| a.saturating_add(freq.lit().get(i)));
    let base = log2_q3(total.max(1));
    let Some((lit_price, dist_price)) = plan.prices_mut() else {
        return;
    };
    for (i, p) in lit_price.iter_mut().enumerate() {
        let f = freq.lit().get(i);
        let info = if f == 0 {
            base + 8
        } else {
            base.saturating_sub(log2_q3(f))
        };
        *p = info.saturating_add(8 * u32::from(len_extra(i))).min(255) as u8;
    }
    let total = (0..DISTS).fold(0u32, |a, i| a.saturating_add(freq.dist().get(i)));
    let base = log2_q3(total.max(1));
    for ((p, &e), &i) in dist_price.iter_mut().zip(&DIST_EXTRA).zip(&DIST_INDEX) {
        let f = freq.dist().get(usize::from(i));
        let info = if f == 0 {
            base + 8
        } else {
            base.saturating_sub(log2_q3(f))
        };
        *p = info.saturating_add(8 * u32::from(e)).min(255) as u8;
    }
}

/// Bits of a block body: counts times code lengths plus extra bits.
pub(crate) fn body_bits(freq: &Freq<'_>, plan: &Plan<'_>) -> usize {
    let (lit_len, dist_len) = (plan.lit_len(), plan.dist_len());
    let mut bits = 0usize;
    for (i, &l) in lit_len.iter().enumerate() {
        let f = freq.lit().get(i) as usize;
        bits = bits.saturating_add(f.saturating_mul(usize::from(l) + usize::from(len_extra(i))));
    }
    for ((&l, &e), &i) in dist_len.iter().zip(&DIST_EXTRA).zip(&DIST_INDEX) {
        let f = freq.dist().get(usize::from(i)) as usize;
        bits = bits.saturating_add(f.saturating_mul(usize::from(l) + usize::from(e)));
    }
    bits
}

/// Bits of a block body under the fixed code, without building it.
pub(crate) fn fixed_body_bits(freq: &Freq<'_>) -> usize {
    let mut bits = 0usize;
    for i in 0..LITS {
        let f = freq.lit().get(i) as usize;
        let l = usize::from(fixed_lit_len(i)) + usize::from(len_extra(i));
        bits = bits.saturating_add(f.saturating_mul(l));
    }
    for (i, &e) in DIST_EXTRA.iter().enumerate() {
        let f = freq.dist().get(i) as usize;
        bits = bits.saturating_add(f.saturating_mul(5 + usize::from(e)));
    }
    bits
}

/// Symbols sent of each alphabet: HLIT (257..=286) and HDIST (1..=30).
fn counts(plan: &Plan<'_>) -> (usize, usize) {
    let hlit = plan
        .lit_len()
        .iter()
        .rposition(|&l| l != 0)
        .map_or(257, |i| (i + 1).max(257));
    let hdist = plan
        .dist_len()
        .iter()
        .rposition(|&l| l != 0)
        .map_or(1, |i| i + 1);
    (hlit, hdist)
}

/// Runs the code-length alphabet over the lengths sent, calling
/// `f(symbol, extra_bits, extra_value)`.
fn rle(plan: &Plan<'_>, mut f: impl FnMut(usize, u32, u32)) {
    let (hlit, hdist) = counts(plan);
    let lens = plan
        .lit_len()
        .iter()
        .take(hlit)
        .chain(plan.dist_len().iter().take(hdist))
        .copied();
    let mut flush = |v: u8, mut run: usize| {
        if v == 0 {
            while run >= 11 {
                let k = run.min(138);
                f(18, 7, (k - 11) as u32);
                run -= k;
            }
            if run >= 3 {
                f(17, 3, (run - 3) as u32);
                run = 0;
            }
        } else {
            f(usize::from(v), 0, 0);
            run = run.saturating_sub(1);
            while run >= 3 {
                let k = run.min(6);
                f(16, 2, (k - 3) as u32);
                run -= k;
            }
        }
        for _ in 0..run {
            f(usize::from(v), 0, 0);
        }
    };
    let mut prev: Option<u8> = None;
    let mut run = 0usize;
    for l in lens {
        if prev == Some(l) {
            run = run.wrapping_add(1);
        } else {
            if let Some(p) = prev {
                flush(p, run);
            }
            prev = Some(l);
            run = 1;
        }
    }
    if let Some(p) = prev {
        flush(p, run);
    }
}

/// Builds the code-length code into `s.cl` (lengths and bit-reversed
/// words) and returns HCLEN.
fn cl_code(plan: &Plan<'_>, s: &mut HuffScratch<'_>) -> usize {
    let HuffScratch { build, cl } = s;
    cl.freq.fill(0);
    rle(plan, |sym, _, _| cl.freq.bump(sym));
    lengths(&|i| cl.freq.get(i), 19, 7, cl.len, build);
    canonical(cl.len, 0, &mut cl.word);
    CL_ORDER
        .iter()
        .rposition(|&sym| cl.len.get(usize::from(sym)).is_some_and(|&l| l != 0))
        .map_or(4, |i| (i + 1).max(4))
}

/// Bits of the dynamic block header for `plan`'s code (after the 3 block
/// header bits).
#[inline(never)]
pub(crate) fn header_bits(plan: &Plan<'_>, s: &mut HuffScratch<'_>) -> usize {
    let hclen = cl_code(plan, s);
    let len = &*s.cl.len;
    let mut bits = 5 + 5 + 4 + 3 * hclen;
    rle(plan, |sym, e, _| {
        bits = bits
            .saturating_add(usize::from(len.get(sym).copied().unwrap_or(0)))
            .saturating_add(e as usize);
    });
    bits
}

/// Writes the dynamic block header for `plan`'s code.
pub(crate) fn write_header(plan: &Plan<'_>, s: &mut HuffScratch<'_>, w: &mut BitWriter<'_>) {
    let (hlit, hdist) = counts(plan);
    let hclen = cl_code(plan, s);
    let cl = &s.cl;
    // hlit ≥ 257, hdist ≥ 1, hclen ≥ 4 (see `counts`, `cl_code`).
    w.put(hlit.saturating_sub(257) as u32, 5);
    w.put(hdist.saturating_sub(1) as u32, 5);
    w.put(hclen.saturating_sub(4) as u32, 4);
    for &sym in CL_ORDER.iter().take(hclen) {
        w.put(
            u32::from(cl.len.get(usize::from(sym)).copied().unwrap_or(0)),
            3,
        );
    }
    rle(plan, |sym, e, v| {
        w.put_code(cl.word.get(sym), cl.len.get(sym).copied().unwrap_or(0));
        w.put(v, e);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_in_eighths() {
        for (x, want) in [
            (1, 0),
            (2, 8),
            (3, 12),
            (4, 16),
            (1 << 20, 160),
            (65535, 127),
        ] {
            assert_eq!(log2_q3(x), want, "log2({x})");
        }
        for x in 1..100_000u32 {
            let exact = 8.0 * f64::from(x).log2();
            let got = f64::from(log2_q3(x));
            assert!(
                got <= exact + 1e-6 && exact - got < 1.01,
                "log2({x}): {got} vs {exact}"
            );
        }
    }
    use crate::deflate::workspace::Ws;
    use crate::deflate::WORKSPACE_LEN;

    #[test]
    fn lengths_are_limited_and_complete() {
        let mut b = std::vec![0u8; WORKSPACE_LEN];
        let mut ws = Ws::new(&mut b).unwrap();
        // Fibonacci counts force depths past 15 without the limit.
        let mut f = [0u32; 30];
        let (mut a, mut c) = (1u32, 1u32);
        for x in f.iter_mut() {
            *x = a;
            (a, c) = (c, a.saturating_add(c));
        }
        let mut lens = [0u8; 30];
        lengths(&|i| f[i], 30, 15, &mut lens, &mut ws.huff.build);
        assert!(lens.iter().all(|&l| (1..=15).contains(&l)));
        let kraft: u64 = lens.iter().map(|&l| 1u64 << (15 - l)).sum();
        assert_eq!(kraft, 1 << 15, "{lens:?}");
        // Rarer symbols never get shorter codes.
        for i in 1..30 {
            assert!(lens[i] <= lens[i - 1], "{lens:?}");
        }
    }
}
