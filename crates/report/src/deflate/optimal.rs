//! The priced parse: over segments of the input, the cheapest path through
//! "literal" and "match of length l at the nearest distance that reaches l"
//! edges, priced in bits by a previous pass's code. Segments plan
//! [`SEGMENT`] positions and commit all but the last [`MAX_MATCH`], so no
//! match is cut at a commit point and memory stays fixed.
//!
//! Bounded like the lazy parse: a chain limit, a per-parse [`Work`] budget,
//! and a "nice" length — a match that long is taken and the positions it
//! covers are not searched (which is what makes runs and repeats linear).

use super::lz77::{byte, match_len, Token, Work};
use super::tables::{dist_code, len_code, MAX_MATCH, MIN_MATCH};
use super::workspace::{Chains, Dp, Plan};
use super::{MAX_DIST, SEGMENT};

/// Candidates examined per position at full effort.
const OPT_CHAIN: u32 = 64;
/// A match this long is taken without searching the positions it covers.
const OPT_NICE: usize = 128;

/// Runs the priced parse with `plan`'s prices, calling `emit` per token, on
/// chains the caller has reset ([`Chains::reset`]).
pub(crate) fn optimal(
    input: &[u8],
    c: &mut Chains<'_>,
    dp: &mut Dp<'_>,
    plan: &Plan<'_>,
    work: &mut Work,
    emit: &mut impl FnMut(Token),
) {
    // Positions are below 65,535 (the input limit) and segment offsets below
    // SEGMENT, so the wrapping operations below never wrap: they only keep
    // overflow checks (and their panic paths) out of the panic handler.
    for l in MIN_MATCH..=MAX_MATCH {
        let p = plan.lit_price(len_code(l).wrapping_add(257));
        dp.len_price_mut().set(l, u16::from(p));
    }
    let lit_price = |b: u8| u32::from(plan.lit_price(usize::from(b)));
    let dist_price = |d: usize| u32::from(plan.dist_price(dist_code(d)));
    let relax = |dp: &mut Dp<'_>, at: usize, cost: u32, len: usize, dist: usize| {
        if cost < dp.cost().get(at) {
            dp.cost_mut().set(at, cost);
            dp.edge_mut().set(at, (len as u32) | ((dist as u32) << 9));
        }
    };
    let n = input.len();
    let mut s = 0usize;
    let mut inserted = 0usize;
    while s < n {
        let e = s.wrapping_add(SEGMENT - 1).min(n);
        let span = e.wrapping_sub(s);
        dp.cost_mut().set(0, 0);
        let mut k = 1;
        while k <= span {
            dp.cost_mut().set(k, u32::MAX);
            k = k.wrapping_add(1);
        }
        let mut skip_to = s;
        let mut i = s;
        while i < e {
            let k = i.wrapping_sub(s);
            let here = dp.cost().get(k);
            let lit = here.saturating_add(lit_price(byte(input, i)));
            relax(dp, k.wrapping_add(1), lit, 1, 0);
            let max = e.wrapping_sub(i).min(MAX_MATCH);
            if i >= skip_to && max >= MIN_MATCH && n.wrapping_sub(i) >= MIN_MATCH {
                let nice = work.nice(OPT_NICE).min(max);
                let mut best = MIN_MATCH - 1;
                let p3 = c.first3(input, i).wrapping_sub(1);
                if p3 < i && i.wrapping_sub(p3) <= MAX_DIST {
                    let l = match_len(input, p3, i, max, work);
                    if l >= MIN_MATCH {
                        let dist = i.wrapping_sub(p3);
                        let base = here.saturating_add(dist_price(dist));
                        work.add(l as u32);
                        for len in MIN_MATCH..=l {
                            let c = base.saturating_add(u32::from(dp.len_price().get(len)));
                            relax(dp, k.wrapping_add(len), c, len, dist);
                        }
                        best = l;
                    }
                }
                let mut cand = c.first(input, i);
                let mut last = usize::MAX;
                let mut steps = 0;
                let chain = work.chain(OPT_CHAIN);
                while cand != 0 && steps < chain {
                    let p = cand.wrapping_sub(1);
                    // Chains only go backwards; a stale slot could point
                    // forward, which ends the walk.
                    if p >= last {
                        break;
                    }
                    last = p;
                    cand = c.next(p);
                    steps = steps.wrapping_add(1);
                    work.add(1);
                    // Positions planned ahead in the previous segment are
                    // already in the chains: pass over them.
                    if p >= i {
                        continue;
                    }
                    if i.wrapping_sub(p) > MAX_DIST {
                        break;
                    }
                    if byte(input, p.wrapping_add(best)) != byte(input, i.wrapping_add(best)) {
                        continue;
                    }
                    let l = match_len(input, p, i, max, work);
                    if l > best {
                        let dist = i.wrapping_sub(p);
                        let base = here.saturating_add(dist_price(dist));
                        work.add(l.wrapping_sub(best) as u32);
                        for len in best.wrapping_add(1)..=l {
                            let c = base.saturating_add(u32::from(dp.len_price().get(len)));
                            relax(dp, k.wrapping_add(len), c, len, dist);
                        }
                        best = l;
                        if l >= nice {
                            break;
                        }
                    }
                }
                if best >= nice {
                    skip_to = i.wrapping_add(best);
                }
            }
            if i >= inserted {
                c.insert(input, i);
                inserted = i.wrapping_add(1);
            }
            i = i.wrapping_add(1);
        }
        // Walk back from the end, leaving forward links in `cost`.
        let mut k = span;
        while k > 0 {
            let edge = dp.edge().get(k);
            let len = ((edge & 0x1FF) as usize).max(1).min(k);
            k = k.wrapping_sub(len);
            dp.cost_mut().set(k, edge);
        }
        let commit = if e == n {
            span
        } else {
            span.saturating_sub(MAX_MATCH)
        };
        let mut k = 0usize;
        while k < commit {
            let edge = dp.cost().get(k);
            let len = ((edge & 0x1FF) as usize).max(1).min(span.wrapping_sub(k));
            if len == 1 {
                emit(Token::Literal(byte(input, s.wrapping_add(k))));
            } else {
                emit(Token::Match {
                    len,
                    dist: (edge >> 9) as usize,
                });
            }
            k = k.wrapping_add(len);
        }
        s = s.wrapping_add(k.max(1));
    }
}
