//! A zlib (RFC 1950/1951) compressor for panic handlers: no allocation, no
//! `unsafe`, no recursion, a small fixed stack, and a worst-case time bound
//! by construction.
//!
//! Every table lives in a caller workspace of [`WORKSPACE_LEN`] bytes. The
//! input is parsed to count symbols (which gives the exact stream length
//! without writing anything) and parsed again to write, so no token buffer
//! is needed. [`Effort::Best`] refines a lazy parse with priced shortest-path
//! parses ([`optimal`]); every parse counts its work against a budget
//! proportional to the input ([`lz77::Work`]), so a parse costs at most
//! `O(n)` chain steps and comparisons whatever the input.
//!
//! Layout: [`workspace`] (the typed workspace), [`lz77`] (hash chains, match
//! search, lazy parse), [`optimal`] (the priced parse), [`huffman`] (codes,
//! prices, block header), [`tables`] (RFC tables), [`bits`] (bit writer);
//! this file frames the zlib stream.

mod bits;
mod huffman;
mod lz77;
mod optimal;
mod tables;
mod workspace;

use bits::BitWriter;
use lz77::{Token, Work};
pub use workspace::WORKSPACE_LEN;
use workspace::{Plan, Ws};

/// The largest input accepted: positions are 16-bit in the chains.
pub const MAX_INPUT: usize = 65_534;

pub(crate) const WINDOW_BITS: u32 = 15;
/// The chain window: matches reach at most `WINDOW - 1` bytes back.
pub(crate) const WINDOW: usize = 1 << WINDOW_BITS;
pub(crate) const MAX_DIST: usize = WINDOW - 1;
pub(crate) const HASH_BITS: u32 = 14;
pub(crate) const HASH_SIZE: usize = 1 << HASH_BITS;
pub(crate) const HASH3_BITS: u32 = 12;
pub(crate) const HASH3_SIZE: usize = 1 << HASH3_BITS;
/// Positions one priced-parse segment plans (plus one), a power of two.
pub(crate) const SEGMENT: usize = 4096;
/// Inputs longer than this get the lazy parse only, even at
/// [`Effort::Best`]: the priced parse's gain does not pay for its time on
/// the very repetitive logs that compress to such lengths.
pub const OPTIMAL_MAX_INPUT: usize = 24 * 1024;
/// Priced passes after the lazy one at [`Effort::Best`].
const OPT_PASSES: usize = 3;
/// Priced passes of a warm sizing (see `Compressor::size_warm`).
const WARM_PASSES: usize = 1;

const PARSE_LAZY: u8 = 0;
const PARSE_OPTIMAL: u8 = 1;

/// zlib header: deflate, window `2^WINDOW_BITS`, level "max"; FCHECK makes
/// the 16-bit value a multiple of 31.
const ZLIB_HEADER: [u8; 2] = zlib_header();

const fn zlib_header() -> [u8; 2] {
    let cmf: u16 = (((WINDOW_BITS - 8) as u16) << 4) | 8;
    let base = (cmf << 8) | (3 << 6);
    let v = base + (31 - base % 31) % 31;
    [(v >> 8) as u8, v as u8]
}

/// How hard to compress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effort {
    /// The lazy parse alone: about a third of the time of `Best`.
    Fast,
    /// The lazy parse, then priced parses (inputs up to
    /// [`OPTIMAL_MAX_INPUT`]); the smallest stream of them is kept.
    Best,
}

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

impl core::fmt::Display for DeflateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            DeflateError::WorkspaceTooSmall { needed, actual } => write!(
                f,
                "compressor workspace too small: {actual} bytes given, {needed} needed"
            ),
            DeflateError::InputTooLong { len } => write!(
                f,
                "input of {len} bytes is longer than the compressor's limit of {MAX_INPUT}"
            ),
            DeflateError::OutputTooSmall { needed, actual } => write!(
                f,
                "output buffer too small: the stream needs {needed} bytes, {actual} given"
            ),
        }
    }
}

/// The outcome of sizing an input: the exact stream length and the work it
/// took (chain steps, 8-byte comparisons and priced edges, over all parses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sized {
    /// Bytes of the zlib stream.
    pub bytes: usize,
    /// Work units spent.
    pub work: u64,
}

/// Work units all the parses of one [`Compressor`] may spend at full
/// effort; past it every parse runs at its spent-budget effort (one
/// candidate per search), whose cost is linear with a small constant.
pub const WORK_BUDGET: u64 = 8_000_000;

/// A compressor over a caller workspace, carved once into its tables.
pub(crate) struct Compressor<'a> {
    ws: Ws<'a>,
    /// Work units spent by every parse so far.
    pub(crate) work: u64,
}

impl<'a> Compressor<'a> {
    /// `None` if `workspace` is shorter than [`WORKSPACE_LEN`].
    pub(crate) fn new(workspace: &'a mut [u8]) -> Result<Compressor<'a>, DeflateError> {
        let actual = workspace.len();
        Ws::new(workspace)
            .map(|ws| Compressor { ws, work: 0 })
            .ok_or(DeflateError::WorkspaceTooSmall {
                needed: WORKSPACE_LEN,
                actual,
            })
    }

    /// Plans the stream for `input` and returns its exact length; the plan
    /// stays in the workspace for [`Compressor::keep`] and [`Compressor::write`].
    pub(crate) fn size(&mut self, input: &[u8], effort: Effort) -> Result<usize, DeflateError> {
        self.plan(input, effort, false)
    }

    /// Like `size` at [`Effort::Best`], for an input much like the last one
    /// sized: no lazy pass, and the priced passes start from the last
    /// sizing's symbol counts instead.
    pub(crate) fn size_warm(&mut self, input: &[u8]) -> Result<usize, DeflateError> {
        self.plan(input, Effort::Best, true)
    }

    #[inline(never)]
    fn plan(&mut self, input: &[u8], effort: Effort, warm: bool) -> Result<usize, DeflateError> {
        if input.len() > MAX_INPUT {
            return Err(DeflateError::InputTooLong { len: input.len() });
        }
        let n = input.len();
        let mut spent = 0u64;
        let mut best_bits = usize::MAX;
        let budget = WORK_BUDGET.saturating_sub(self.work);
        // A priced pass runs only with its whole full-effort share left: one
        // starved of candidates does worse than the lazy parse, so a warm
        // sizing without that share falls back to the lazy parse.
        let optimal = |spent: u64| {
            effort == Effort::Best
                && n <= OPTIMAL_MAX_INPUT
                && budget.saturating_sub(spent) >= u64::from(Work::full_limit(n))
        };
        let warm = warm && optimal(0);
        let limit = |spent: u64| {
            let left = budget.saturating_sub(spent);
            Work::full_limit(n).min(u32::try_from(left).unwrap_or(u32::MAX))
        };
        let Ws {
            chains,
            dp,
            freq,
            huff,
            trial,
            best,
            ..
        } = &mut self.ws;
        if !warm {
            // The lazy parse: the first candidate, and the first prices.
            let limit = limit(spent);
            start_pass(chains, freq);
            spent = spent.saturating_add(u64::from(count_lazy(input, chains, freq, limit)));
            trial.set_kind(PARSE_LAZY);
            trial.set_limit(limit);
            best_bits = choose_code(freq, trial, huff);
            best.copy_from(trial);
        }
        for _ in 0..if warm { WARM_PASSES } else { OPT_PASSES } {
            if !optimal(spent) {
                break;
            }
            {
                // Price this pass by the previous pass's symbol counts.
                huffman::prices_from_freq(freq, trial);
                let limit = limit(spent);
                start_pass(chains, freq);
                let used = count_optimal(input, chains, dp, trial, freq, limit);
                spent = spent.saturating_add(u64::from(used));
                trial.set_kind(PARSE_OPTIMAL);
                trial.set_limit(limit);
                let bits = choose_code(freq, trial, huff);
                if bits < best_bits {
                    best_bits = bits;
                    best.copy_from(trial);
                }
            }
        }
        if !best.dynamic() {
            huffman::set_fixed(best);
        }
        self.work = self.work.saturating_add(spent);
        Ok(total_bytes(best_bits))
    }

    /// Keeps the last sized plan for a later [`Compressor::write_kept`].
    pub(crate) fn keep(&mut self) {
        let Ws { best, saved, .. } = &mut self.ws;
        saved.copy_from(best);
    }

    /// Writes the stream of the last sized plan (for the same `input`).
    pub(crate) fn write(&mut self, input: &[u8], out: &mut [u8]) -> usize {
        self.write_plan(input, false, out)
    }

    /// Writes the stream of the kept plan (for the input it was sized for).
    pub(crate) fn write_kept(&mut self, input: &[u8], out: &mut [u8]) -> usize {
        self.write_plan(input, true, out)
    }

    #[inline(never)]
    fn write_plan(&mut self, input: &[u8], kept: bool, out: &mut [u8]) -> usize {
        let Ws {
            chains,
            dp,
            huff,
            words,
            best,
            saved,
            ..
        } = &mut self.ws;
        let plan: &Plan<'_> = if kept { saved } else { best };
        let mut w = BitWriter::new(out);
        for &b in &ZLIB_HEADER {
            w.put(u32::from(b), 8);
        }
        w.put(1, 1); // BFINAL
        let dynamic = plan.dynamic();
        if dynamic {
            w.put(2, 2);
            huffman::write_header(plan, huff, &mut w);
        } else {
            w.put(1, 2);
        }
        huffman::words(plan, words);
        let mut put = |t: Token| write_token(plan, words, &mut w, t);
        // The same budget as when it was sized: the same tokens.
        let mut work = Work::new(plan.limit());
        chains.reset();
        if plan.kind() == PARSE_OPTIMAL {
            optimal::optimal(input, chains, dp, plan, &mut work, &mut put);
        } else {
            lz77::lazy(input, chains, &mut work, &mut put);
        }
        self.work = self.work.saturating_add(u64::from(work.used));
        w.put_code(
            words.lit().get(256),
            plan.lit_len().get(256).copied().unwrap_or(0),
        );
        w.align();
        for b in adler32(input).to_be_bytes() {
            w.put(u32::from(b), 8);
        }
        w.len()
    }
}

// The passes and the choice of code each run in a frame of their own
// (`inline(never)`): inlined into `plan`, as LTO did, their frames merged
// into one of 544 B that sat under the code choice's 500 B, over the panic
// path's 2 KiB budget in the C library. The chains' heads and the counts
// are zeroed before a pass (`start_pass`), not by it: the memsets then run
// under a small frame of their own instead of a pass's, which took the
// deepest path of ci/stack-bound.sh's AArch64 bound 64 B lower.

/// Zeroes the chains' heads and the symbol counts before a pass, in a frame
/// of its own: in `plan`'s, the zeroing grew it by 16 B (x86_64).
#[inline(never)]
fn start_pass(chains: &mut workspace::Chains<'_>, freq: &mut workspace::Freq<'_>) {
    chains.reset();
    freq.clear();
}

/// The lazy parse's symbol counts added to `freq` (end of block included),
/// which the caller zeroed, as it reset `chains`;
/// returns the work it took.
#[inline(never)]
fn count_lazy(
    input: &[u8],
    chains: &mut workspace::Chains<'_>,
    freq: &mut workspace::Freq<'_>,
    limit: u32,
) -> u32 {
    let mut work = Work::new(limit);
    lz77::lazy(input, chains, &mut work, &mut |t| count(freq, t));
    freq.lit_mut().bump(256);
    work.used
}

/// The priced parse's symbol counts (prices from `plan`) added to `freq`,
/// which the caller zeroed, as it reset `chains`;
/// returns the work it took.
#[inline(never)]
fn count_optimal(
    input: &[u8],
    chains: &mut workspace::Chains<'_>,
    dp: &mut workspace::Dp<'_>,
    plan: &Plan<'_>,
    freq: &mut workspace::Freq<'_>,
    limit: u32,
) -> u32 {
    let mut work = Work::new(limit);
    optimal::optimal(input, chains, dp, plan, &mut work, &mut |t| count(freq, t));
    freq.lit_mut().bump(256);
    work.used
}

fn count(freq: &mut workspace::Freq<'_>, t: Token) {
    match t {
        Token::Literal(b) => freq.lit_mut().bump(usize::from(b)),
        Token::Match { len, dist } => {
            freq.lit_mut().bump(tables::len_code(len).wrapping_add(257));
            freq.dist_mut().bump(tables::dist_code(dist));
        }
    }
}

/// Picks the dynamic code for the counts (into `plan`'s lengths, which the
/// next pass prices from) or the fixed one (flagged in `meta[1]`), and
/// returns the block's bits after the 3-bit block header.
#[inline(never)]
fn choose_code(
    freq: &workspace::Freq<'_>,
    plan: &mut Plan<'_>,
    huff: &mut workspace::HuffScratch<'_>,
) -> usize {
    huffman::dynamic(freq, plan, huff);
    let dynamic = huffman::header_bits(plan, huff).saturating_add(huffman::body_bits(freq, plan));
    let fixed = huffman::fixed_body_bits(freq);
    plan.set_dynamic(dynamic < fixed);
    dynamic.min(fixed)
}

/// Header (2) + block (3 header bits + body, rounded up) + Adler-32 (4).
fn total_bytes(bits: usize) -> usize {
    (bits.saturating_add(3 + 7) / 8).saturating_add(6)
}

fn write_token(plan: &Plan<'_>, words: &workspace::Words<'_>, w: &mut BitWriter<'_>, t: Token) {
    let lit = |s: usize| {
        (
            words.lit().get(s),
            plan.lit_len().get(s).copied().unwrap_or(0),
        )
    };
    match t {
        Token::Literal(b) => {
            let (c, l) = lit(usize::from(b));
            w.put_code(c, l);
        }
        Token::Match { len, dist } => {
            let lc = tables::len_code(len);
            let (c, l) = lit(lc.wrapping_add(257));
            w.put_code(c, l);
            let (bits, v) = tables::len_extra(lc, len);
            w.put(v, bits);
            let dc = tables::dist_code(dist);
            w.put_code(
                words.dist().get(dc),
                plan.dist_len().get(dc).copied().unwrap_or(0),
            );
            let (bits, v) = tables::dist_extra(dc, dist);
            w.put(v, bits);
        }
    }
}

/// The exact length in bytes of the zlib stream [`compress`] writes for
/// `input`, without writing it.
///
/// # Errors
/// A short workspace or an input over [`MAX_INPUT`].
pub fn compressed_len(input: &[u8], workspace: &mut [u8]) -> Result<Sized, DeflateError> {
    let mut c = Compressor::new(workspace)?;
    let bytes = c.size(input, Effort::Best)?;
    Ok(Sized {
        bytes,
        work: c.work,
    })
}

/// Compresses `input` into `out` as a zlib stream at `effort` and returns
/// its length. Nothing is written unless the whole stream fits.
///
/// # Errors
/// A short workspace, an input over [`MAX_INPUT`], or `out` shorter than the
/// stream (the error carries the length needed).
///
/// # Examples
/// ```
/// use panicqr_report::deflate::{compress, Effort, WORKSPACE_LEN};
/// let mut ws = vec![0u8; WORKSPACE_LEN];
/// let mut out = [0u8; 64];
/// let n = compress(b"hello hello hello hello", Effort::Best, &mut ws, &mut out)?;
/// assert!(n < 23 + 6);
/// # Ok::<(), panicqr_report::deflate::DeflateError>(())
/// ```
pub fn compress(
    input: &[u8],
    effort: Effort,
    workspace: &mut [u8],
    out: &mut [u8],
) -> Result<usize, DeflateError> {
    let mut c = Compressor::new(workspace)?;
    let needed = c.size(input, effort)?;
    if out.len() < needed {
        return Err(DeflateError::OutputTooSmall {
            needed,
            actual: out.len(),
        });
    }
    Ok(c.write(input, out))
}

/// Adler-32 (RFC 1950 §8.2).
pub fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    // 5,552 bytes is the most that keeps `b` below 2^32 before reducing.
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a = a.wrapping_add(u32::from(x));
            b = b.wrapping_add(a);
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(input: &[u8], effort: Effort) -> usize {
        let mut ws = std::vec![0u8; WORKSPACE_LEN];
        let sized = compressed_len(input, &mut ws).unwrap();
        let mut out = std::vec![0u8; input.len() + 64];
        let n = compress(input, effort, &mut ws, &mut out).unwrap();
        if effort == Effort::Best {
            assert_eq!(n, sized.bytes);
        }
        let back = miniz_oxide::inflate::decompress_to_vec_zlib(&out[..n]).unwrap();
        assert_eq!(back, input);
        n
    }

    #[test]
    fn issue_3_fixed_huffman_high_literals_round_trip() {
        // Found by the deflate_roundtrip fuzz target: tiny inputs take the
        // fixed code, whose 9-bit literals were numbered 4 too low.
        for input in [
            &[228u8, 52, 108][..],
            &[228],
            &[144],
            &[200, 1],
            &[255],
            &[143, 144, 255, 0],
            &[],
        ] {
            round_trip(input, Effort::Best);
            round_trip(input, Effort::Fast);
        }
    }

    #[test]
    fn long_and_periodic_inputs_round_trip() {
        let mut x = 1u32;
        let mut rnd = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let text: std::vec::Vec<u8> = (0..MAX_INPUT)
            .map(|_| b"ab"[(rnd() & 1) as usize])
            .collect();
        round_trip(&text, Effort::Best);
        let runs: std::vec::Vec<u8> = (0..40_000).map(|i| (i / 300 % 7) as u8 + b'a').collect();
        round_trip(&runs, Effort::Best);
        let period: std::vec::Vec<u8> = (0..20_000).map(|i| (i % 259) as u8).collect();
        let n = round_trip(&period, Effort::Best);
        assert!(n < 500, "period 259 over 20,000 bytes: {n}");
        round_trip(&[7u8; MAX_INPUT], Effort::Fast);
    }

    #[test]
    fn header_is_a_valid_zlib_header() {
        let v = u16::from_be_bytes(ZLIB_HEADER);
        assert_eq!(v % 31, 0);
        assert_eq!(ZLIB_HEADER[0] & 15, 8);
        assert_eq!(u32::from(ZLIB_HEADER[0] >> 4) + 8, WINDOW_BITS);
    }
}
