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

/// Runs the priced parse with `plan`'s prices, calling `emit` per token.
pub(crate) fn optimal(
    input: &[u8],
    c: &mut Chains<'_>,
    dp: &mut Dp<'_>,
    plan: &Plan<'_>,
    work: &mut Work,
    emit: &mut impl FnMut(Token),
) {
    c.reset();
    for l in MIN_MATCH..=MAX_MATCH {
        let p = plan.lit_price(257 + len_code(l));
        dp.len_price.set(l, u16::from(p));
    }
    let lit_price = |b: u8| u32::from(plan.lit_price(usize::from(b)));
    let dist_price = |d: usize| u32::from(plan.dist_price(dist_code(d)));
    let n = input.len();
    let mut s = 0;
    let mut inserted = 0;
    while s < n {
        let e = (s + SEGMENT - 1).min(n);
        let span = e - s;
        dp.cost.set(0, 0);
        for k in 1..=span {
            dp.cost.set(k, u32::MAX);
        }
        let mut skip_to = s;
        for i in s..e {
            let k = i - s;
            let here = dp.cost.get(k);
            let lit = here.saturating_add(lit_price(byte(input, i)));
            if lit < dp.cost.get(k + 1) {
                dp.cost.set(k + 1, lit);
                dp.edge.set(k + 1, 1);
            }
            let max = (e - i).min(MAX_MATCH);
            if i >= skip_to && max >= MIN_MATCH && i + MIN_MATCH <= n {
                let nice = work.nice(OPT_NICE).min(max);
                let mut best = MIN_MATCH - 1;
                let p3 = c.first3(input, i).wrapping_sub(1);
                if p3 < i && i - p3 <= MAX_DIST {
                    let l = match_len(input, p3, i, max, work);
                    if l >= MIN_MATCH {
                        let dist = i - p3;
                        let dp_price = here.saturating_add(dist_price(dist));
                        work.add(l as u32);
                        for len in MIN_MATCH..=l {
                            let c = dp_price.saturating_add(u32::from(dp.len_price.get(len)));
                            if c < dp.cost.get(k + len) {
                                dp.cost.set(k + len, c);
                                dp.edge.set(k + len, (len as u32) | ((dist as u32) << 9));
                            }
                        }
                        best = l;
                    }
                }
                let mut cand = c.first(input, i);
                let mut last = usize::MAX;
                let mut steps = 0;
                let chain = work.chain(OPT_CHAIN);
                while cand != 0 && steps < chain {
                    let p = cand - 1;
                    // Chains only go backwards; a stale slot could point
                    // forward, which ends the walk.
                    if p >= last {
                        break;
                    }
                    last = p;
                    cand = c.next(p);
                    steps += 1;
                    work.add(1);
                    // Positions planned ahead in the previous segment are
                    // already in the chains: pass over them.
                    if p >= i {
                        continue;
                    }
                    if i - p > MAX_DIST {
                        break;
                    }
                    if byte(input, p + best) != byte(input, i + best) {
                        continue;
                    }
                    let l = match_len(input, p, i, max, work);
                    if l > best {
                        let dist = i - p;
                        let dp_price = here.saturating_add(dist_price(dist));
                        work.add((l - best) as u32);
                        for len in best + 1..=l {
                            let c = dp_price.saturating_add(u32::from(dp.len_price.get(len)));
                            if c < dp.cost.get(k + len) {
                                dp.cost.set(k + len, c);
                                dp.edge.set(k + len, (len as u32) | ((dist as u32) << 9));
                            }
                        }
                        best = l;
                        if l >= nice {
                            break;
                        }
                    }
                }
                if best >= nice {
                    skip_to = i + best;
                }
            }
            if i >= inserted {
                c.insert(input, i);
                inserted = i + 1;
            }
        }
        // Walk back from the end, leaving forward links in `cost`.
        let mut k = span;
        while k > 0 {
            let edge = dp.edge.get(k);
            let len = ((edge & 0x1FF) as usize).clamp(1, k);
            dp.cost.set(k - len, edge);
            k -= len;
        }
        let commit = if e == n { span } else { span - MAX_MATCH };
        let mut k = 0;
        while k < commit {
            let edge = dp.cost.get(k);
            let len = ((edge & 0x1FF) as usize).clamp(1, span - k);
            if len == 1 {
                emit(Token::Literal(byte(input, s + k)));
            } else {
                emit(Token::Match {
                    len,
                    dist: (edge >> 9) as usize,
                });
            }
            k += len;
        }
        s += k.max(1);
    }
}
