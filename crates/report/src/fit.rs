//! Choosing how much log goes into the QR code: the newest whole lines whose
//! compressed report fits the largest allowed version.
//!
//! The search interpolates between line boundaries instead of recompressing
//! once per dropped line. It runs in two stages: fast lazy-parse sizes find
//! the bracket, then best-effort sizes (never larger than the fast ones on
//! the same input) push past it. When not even the newest line fits (one
//! huge line, no newline, binary data), the newest bytes that fit are kept,
//! cut at a UTF-8 boundary.
//!
//! Bounded by construction: at most [`MAX_PROBES`] sizings in all, each a
//! bounded parse (see [`deflate::WORK_BUDGET`]), plus the final write.

use panicqr_qr::{EcLevel, Mode, Segment, Version};

use crate::deflate::{self, Compressor, DeflateError, Effort};
use crate::url::Packing;

/// Sizings with the fast effort while looking for the bracket.
const FAST_PROBES: u32 = 10;
/// Sizings with the best effort after it.
const BEST_PROBES: u32 = 8;
/// Sizings while cutting a line that does not fit whole.
const CUT_PROBES: u32 = 20;
/// The most sizings one [`fit`] runs (the empty tail, the stages, the cut).
pub const MAX_PROBES: u32 = 1 + FAST_PROBES + 1 + BEST_PROBES + CUT_PROBES;

/// Parses one sizing runs at most: the lazy one and the priced ones.
const PARSES_PER_SIZING: u64 = 4;
/// Work units a parse spends per input byte once the budget is spent (one
/// candidate per search, a short nice length): a generous ceiling of the
/// chain steps, 8-byte comparisons and priced edges per position.
pub const SPENT_UNITS_PER_BYTE: u64 = 48;

/// The most work units [`fit`] can spend on a log: the full-effort budget,
/// then every remaining parse at the spent rate. With the measured cost of a
/// unit this is the panic path's worst-case time (see the README).
pub const fn work_bound(log_len: usize) -> u64 {
    let n = if log_len < deflate::MAX_INPUT {
        log_len
    } else {
        deflate::MAX_INPUT
    } as u64;
    deflate::WORK_BUDGET + (MAX_PROBES as u64 + 1) * PARSES_PER_SIZING * SPENT_UNITS_PER_BYTE * n
}

/// What [`fit`] kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fitted {
    /// Offset in the log where the kept part starts: a line start, or a
    /// UTF-8 boundary inside the newest line when `cut` is set.
    pub start: usize,
    /// Bytes of log kept (`log.len() - start`).
    pub kept: usize,
    /// Bytes of the zlib stream written to `out`.
    pub compressed: usize,
    /// Compressor runs: sizings plus the final write.
    pub compressions: u32,
    /// The newest line alone did not fit: `start` is inside it, and the
    /// oldest kept line is cut.
    pub cut: bool,
    /// Work units the compressor spent (see [`deflate::WORK_BUDGET`]).
    pub work: u64,
}

/// Why nothing could be fitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FitError {
    /// The URL prefix alone does not fit the largest version.
    PrefixTooLong,
    /// The compressor failed (short workspace or output).
    Deflate(DeflateError),
}

impl From<DeflateError> for FitError {
    fn from(e: DeflateError) -> Self {
        FitError::Deflate(e)
    }
}

impl core::fmt::Display for FitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FitError::PrefixTooLong => {
                f.write_str("the URL prefix leaves no room for the log in the largest QR version")
            }
            FitError::Deflate(e) => e.fmt(f),
        }
    }
}

/// The largest compressed payload (bytes) that fits `version` at level L
/// after a byte segment of `prefix_len` bytes, as digits of `packing` in
/// numeric mode. `None` if not even an empty payload fits.
///
/// # Examples
/// ```
/// use panicqr_qr::Version;
/// use panicqr_report::{fit::capacity, url::Packing};
/// assert_eq!(capacity(84, Version::MAX, Packing::Z), Some(2833));
/// assert!(capacity(84, Version::MAX, Packing::Legacy) < Some(2833));
/// ```
pub fn capacity(prefix_len: usize, version: Version, packing: Packing) -> Option<usize> {
    let cap_bits = version.data_codewords(EcLevel::L).checked_mul(8)?;
    let prefix = Segment::Bytes(&[])
        .bit_len(version)?
        .checked_add(prefix_len.checked_mul(8)?)?;
    if Mode::Byte.count_bits(version) < 16 && prefix_len > 255 {
        return None;
    }
    // Mode indicator and character count of the numeric segment.
    let header =
        prefix.checked_add((Mode::Numeric.count_bits(version) as usize).saturating_add(4))?;
    let avail = cap_bits.checked_sub(header)?;
    let fits = |n: usize| {
        let d = match packing {
            Packing::Z => panicqr_qr::decimal_digits(n),
            Packing::Legacy => panicqr_qr::legacy_digits(n),
        };
        d.checked_shr(Mode::Numeric.count_bits(version))
            .is_some_and(|high| high == 0)
            && (d / 3)
                .saturating_mul(10)
                .saturating_add([0, 4, 7].get(d % 3).copied().unwrap_or(7))
                <= avail
    };
    // Each byte costs about 8.1 bits: start above and step down.
    let mut n = (avail / 8).saturating_add(1);
    while n > 0 && !fits(n) {
        n = n.wrapping_sub(1);
    }
    Some(n)
}

/// How a probe is sized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Fast,
    Best,
    /// Best effort, starting from the previous sizing's statistics.
    Warm,
}

/// A candidate start and its stream size.
#[derive(Clone, Copy)]
struct Probe {
    start: usize,
    size: usize,
}

/// Where a kept part may start: at line starts, or (cutting a line) at
/// UTF-8 boundaries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grain {
    Line,
    Char,
}

impl Grain {
    fn is_start(self, log: &[u8], pos: usize) -> bool {
        match self {
            Grain::Line => pos == 0 || log.get(pos.wrapping_sub(1)) == Some(&b'\n'),
            // Not inside a character: not a UTF-8 continuation byte, or one
            // no lead byte claims (invalid text, which cuts anywhere).
            Grain::Char => match log.get(pos) {
                Some(&b) if b & 0xC0 == 0x80 => !(1..=3).any(|k| {
                    pos.checked_sub(k)
                        .and_then(|q| log.get(q))
                        .is_some_and(|&c| c >= 0xC0)
                }),
                _ => true,
            },
        }
    }

    /// The first start at or after `pos` (or the end).
    fn at_or_after(self, log: &[u8], pos: usize) -> usize {
        match self {
            Grain::Line if !self.is_start(log, pos) => next_line_start(log, pos),
            Grain::Char => (pos..log.len())
                .find(|&p| self.is_start(log, p))
                .unwrap_or(log.len()),
            Grain::Line => pos,
        }
    }

    /// The first start strictly after `pos`.
    fn after(self, log: &[u8], pos: usize) -> usize {
        self.at_or_after(log, pos.saturating_add(1).min(log.len()))
    }

    /// The last start strictly before `pos`, if any.
    fn before(self, log: &[u8], pos: usize) -> Option<usize> {
        match self {
            Grain::Line => prev_line_start(log, pos),
            Grain::Char => (0..pos).rev().find(|&p| self.is_start(log, p)),
        }
    }
}

/// The search: keep the longest known fitting tail (`lo`) and the shortest
/// known oversized one (`hi`), and probe between them by interpolating size
/// over length, at `grain` starts not below `lowest`.
struct Search<'l, 'c> {
    log: &'l [u8],
    cap: usize,
    c: Compressor<'c>,
    sizings: u32,
}

impl Search<'_, '_> {
    #[inline(never)]
    fn size(&mut self, start: usize, effort: Stage) -> Result<usize, FitError> {
        self.sizings = self.sizings.saturating_add(1);
        let tail = self.log.get(start..).unwrap_or(&[]);
        Ok(match effort {
            Stage::Fast => self.c.size(tail, Effort::Fast)?,
            Stage::Best => self.c.size(tail, Effort::Best)?,
            Stage::Warm => self.c.size_warm(tail)?,
        })
    }

    fn run(
        &mut self,
        mut lo: Probe,
        mut hi: Option<Probe>,
        lowest: usize,
        grain: Grain,
        effort: Stage,
        probes: u32,
    ) -> Result<(Probe, Option<Probe>), FitError> {
        let n = self.log.len();
        let len = |p: Probe| n.saturating_sub(p.start);
        // Interpolation weights: the room under the capacity at lo, the
        // excess over it at hi. An end kept twice in a row has its weight
        // halved (the Illinois rule), so a flat stretch of sizes cannot make
        // the search creep towards one end.
        let mut room = self.cap.saturating_sub(lo.size);
        let mut excess = hi.map_or(0, |h| h.size.saturating_sub(self.cap));
        let mut last_fit: Option<bool> = None;
        for _ in 0..probes {
            if lo.start <= lowest {
                break;
            }
            let target = match hi {
                None if lo.start == n => self.cap.saturating_mul(4),
                None => (len(lo).saturating_mul(self.cap) / lo.size.max(1)).saturating_add(64),
                Some(h) => {
                    let span = len(h).saturating_sub(len(lo));
                    let w = room.saturating_add(excess).max(1);
                    len(lo).saturating_add(room.saturating_mul(span) / w)
                }
            };
            let mut cand = grain.at_or_after(self.log, n.saturating_sub(target).max(lowest));
            // Strictly between the bracket: longer than lo, shorter than hi.
            if cand >= lo.start {
                match grain.before(self.log, lo.start) {
                    Some(p) if p >= lowest => cand = p,
                    _ => break,
                }
            }
            if let Some(h) = hi {
                if cand <= h.start {
                    cand = grain.after(self.log, h.start);
                    if cand >= lo.start {
                        break;
                    }
                }
            }
            let size = self.size(cand, effort)?;
            let fits = size <= self.cap;
            if fits {
                lo = Probe { start: cand, size };
                self.c.keep();
                room = self.cap.saturating_sub(size);
                if last_fit == Some(true) {
                    excess /= 2;
                }
            } else {
                hi = Some(Probe { start: cand, size });
                excess = size.saturating_sub(self.cap);
                if last_fit == Some(false) {
                    room /= 2;
                }
            }
            last_fit = Some(fits);
        }
        Ok((lo, hi))
    }
}

/// Keeps the newest whole lines of `log` whose zlib stream fits `capacity`
/// bytes, writes that stream into `out`, and says what was kept. Only the
/// newest [`deflate::MAX_INPUT`] bytes are considered. When not even the
/// newest line fits, its newest bytes that fit are kept (`cut`): a log with
/// text never gives an empty report.
///
/// # Errors
/// [`FitError::Deflate`] for a short workspace (see [`deflate::WORKSPACE_LEN`])
/// or an `out` shorter than `capacity`; [`FitError::PrefixTooLong`] when
/// `capacity` cannot hold even an empty stream.
///
/// # Examples
/// ```
/// use panicqr_report::{deflate::WORKSPACE_LEN, fit::fit};
/// let mut ws = vec![0u8; WORKSPACE_LEN];
/// let mut out = [0u8; 40];
/// let log = b"old line that will not fit in forty bytes of stream\nBUG: oops\n";
/// let f = fit(log, 40, &mut ws, &mut out)?;
/// assert_eq!(&log[f.start..], b"BUG: oops\n");
/// # Ok::<(), panicqr_report::fit::FitError>(())
/// ```
pub fn fit(
    log: &[u8],
    capacity: usize,
    workspace: &mut [u8],
    out: &mut [u8],
) -> Result<Fitted, FitError> {
    fit_after(log, capacity, workspace, out, 0)
}

/// [`fit`], for a compressor that has already spent `spent` work units
/// (the parts of one report share one budget: see [`crate::parts`]).
/// `Fitted::work` counts them too.
pub(crate) fn fit_after(
    log: &[u8],
    capacity: usize,
    workspace: &mut [u8],
    out: &mut [u8],
    spent: u64,
) -> Result<Fitted, FitError> {
    if out.len() < capacity {
        return Err(FitError::Deflate(DeflateError::OutputTooSmall {
            needed: capacity,
            actual: out.len(),
        }));
    }
    let n = log.len();
    let mut s = Search {
        log,
        cap: capacity,
        c: Compressor::new(workspace)?,
        sizings: 0,
    };
    s.c.work = spent;
    let oldest = n.saturating_sub(deflate::MAX_INPUT);
    let first = Grain::Line.at_or_after(log, oldest);
    let empty = s.size(n, Stage::Fast)?;
    if empty > capacity {
        return Err(FitError::PrefixTooLong);
    }
    s.c.keep();
    let lo = Probe {
        start: n,
        size: empty,
    };
    // Stage 1: fast sizes bracket the answer.
    let (mut lo, _) = s.run(lo, None, first, Grain::Line, Stage::Fast, FAST_PROBES)?;
    // Stage 2: best-effort sizes, from the fast answer outwards. A fast fit
    // is a best fit (best effort keeps the smaller stream), so lo stays valid.
    if lo.start < n && n - lo.start <= deflate::OPTIMAL_MAX_INPUT && lo.start > first {
        let size = s.size(lo.start, Stage::Best)?;
        lo = Probe {
            start: lo.start,
            size,
        };
        s.c.keep();
        // Past the fast bracket's edge the best sizes are unknown: extrapolate.
        (lo, _) = s.run(lo, None, first, Grain::Line, Stage::Warm, BEST_PROBES)?;
    }
    let mut cut = false;
    if lo.start == n && n > 0 {
        // Not even the newest line fits whole: cut it.
        let line = Grain::Line.before(log, n).unwrap_or(0).max(oldest);
        let lowest = Grain::Char.at_or_after(log, line);
        let (l, _) = s.run(lo, None, lowest, Grain::Char, Stage::Fast, CUT_PROBES)?;
        lo = l;
        cut = lo.start < n;
    }
    let kept = log.get(lo.start..).unwrap_or(&[]);
    let compressed = s.c.write_kept(kept, out);
    Ok(Fitted {
        start: lo.start,
        kept: kept.len(),
        compressed,
        compressions: s.sizings.saturating_add(1),
        cut,
        work: s.c.work,
    })
}

/// The first line start strictly after `pos` (or the end).
fn next_line_start(log: &[u8], pos: usize) -> usize {
    log.get(pos..)
        .and_then(|t| t.iter().position(|&b| b == b'\n'))
        .map_or(log.len(), |i| pos.saturating_add(i).saturating_add(1))
}

/// The line start just before `pos`, if any.
fn prev_line_start(log: &[u8], pos: usize) -> Option<usize> {
    if pos == 0 {
        return None;
    }
    let before = log.get(..pos.wrapping_sub(1))?;
    Some(
        before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i.wrapping_add(1)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_10_continuation_bytes_only_still_keep_text() {
        // Found by the report_build fuzz target: 80 KiB of 0xBD (UTF-8
        // continuation bytes with no lead byte) kept nothing, since no
        // position looked like a character start.
        let log = std::vec![0xBDu8; 80 * 1024];
        let mut ws = std::vec![0u8; deflate::WORKSPACE_LEN];
        let mut out = std::vec![0u8; 2831];
        let f = fit(&log, 2831, &mut ws, &mut out).unwrap();
        assert!(f.cut);
        assert!(f.kept > 2831, "{f:?}");
        // A valid two-byte character is never split.
        let mut text = std::vec::Vec::new();
        while text.len() < 70_000 {
            text.extend_from_slice("é".as_bytes());
        }
        let f = fit(&text, 2831, &mut ws, &mut out).unwrap();
        assert!(f.cut && f.kept > 0);
        assert_eq!(text[f.start], 0xC3, "cut inside a character");
    }
}
