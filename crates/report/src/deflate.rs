//! A zlib (RFC 1950/1951) compressor that allocates nothing: hash chains live
//! in a caller workspace, and the input is parsed twice — once to count
//! symbols (which gives the exact compressed size without writing anything),
//! once to write — so no token buffer is needed.

/// Bytes of workspace [`compress`] and [`compressed_len`] need: hash heads,
/// the chain window, and the shortest-path arrays of one parse segment
/// (32,744 bytes).
pub const WORKSPACE_LEN: usize = HASH_SIZE * 2 + WINDOW * 2 + (SEGMENT + 1) * 8;

/// Positions the optimal parse plans at once; its arrays are sized by this.
const SEGMENT: usize = 1020;
/// Candidates examined per position in the optimal parse.
const OPT_CHAIN: usize = 512;
/// Cost refinement passes of the optimal parse.
const OPT_PASSES: usize = 3;

/// The largest input accepted: positions are 16-bit in the chains.
pub const MAX_INPUT: usize = 65_534;

const HASH_BITS: u32 = 12;
const HASH_SIZE: usize = 1 << HASH_BITS;
/// The LZ77 window: matches reach at most this far back.
const WINDOW: usize = 8192;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// Candidates examined per position in the first (lazy) pass.
const MAX_CHAIN: usize = 256;
/// zlib header for deflate with an 8 KiB window (CINFO = 5), level "max":
/// 0x58 0xDA... FCHECK makes the 16-bit value a multiple of 31.
const ZLIB_HEADER: [u8; 2] = zlib_header();

/// Why compression failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeflateError {
    /// The workspace is shorter than [`WORKSPACE_LEN`].
    WorkspaceTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        actual: usize,
    },
    /// The input is longer than [`MAX_INPUT`].
    InputTooLong {
        /// Its length.
        len: usize,
    },
    /// The output buffer is too short for the stream.
    OutputTooSmall {
        /// Bytes the stream needs.
        needed: usize,
        /// Bytes given.
        actual: usize,
    },
}

/// The exact length in bytes of the zlib stream [`compress`] writes for
/// `input`, without writing it.
///
/// # Errors
/// A short workspace or an input over [`MAX_INPUT`].
pub fn compressed_len(input: &[u8], workspace: &mut [u8]) -> Result<usize, DeflateError> {
    let plan = Plan::new(input, workspace)?;
    Ok(plan.total_bytes())
}

/// Compresses `input` into `out` as a zlib stream and returns its length.
/// Output is written only as far as `out` goes; on error its contents are
/// unspecified.
///
/// # Errors
/// A short workspace, an input over [`MAX_INPUT`], or `out` shorter than the
/// stream (the error carries the length needed).
///
/// # Examples
/// ```
/// use panicqr_report::deflate::{compress, WORKSPACE_LEN};
/// let mut ws = vec![0u8; WORKSPACE_LEN];
/// let mut out = [0u8; 64];
/// let n = compress(b"hello hello hello hello", &mut ws, &mut out)?;
/// assert!(n < 23 + 6);
/// # Ok::<(), panicqr_report::deflate::DeflateError>(())
/// ```
pub fn compress(input: &[u8], workspace: &mut [u8], out: &mut [u8]) -> Result<usize, DeflateError> {
    let plan = Plan::new(input, workspace)?;
    let needed = plan.total_bytes();
    if out.len() < needed {
        return Err(DeflateError::OutputTooSmall {
            needed,
            actual: out.len(),
        });
    }
    let Plan {
        codes,
        dynamic,
        prices,
        ..
    } = plan;
    let mut w = BitWriter {
        out,
        pos: 0,
        acc: 0,
        n: 0,
    };
    for &b in &ZLIB_HEADER {
        w.put(u32::from(b), 8);
    }
    w.put(1, 1); // BFINAL
    if dynamic {
        w.put(2, 2);
        codes.write_header(&mut w);
    } else {
        w.put(1, 2);
    }
    let words = codes.words(!dynamic);
    parse_optimal(input, workspace, &prices, |t| {
        codes.write_token(&words, &mut w, t)
    });
    codes.write_symbol(&words, &mut w, 256);
    w.align();
    for b in adler32(input).to_be_bytes() {
        w.put(u32::from(b), 8);
    }
    Ok(w.pos)
}

const fn zlib_header() -> [u8; 2] {
    let cmf: u16 = 0x58;
    let flevel: u16 = 3;
    let base = (cmf << 8) | (flevel << 6);
    let check = (31 - base % 31) % 31;
    let v = base + check;
    [(v >> 8) as u8, v as u8]
}

/// Adler-32 (RFC 1950 §8.2).
pub fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

/// One LZ77 step.
#[derive(Clone, Copy)]
enum Token {
    Literal(u8),
    Match { len: u16, dist: u16 },
}

/// Symbol counts, the chosen codes, and the resulting size.
struct Plan {
    codes: Codes,
    dynamic: bool,
    bits: usize,
    /// The prices the final parse used; the writing pass parses with them again.
    prices: Prices,
}

impl Plan {
    fn new(input: &[u8], ws: &mut [u8]) -> Result<Plan, DeflateError> {
        if ws.len() < WORKSPACE_LEN {
            return Err(DeflateError::WorkspaceTooSmall {
                needed: WORKSPACE_LEN,
                actual: ws.len(),
            });
        }
        if input.len() > MAX_INPUT {
            return Err(DeflateError::InputTooLong { len: input.len() });
        }
        let mut lit = [0u32; 286];
        let mut dist = [0u32; 30];
        let count = |lit: &mut [u32; 286], dist: &mut [u32; 30], t: Token| match t {
            Token::Literal(b) => bump(lit, usize::from(b)),
            Token::Match { len, dist: d } => {
                bump(lit, 257 + len_code(len).0);
                bump(dist, dist_code(d).0);
            }
        };
        // Pass 1: a lazy parse gives first statistics; then shortest-path
        // parses priced by the previous pass's code lengths refine them.
        parse(input, ws, |t| count(&mut lit, &mut dist, t));
        bump(&mut lit, 256);
        let mut prices = Prices::from_codes(&Codes::dynamic(&lit, &dist));
        // Re-pricing is not monotone: keep the pass whose stream is smallest.
        let mut best: Option<(usize, Codes, bool, Prices)> = None;
        for _ in 0..OPT_PASSES {
            lit = [0; 286];
            dist = [0; 30];
            parse_optimal(input, ws, &prices, |t| count(&mut lit, &mut dist, t));
            bump(&mut lit, 256);
            let dynamic = Codes::dynamic(&lit, &dist);
            let dyn_bits = dynamic.header_bits() + dynamic.body_bits(&lit, &dist);
            let fixed_bits = fixed_body_bits(&lit, &dist);
            let next = Prices::from_codes(&dynamic);
            let (bits, is_dyn) = if dyn_bits < fixed_bits {
                (dyn_bits, true)
            } else {
                (fixed_bits, false)
            };
            if best.as_ref().is_none_or(|b| bits < b.0) {
                best = Some((
                    bits,
                    if is_dyn { dynamic } else { Codes::fixed() },
                    is_dyn,
                    prices.clone(),
                ));
            }
            prices = next;
        }
        let Some((bits, codes, is_dyn, prices)) = best else {
            return Err(DeflateError::InputTooLong { len: input.len() });
        };
        Ok(Plan {
            codes,
            dynamic: is_dyn,
            bits,
            prices,
        })
    }

    /// Header (2) + block (3 header bits + body, rounded up) + Adler-32 (4).
    fn total_bytes(&self) -> usize {
        2 + (3 + self.bits).div_ceil(8) + 4
    }
}

fn bump(t: &mut [u32], i: usize) {
    if let Some(c) = t.get_mut(i) {
        *c += 1;
    }
}

fn get16(ws: &[u8], i: usize) -> usize {
    ws.get(2 * i..2 * i + 2)
        .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])))
}

fn set16(ws: &mut [u8], i: usize, v: usize) {
    if let Some(b) = ws.get_mut(2 * i..2 * i + 2) {
        b.copy_from_slice(&(v as u16).to_le_bytes());
    }
}

fn hash(input: &[u8], i: usize) -> usize {
    match input.get(i..i + 3) {
        Some(&[a, b, c]) => {
            let v = (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c);
            (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
        }
        _ => 0,
    }
}

/// LZ77 with hash chains and lazy matching; calls `emit` for every token.
/// Deterministic: the two passes see the same tokens.
#[inline(never)]
fn parse(input: &[u8], ws: &mut [u8], mut emit: impl FnMut(Token)) {
    let (head, rest) = ws.split_at_mut(HASH_SIZE * 2);
    let prev = rest.get_mut(..WINDOW * 2).unwrap_or(&mut []);
    head.fill(0);
    prev.fill(0);
    let n = input.len();
    // Positions are stored + 1, so 0 means "none".
    let insert = |head: &mut [u8], prev: &mut [u8], i: usize| {
        if i + MIN_MATCH <= n {
            let h = hash(input, i);
            set16(prev, i % WINDOW, get16(head, h));
            set16(head, h, i + 1);
        }
    };
    let find = |head: &[u8], prev: &[u8], i: usize| -> (usize, usize) {
        if i + MIN_MATCH > n {
            return (0, 0);
        }
        let max = (n - i).min(MAX_MATCH);
        let cur = input.get(i..i + max).unwrap_or(&[]);
        let mut best = (0, 0);
        let mut cand = get16(head, hash(input, i));
        let mut last = i;
        for _ in 0..MAX_CHAIN {
            if cand == 0 {
                break;
            }
            let p = cand - 1;
            // Chains only go backwards; a stale slot (overwritten after the
            // window moved on) could point forward, which ends the walk.
            if p >= last || i - p > WINDOW - 1 {
                break;
            }
            last = p;
            let old = input.get(p..p + max).unwrap_or(&[]);
            if old.get(best.0) == cur.get(best.0) {
                let l = old.iter().zip(cur).take_while(|(a, b)| a == b).count();
                if l > best.0 {
                    best = (l, i - p);
                    if l == max {
                        break;
                    }
                }
            }
            cand = get16(prev, p % WINDOW);
        }
        if best.0 >= MIN_MATCH {
            best
        } else {
            (0, 0)
        }
    };
    let mut i = 0;
    let mut pending: Option<(usize, usize)> = None;
    while i < n {
        let m = match pending.take() {
            Some(m) => m,
            None => find(head, prev, i),
        };
        insert(head, prev, i);
        if m.0 >= MIN_MATCH && m.0 < MAX_MATCH {
            // Lazy: a longer match one byte later is worth a literal now.
            let next = find(head, prev, i + 1);
            if next.0 > m.0 {
                emit(Token::Literal(input.get(i).copied().unwrap_or(0)));
                pending = Some(next);
                i += 1;
                continue;
            }
        }
        if m.0 >= MIN_MATCH {
            emit(Token::Match {
                len: m.0 as u16,
                dist: m.1 as u16,
            });
            for k in i + 1..i + m.0 {
                insert(head, prev, k);
            }
            i += m.0;
        } else {
            emit(Token::Literal(input.get(i).copied().unwrap_or(0)));
            i += 1;
        }
    }
}

/// Bit prices of every symbol under some code, for the shortest-path parse.
#[derive(Clone)]
struct Prices {
    lit: [u8; 286],
    dist: [u8; 30],
}

impl Prices {
    /// Code lengths plus extra bits; a symbol the code lacks gets a high
    /// price so the parse can still use it if it pays.
    fn from_codes(c: &Codes) -> Prices {
        let mut p = Prices {
            lit: [0; 286],
            dist: [0; 30],
        };
        for (i, (o, &l)) in p.lit.iter_mut().zip(&c.lit_len).enumerate() {
            let extra = i
                .checked_sub(257)
                .and_then(|k| LEN_EXTRA.get(k))
                .copied()
                .unwrap_or(0);
            *o = if l == 0 { 14 } else { l } + extra;
        }
        for ((o, &l), &e) in p.dist.iter_mut().zip(&c.dist_len).zip(&DIST_EXTRA) {
            *o = if l == 0 { 14 } else { l } + e;
        }
        p
    }

    fn literal(&self, b: u8) -> u32 {
        u32::from(self.lit.get(usize::from(b)).copied().unwrap_or(15))
    }

    fn matched(&self, len: usize, dist: usize) -> u32 {
        let l = self
            .lit
            .get(257 + len_code(len as u16).0)
            .copied()
            .unwrap_or(20);
        let d = self
            .dist
            .get(dist_code(dist as u16).0)
            .copied()
            .unwrap_or(20);
        u32::from(l) + u32::from(d)
    }
}

/// The cheapest parse under `prices`: for each segment of [`SEGMENT`]
/// positions, a shortest path over "literal" and "match of length l at the
/// nearest distance that reaches l" edges, then its tokens in order.
#[inline(never)]
fn parse_optimal(input: &[u8], ws: &mut [u8], prices: &Prices, mut emit: impl FnMut(Token)) {
    let (head, rest) = ws.split_at_mut(HASH_SIZE * 2);
    let (prev, rest) = rest.split_at_mut((WINDOW * 2).min(rest.len()));
    let (cost, from) = rest.split_at_mut(((SEGMENT + 1) * 4).min(rest.len()));
    head.fill(0);
    prev.fill(0);
    let n = input.len();
    let get32 = |a: &[u8], i: usize| {
        a.get(4 * i..4 * i + 4)
            .map_or(u32::MAX, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let set32 = |a: &mut [u8], i: usize, v: u32| {
        if let Some(b) = a.get_mut(4 * i..4 * i + 4) {
            b.copy_from_slice(&v.to_le_bytes());
        }
    };
    // from[k] = len (9 bits) | dist << 9: the edge that reaches k cheapest.
    // Each round plans SEGMENT positions ahead but commits only the path's
    // first three quarters, so no match is cut at a commit point.
    let mut s = 0;
    let mut inserted = 0;
    while s < n {
        let e = (s + SEGMENT).min(n);
        let span = e - s;
        for k in 0..=span {
            set32(cost, k, if k == 0 { 0 } else { u32::MAX });
        }
        for i in s..e {
            let k = i - s;
            let here = get32(cost, k);
            let lit = here.saturating_add(prices.literal(input.get(i).copied().unwrap_or(0)));
            if lit < get32(cost, k + 1) {
                set32(cost, k + 1, lit);
                set32(from, k + 1, 1);
            }
            let max = (e - i).min(MAX_MATCH);
            if max >= MIN_MATCH && i + MIN_MATCH <= n {
                let cur = input.get(i..i + max).unwrap_or(&[]);
                let mut best = MIN_MATCH - 1;
                let mut cand = get16(head, hash(input, i));
                let mut last = usize::MAX;
                for _ in 0..OPT_CHAIN {
                    if cand == 0 {
                        break;
                    }
                    let p = cand - 1;
                    // Chains only go backwards; a stale slot could point
                    // forward, which ends the walk.
                    if p >= last {
                        break;
                    }
                    last = p;
                    cand = get16(prev, p % WINDOW);
                    // Positions planned ahead in the previous round are
                    // already in the chains: pass over them.
                    if p >= i {
                        continue;
                    }
                    if i - p > WINDOW - 1 {
                        break;
                    }
                    let old = input.get(p..p + max).unwrap_or(&[]);
                    if old.get(best) == cur.get(best) {
                        let l = old.iter().zip(cur).take_while(|(a, b)| a == b).count();
                        if l > best {
                            let dist = i - p;
                            for len in best + 1..=l {
                                let c = here.saturating_add(prices.matched(len, dist));
                                if c < get32(cost, k + len) {
                                    set32(cost, k + len, c);
                                    set32(from, k + len, (len as u32) | ((dist as u32) << 9));
                                }
                            }
                            best = l;
                            if l == max {
                                break;
                            }
                        }
                    }
                }
            }
            if i >= inserted && i + MIN_MATCH <= n {
                let h = hash(input, i);
                set16(prev, i % WINDOW, get16(head, h));
                set16(head, h, i + 1);
                inserted = i + 1;
            }
        }
        // Walk back from the end, leaving forward links in `cost`.
        let mut k = span;
        while k > 0 {
            let edge = get32(from, k);
            let len = ((edge & 0x1FF) as usize).max(1).min(k);
            set32(cost, k - len, edge);
            k -= len;
        }
        let commit = if e == n { span } else { span * 3 / 4 };
        let mut k = 0;
        while k < commit {
            let edge = get32(cost, k);
            let len = ((edge & 0x1FF) as usize).max(1).min(span - k);
            if len == 1 {
                emit(Token::Literal(input.get(s + k).copied().unwrap_or(0)));
            } else {
                emit(Token::Match {
                    len: len as u16,
                    dist: (edge >> 9) as u16,
                });
            }
            k += len;
        }
        s += k.max(1);
    }
}

// RFC 1951 §3.2.5.
const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
const CL_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// (code index 0..29, extra bits, extra value) for a match length.
fn len_code(len: u16) -> (usize, u8, u16) {
    let i = LEN_BASE.iter().rposition(|&b| b <= len).unwrap_or(0);
    let base = LEN_BASE.get(i).copied().unwrap_or(3);
    (i, LEN_EXTRA.get(i).copied().unwrap_or(0), len - base)
}

fn dist_code(dist: u16) -> (usize, u8, u16) {
    let i = DIST_BASE.iter().rposition(|&b| b <= dist).unwrap_or(0);
    let base = DIST_BASE.get(i).copied().unwrap_or(1);
    (i, DIST_EXTRA.get(i).copied().unwrap_or(0), dist - base)
}

/// Code lengths for literals/lengths and distances (the code words follow
/// from them; see [`Codes::words`]). Small, because the planner keeps a few.
#[derive(Clone, Copy)]
struct Codes {
    lit_len: [u8; 286],
    dist_len: [u8; 30],
}

/// The canonical code words of a [`Codes`], built once for writing.
struct Words {
    lit: [u16; 286],
    dist: [u16; 30],
}

impl Codes {
    fn fixed() -> Codes {
        let mut lit_len = [0u8; 286];
        for (i, l) in lit_len.iter_mut().enumerate() {
            *l = match i {
                0..=143 => 8,
                144..=255 => 9,
                256..=279 => 7,
                _ => 8,
            };
        }
        Codes {
            lit_len,
            dist_len: [5; 30],
        }
    }

    fn dynamic(lit: &[u32; 286], dist: &[u32; 30]) -> Codes {
        let mut lit_len = [0u8; 286];
        let mut dist_len = [0u8; 30];
        huffman_lengths(lit, 15, &mut lit_len);
        huffman_lengths(dist, 15, &mut dist_len);
        if dist_len.iter().all(|&l| l == 0) {
            // No matches: still describe one distance code (RFC 1951 §3.2.7).
            dist_len[0] = 1;
        }
        Codes { lit_len, dist_len }
    }

    /// The code words. The fixed code (RFC 1951 §3.2.6) numbers 288
    /// literal/length codes; 286 and 287 never occur but take part in the
    /// canonical numbering, so they are counted for it.
    fn words(&self, fixed: bool) -> Words {
        let mut all = [0u8; 288];
        for (a, &l) in all.iter_mut().zip(&self.lit_len) {
            *a = l;
        }
        if fixed {
            all[286] = 8;
            all[287] = 8;
        }
        let mut all_words = [0u16; 288];
        canonical(&all, &mut all_words);
        let mut w = Words {
            lit: [0; 286],
            dist: [0; 30],
        };
        for (d, &s) in w.lit.iter_mut().zip(&all_words) {
            *d = s;
        }
        canonical(&self.dist_len, &mut w.dist);
        w
    }

    fn body_bits(&self, lit: &[u32; 286], dist: &[u32; 30]) -> usize {
        let mut bits = 0usize;
        for (i, (&f, &l)) in lit.iter().zip(&self.lit_len).enumerate() {
            let extra = i
                .checked_sub(257)
                .and_then(|k| LEN_EXTRA.get(k))
                .copied()
                .unwrap_or(0);
            bits += f as usize * (usize::from(l) + usize::from(extra));
        }
        for ((&f, &l), &e) in dist.iter().zip(&self.dist_len).zip(&DIST_EXTRA) {
            bits += f as usize * (usize::from(l) + usize::from(e));
        }
        bits
    }

    fn counts(&self) -> (usize, usize) {
        let hlit = self
            .lit_len
            .iter()
            .rposition(|&l| l != 0)
            .map_or(257, |i| (i + 1).max(257));
        let hdist = self
            .dist_len
            .iter()
            .rposition(|&l| l != 0)
            .map_or(1, |i| i + 1);
        (hlit, hdist)
    }

    /// Runs the code-length alphabet (RFC 1951 §3.2.7) over the concatenated
    /// lengths, calling `f(symbol, extra_bits, extra_value)`.
    fn rle(&self, mut f: impl FnMut(usize, u8, u16)) {
        let (hlit, hdist) = self.counts();
        let lens = self
            .lit_len
            .iter()
            .take(hlit)
            .chain(self.dist_len.iter().take(hdist))
            .copied();
        let mut prev: Option<u8> = None;
        let mut run = 0usize;
        let flush = |v: u8, mut run: usize, f: &mut dyn FnMut(usize, u8, u16)| {
            if v == 0 {
                while run >= 11 {
                    let k = run.min(138);
                    f(18, 7, (k - 11) as u16);
                    run -= k;
                }
                if run >= 3 {
                    f(17, 3, (run - 3) as u16);
                    run = 0;
                }
            } else {
                f(usize::from(v), 0, 0);
                run -= 1;
                while run >= 3 {
                    let k = run.min(6);
                    f(16, 2, (k - 3) as u16);
                    run -= k;
                }
            }
            for _ in 0..run {
                f(usize::from(v), 0, 0);
            }
        };
        for l in lens {
            match prev {
                Some(p) if p == l => run += 1,
                _ => {
                    if let Some(p) = prev {
                        flush(p, run, &mut f);
                    }
                    prev = Some(l);
                    run = 1;
                }
            }
        }
        if let Some(p) = prev {
            flush(p, run, &mut f);
        }
    }

    fn cl_codes(&self) -> ([u8; 19], [u16; 19], usize) {
        let mut freq = [0u32; 19];
        self.rle(|s, _, _| bump(&mut freq, s));
        let mut len = [0u8; 19];
        huffman_lengths(&freq, 7, &mut len);
        let mut code = [0u16; 19];
        canonical(&len, &mut code);
        let hclen = CL_ORDER
            .iter()
            .rposition(|&s| len.get(s).is_some_and(|&l| l != 0))
            .map_or(4, |i| (i + 1).max(4));
        (len, code, hclen)
    }

    fn header_bits(&self) -> usize {
        let (len, _, hclen) = self.cl_codes();
        let mut bits = 5 + 5 + 4 + 3 * hclen;
        self.rle(|s, e, _| bits += usize::from(len.get(s).copied().unwrap_or(0)) + usize::from(e));
        bits
    }

    fn write_header(&self, w: &mut BitWriter<'_>) {
        let (hlit, hdist) = self.counts();
        let (len, code, hclen) = self.cl_codes();
        w.put((hlit - 257) as u32, 5);
        w.put((hdist - 1) as u32, 5);
        w.put((hclen - 4) as u32, 4);
        for &s in CL_ORDER.iter().take(hclen) {
            w.put(u32::from(len.get(s).copied().unwrap_or(0)), 3);
        }
        self.rle(|s, e, v| {
            w.put_code(
                code.get(s).copied().unwrap_or(0),
                len.get(s).copied().unwrap_or(0),
            );
            if e > 0 {
                w.put(u32::from(v), u32::from(e));
            }
        });
    }

    fn write_symbol(&self, words: &Words, w: &mut BitWriter<'_>, s: usize) {
        w.put_code(
            words.lit.get(s).copied().unwrap_or(0),
            self.lit_len.get(s).copied().unwrap_or(0),
        );
    }

    fn write_token(&self, words: &Words, w: &mut BitWriter<'_>, t: Token) {
        match t {
            Token::Literal(b) => self.write_symbol(words, w, usize::from(b)),
            Token::Match { len, dist } => {
                let (lc, le, lv) = len_code(len);
                self.write_symbol(words, w, 257 + lc);
                w.put(u32::from(lv), u32::from(le));
                let (dc, de, dv) = dist_code(dist);
                w.put_code(
                    words.dist.get(dc).copied().unwrap_or(0),
                    self.dist_len.get(dc).copied().unwrap_or(0),
                );
                w.put(u32::from(dv), u32::from(de));
            }
        }
    }
}

/// Bits of a block body under the fixed code (RFC 1951 §3.2.6), without
/// building its table.
fn fixed_body_bits(lit: &[u32; 286], dist: &[u32; 30]) -> usize {
    let mut bits = 0usize;
    for (i, &f) in lit.iter().enumerate() {
        let len = match i {
            0..=143 => 8,
            144..=255 => 9,
            256..=279 => 7,
            _ => 8,
        };
        let extra = i
            .checked_sub(257)
            .and_then(|k| LEN_EXTRA.get(k))
            .copied()
            .unwrap_or(0);
        bits += f as usize * (len + usize::from(extra));
    }
    for (&f, &e) in dist.iter().zip(&DIST_EXTRA) {
        bits += f as usize * (5 + usize::from(e));
    }
    bits
}

/// Canonical Huffman codes from lengths (RFC 1951 §3.2.2).
fn canonical(lens: &[u8], codes: &mut [u16]) {
    let mut count = [0u16; 16];
    for &l in lens {
        bump16(&mut count, usize::from(l));
    }
    if let Some(c) = count.get_mut(0) {
        *c = 0;
    }
    let mut next = [0u16; 16];
    let mut code = 0u16;
    for bits in 1..16 {
        code = (code + count.get(bits - 1).copied().unwrap_or(0)) << 1;
        if let Some(n) = next.get_mut(bits) {
            *n = code;
        }
    }
    for (&l, c) in lens.iter().zip(codes.iter_mut()) {
        if l != 0 {
            if let Some(n) = next.get_mut(usize::from(l)) {
                *c = *n;
                *n += 1;
            }
        }
    }
}

fn bump16(t: &mut [u16], i: usize) {
    if let Some(c) = t.get_mut(i) {
        *c += 1;
    }
}

/// Huffman code lengths for `freq`, none longer than `max_bits`.
///
/// Not inlined: its arrays (about 3.5 KiB) then exist once on the stack,
/// not once per call site.
#[inline(never)]
fn huffman_lengths<const N: usize>(freq: &[u32; N], max_bits: u8, lens: &mut [u8; N]) {
    huffman_lengths_dyn(freq, max_bits, lens);
}

fn huffman_lengths_dyn(freq: &[u32], max_bits: u8, lens: &mut [u8]) {
    // Symbols with a nonzero frequency, sorted by (frequency, symbol).
    let mut leaves = [0u16; 286];
    let mut n = 0;
    for (s, &f) in freq.iter().enumerate() {
        if f > 0 {
            if let Some(slot) = leaves.get_mut(n) {
                *slot = s as u16;
            }
            n += 1;
        }
    }
    let n = n.min(leaves.len());
    let leaves = leaves.get_mut(..n).unwrap_or(&mut []);
    let f = |s: u16| freq.get(usize::from(s)).copied().unwrap_or(0);
    sort_by_freq(leaves, &f);
    lens.fill(0);
    match leaves {
        [] => return,
        [s] => {
            if let Some(l) = lens.get_mut(usize::from(*s)) {
                *l = 1;
            }
            return;
        }
        _ => {}
    }
    // Two-queue Huffman: leaves in order, internal nodes appended in order of
    // creation (their weights are non-decreasing). parent[] indexes nodes:
    // 0..n leaves, n..2n-1 internal. Weights fit u16: they sum to at most the
    // number of tokens, and inputs are shorter than 64 KiB.
    let mut weight = [0u16; 2 * 286];
    let mut parent = [0u16; 2 * 286];
    for (w, &s) in weight.iter_mut().zip(leaves.iter()) {
        *w = u16::try_from(f(s)).unwrap_or(u16::MAX);
    }
    let (mut li, mut ii, mut next) = (0usize, n, n);
    let take = |li: &mut usize, ii: &mut usize, next: usize, weight: &[u16]| -> usize {
        let leaf_ok = *li < n;
        let int_ok = *ii < next;
        let use_leaf = leaf_ok && (!int_ok || weight.get(*li) <= weight.get(*ii));
        if use_leaf {
            *li += 1;
            *li - 1
        } else {
            *ii += 1;
            *ii - 1
        }
    };
    while next < 2 * n - 1 {
        let a = take(&mut li, &mut ii, next, &weight);
        let b = take(&mut li, &mut ii, next, &weight);
        let w = weight
            .get(a)
            .copied()
            .unwrap_or(0)
            .saturating_add(weight.get(b).copied().unwrap_or(0));
        if let Some(x) = weight.get_mut(next) {
            *x = w;
        }
        for c in [a, b] {
            if let Some(p) = parent.get_mut(c) {
                *p = next as u16;
            }
        }
        next += 1;
    }
    // Depths: the root is the last node; a node's depth is its parent's + 1.
    let mut depth = [0u8; 2 * 286];
    for i in (0..2 * n - 2).rev() {
        let p = usize::from(parent.get(i).copied().unwrap_or(0));
        let d = depth.get(p).copied().unwrap_or(0).saturating_add(1);
        if let Some(x) = depth.get_mut(i) {
            *x = d;
        }
    }
    // Count leaves per length, clamp to max_bits and repair the Kraft sum by
    // moving leaves down from shorter lengths (as zlib's gen_bitlen does).
    let max = usize::from(max_bits).clamp(1, 15);
    let mut bl_count = [0u32; 16];
    for &d in depth.iter().take(n) {
        bump32(&mut bl_count, usize::from(d).min(max));
    }
    let at = |c: &[u32; 16], b: usize| c.get(b).copied().unwrap_or(0);
    let kraft =
        |c: &[u32; 16]| -> u64 { (1..=max).map(|b| u64::from(at(c, b)) << (max - b)).sum() };
    while kraft(&bl_count) > 1u64 << max {
        // Take a leaf at the longest length below max, split it into two one level down.
        let Some(b) = (1..max).rev().find(|&b| at(&bl_count, b) > 0) else {
            break;
        };
        for (i, delta) in [(b, -1i64), (b + 1, 2), (max, -1)] {
            if let Some(c) = bl_count.get_mut(i) {
                *c = (i64::from(*c) + delta) as u32;
            }
        }
    }
    // Longest codes go to the rarest symbols (leaves are sorted ascending).
    let mut idx = 0;
    for b in (1..=max).rev() {
        for _ in 0..at(&bl_count, b) {
            if let Some(&s) = leaves.get(idx) {
                if let Some(l) = lens.get_mut(usize::from(s)) {
                    *l = b as u8;
                }
            }
            idx += 1;
        }
    }
}

/// Shell sort of symbols by (frequency, symbol), ascending. `sort_unstable`
/// would do, but it keeps a panic path (for inconsistent orderings) in the object.
fn sort_by_freq(v: &mut [u16], f: &impl Fn(u16) -> u32) {
    let key = |s: u16| (f(s), s);
    let mut gap = v.len() / 2;
    while gap > 0 {
        for i in gap..v.len() {
            let Some(&x) = v.get(i) else { break };
            let mut j = i;
            while j >= gap {
                let Some(&y) = v.get(j - gap) else { break };
                if key(y) <= key(x) {
                    break;
                }
                if let Some(slot) = v.get_mut(j) {
                    *slot = y;
                }
                j -= gap;
            }
            if let Some(slot) = v.get_mut(j) {
                *slot = x;
            }
        }
        gap /= 2;
    }
}

fn bump32(t: &mut [u32], i: usize) {
    if let Some(c) = t.get_mut(i) {
        *c += 1;
    }
}

/// LSB-first bit writer for deflate.
struct BitWriter<'a> {
    out: &'a mut [u8],
    pos: usize,
    acc: u64,
    n: u32,
}

impl BitWriter<'_> {
    fn put(&mut self, v: u32, bits: u32) {
        if bits == 0 {
            return;
        }
        self.acc |= u64::from(v & ((1u32 << bits) - 1)) << self.n;
        self.n += bits;
        while self.n >= 8 {
            if let Some(b) = self.out.get_mut(self.pos) {
                *b = self.acc as u8;
            }
            self.pos += 1;
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Huffman codes go MSB first, so they are written bit-reversed.
    fn put_code(&mut self, code: u16, len: u8) {
        if len == 0 {
            return;
        }
        let rev = code.reverse_bits() >> (16 - u32::from(len));
        self.put(u32::from(rev), u32::from(len));
    }

    fn align(&mut self) {
        if self.n > 0 {
            self.put(0, 8 - self.n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_3_fixed_huffman_high_literals_round_trip() {
        // Found by the deflate_roundtrip fuzz target: tiny inputs take the
        // fixed code, whose 9-bit literals were numbered 4 too low.
        let mut ws = [0u8; WORKSPACE_LEN];
        for input in [
            &[228u8, 52, 108][..],
            &[228],
            &[144],
            &[200, 1],
            &[255],
            &[143, 144, 255, 0],
        ] {
            let mut out = [0u8; 64];
            let n = compress(input, &mut ws, &mut out).unwrap();
            let back = miniz_oxide::inflate::decompress_to_vec_zlib(&out[..n]).unwrap();
            assert_eq!(back, input);
        }
    }
}
