//! Choosing how much log goes into the QR code: the newest whole lines whose
//! compressed report fits the largest allowed version, found with a handful
//! of size evaluations (interpolation over line boundaries) instead of one
//! full recompression per dropped line.

use panicqr_qr::{EcLevel, Mode, Segment, Version};

use crate::deflate::{self, compress, compressed_len, DeflateError};

/// At most this many size evaluations; the search usually ends in 3–6.
const MAX_PROBES: u32 = 16;

/// What [`fit`] kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fitted {
    /// Offset in the log where the kept part starts (a line start).
    pub start: usize,
    /// Bytes of log kept (`log.len() - start`).
    pub kept: usize,
    /// Bytes of the zlib stream written to `out`.
    pub compressed: usize,
    /// Compressor runs: size evaluations plus the final compression.
    pub compressions: u32,
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

/// The largest compressed payload (bytes) that fits `version` at level L
/// after a byte segment of `prefix_len` bytes, as `z=` digits in numeric mode.
/// `None` if not even an empty payload fits.
pub fn capacity(prefix_len: usize, version: Version) -> Option<usize> {
    let cap_bits = version.data_codewords(EcLevel::L) * 8;
    let prefix = Segment::Bytes(&[]).bit_len(version)? + 8 * prefix_len;
    if Mode::Byte.count_bits(version) < 16 && prefix_len > 255 {
        return None;
    }
    let avail = cap_bits.checked_sub(prefix + 4 + Mode::Numeric.count_bits(version) as usize)?;
    let fits = |n: usize| {
        let d = panicqr_qr::decimal_digits(n);
        d >> Mode::Numeric.count_bits(version) == 0
            && d / 3 * 10 + [0, 4, 7].get(d % 3).copied().unwrap_or(7) <= avail
    };
    // Each byte costs about 8.1 bits: start above and step down.
    let mut n = avail / 8 + 1;
    while n > 0 && !fits(n) {
        n -= 1;
    }
    Some(n)
}

/// Keeps the newest whole lines of `log` whose zlib stream fits `capacity`
/// bytes, writes that stream into `out`, and says what was kept. Only the
/// newest [`deflate::MAX_INPUT`] bytes are considered.
///
/// # Errors
/// [`FitError::Deflate`] for a short workspace (see [`deflate::WORKSPACE_LEN`])
/// or an `out` shorter than `capacity`.
pub fn fit(
    log: &[u8],
    capacity: usize,
    workspace: &mut [u8],
    out: &mut [u8],
) -> Result<Fitted, FitError> {
    let n = log.len();
    let first = snap(log, n.saturating_sub(deflate::MAX_INPUT));
    let len_at = |start: usize| n - start;
    let mut probes = 0u32;
    let size = |start: usize, ws: &mut [u8], probes: &mut u32| -> Result<usize, FitError> {
        *probes += 1;
        Ok(compressed_len(log.get(start..).unwrap_or(&[]), ws)?)
    };
    // lo: the longest tail known to fit (the empty tail always does when the
    // capacity holds an empty stream); hi: the shortest known not to.
    let empty = size(n, workspace, &mut probes)?;
    if empty > capacity {
        return Err(FitError::PrefixTooLong);
    }
    let mut lo = (n, empty);
    let mut hi: Option<(usize, usize)> = None;
    while probes < MAX_PROBES {
        let target = match hi {
            None if lo.0 == n => capacity * 4,
            None => len_at(lo.0) * capacity / lo.1.max(1) + 64,
            Some((hs, hsize)) => {
                let (l0, s0) = (len_at(lo.0), lo.1);
                let (l1, s1) = (len_at(hs), hsize);
                l0 + (capacity - s0) * (l1 - l0) / (s1 - s0).max(1)
            }
        };
        let mut cand = snap(log, n.saturating_sub(target).max(first));
        // Keep strictly between the bracket: longer than lo, shorter than hi.
        if cand >= lo.0 {
            match prev_line_start(log, lo.0) {
                Some(p) if p >= first => cand = p,
                _ => break,
            }
        }
        if let Some((hs, _)) = hi {
            if cand <= hs {
                cand = next_line_start(log, hs);
                if cand >= lo.0 {
                    break;
                }
            }
        }
        let s = size(cand, workspace, &mut probes)?;
        if s <= capacity {
            lo = (cand, s);
            if cand == first {
                break;
            }
        } else {
            hi = Some((cand, s));
        }
    }
    let kept = log.get(lo.0..).unwrap_or(&[]);
    let compressed = compress(kept, workspace, out)?;
    Ok(Fitted {
        start: lo.0,
        kept: kept.len(),
        compressed,
        compressions: probes + 1,
    })
}

/// The first line start at or after `pos`.
fn snap(log: &[u8], pos: usize) -> usize {
    if pos == 0 || log.get(pos - 1) == Some(&b'\n') {
        return pos;
    }
    next_line_start(log, pos)
}

/// The first line start strictly after `pos` (or the end).
fn next_line_start(log: &[u8], pos: usize) -> usize {
    log.get(pos..)
        .and_then(|t| t.iter().position(|&b| b == b'\n'))
        .map_or(log.len(), |i| pos + i + 1)
}

/// The line start just before `pos`, if any.
fn prev_line_start(log: &[u8], pos: usize) -> Option<usize> {
    if pos == 0 {
        return None;
    }
    let before = log.get(..pos - 1)?;
    Some(
        before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1),
    )
}
