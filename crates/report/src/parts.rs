//! A report split over several QR codes (docs/format.md §9): more of the
//! log than one code holds, in codes small enough for a phone.
//!
//! Each part is a complete report URL of today's format, with its own zlib
//! stream of consecutive whole lines (a line longer than a whole code is
//! cut, as [`fit::fit`] cuts it), plus `&p=<index>/<count>&r=<id>` before
//! the digits. Part 1 holds the newest lines, the crash itself; part `count`
//! the oldest. The logs of parts `count, …, 2, 1`, concatenated, are the
//! window [`Split::window_start`]`..` of the log, byte for byte.
//!
//! Two passes, no allocation: [`split`] fits the parts newest first (each
//! part the newest lines before the previous part's start) and keeps their
//! streams in the workspace; [`build_part`] then makes one part's code, with
//! the count and id that only the whole split knows. All parts share one
//! compression work budget, so the split is bounded like one code's fit
//! (see [`work_bound`]).

use panicqr_qr::{render, EcLevel, Prepared, Version};

use crate::build::{self, BuildError, Built, Target};
use crate::fit::{self, FitError};
use crate::url::{self, PartTag};

/// The most parts a report is split into.
pub const MAX_PARTS: usize = 16;

/// Workspace bytes [`split`] and [`build_part`] need for `max_parts` parts
/// of at most `max_version`: a [`build::build`] workspace, and room for
/// every part's stream.
pub const fn workspace_len(max_version: Version, max_parts: usize) -> usize {
    let parts = if max_parts > MAX_PARTS {
        MAX_PARTS
    } else {
        max_parts
    };
    build::workspace_len(max_version)
        .saturating_add(parts.saturating_mul(max_version.data_codewords(EcLevel::L)))
}

/// The most work units [`split`] spends on a log of `log_len` bytes into
/// `max_parts` parts: one budget for the whole split, then each part's
/// searches at one candidate per position (as [`fit::work_bound`]).
pub const fn work_bound(log_len: usize, max_parts: usize) -> u64 {
    let per_part = fit::work_bound(log_len).saturating_sub(crate::deflate::WORK_BUDGET);
    crate::deflate::WORK_BUDGET.saturating_add(per_part.saturating_mul(max_parts as u64))
}

/// Where each part of a split report starts, and its stream's length.
/// Compact (about 120 bytes), as it stays on a panic handler's stack while
/// the parts are drawn: positions are below 4 GiB and streams below 64 KiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Split {
    count: u8,
    /// Positions below are offsets from here: the parts never reach further
    /// back than 16 × 64 KiB, so only the newest 16 MiB of a log count.
    base: usize,
    /// Bit i: part i + 1 starts inside a line.
    cut: u16,
    /// Part i + 1 is `log[starts[i]..starts[i - 1]]`, part 1 ends at `end`.
    starts: [u32; MAX_PARTS],
    lens: [u16; MAX_PARTS],
    end: u32,
    id: u32,
    work: u64,
}

impl Split {
    /// Parts the log was split into (at least 1).
    pub fn count(&self) -> usize {
        usize::from(self.count)
    }

    /// The oldest byte any part carries: parts `count..=1` together carry
    /// `log[window_start()..]`.
    pub fn window_start(&self) -> usize {
        self.count()
            .checked_sub(1)
            .and_then(|i| self.starts.get(i))
            .map_or(self.base, |&s| self.base.saturating_add(s as usize))
    }

    /// The bytes of the log part `index` (1 = newest) carries.
    pub fn range(&self, index: usize) -> Option<core::ops::Range<usize>> {
        let i = index.checked_sub(1).filter(|&i| i < self.count())?;
        let end = match i.checked_sub(1) {
            Some(newer) => *self.starts.get(newer)?,
            None => self.end,
        };
        let at = |p: u32| self.base.saturating_add(p as usize);
        Some(at(*self.starts.get(i)?)..at(end))
    }

    /// Whether part `index` starts inside a line (one longer than a code).
    pub fn cut(&self, index: usize) -> bool {
        index
            .checked_sub(1)
            .filter(|&i| i < self.count())
            .is_some_and(|i| self.cut.checked_shr(i as u32).unwrap_or(0) & 1 == 1)
    }

    /// The report id in every part's URL: FNV-1a of the bytes carried.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Work units spent by the whole split (at most [`work_bound`]).
    pub fn work(&self) -> u64 {
        self.work
    }

    /// What part `index` carries, as [`fit::fit`] reports a code's lines
    /// (`compressions` is 0: the split counts its work as a whole).
    pub fn fitted(&self, index: usize) -> Option<fit::Fitted> {
        let range = self.range(index)?;
        Some(fit::Fitted {
            start: range.start,
            kept: range.end.saturating_sub(range.start),
            compressed: self.len(index)?,
            compressions: 0,
            cut: self.cut(index),
            work: self.work,
        })
    }

    fn len(&self, index: usize) -> Option<usize> {
        let i = index.checked_sub(1).filter(|&i| i < self.count())?;
        self.lens.get(i).map(|&l| usize::from(l))
    }
}

/// Splits the newest lines of `log` into at most `max_parts` parts (at most
/// [`MAX_PARTS`]), each fitting one code of `target.max_version`, newest
/// first, until the log or the parts run out. `workspace` needs
/// [`workspace_len`]`(target.max_version, max_parts)` bytes and keeps the
/// streams for [`build_part`].
///
/// # Errors
/// [`BuildError::PrefixTooLong`] when not even an empty stream fits beside
/// the URL prefix; [`BuildError::WorkspaceTooSmall`].
///
/// [`split_into`] is the same for a caller whose stack is tight.
///
/// # Examples
/// ```
/// use panicqr_qr::Version;
/// use panicqr_report::build::Target;
/// use panicqr_report::parts::{build_part, split, workspace_len};
/// let log: Vec<u8> = (0..400).flat_map(|i| format!("[{i:5}.000000] line {i}: some text\n").into_bytes()).collect();
/// let target = Target { max_version: Version::new(5).unwrap(), ..Target::new(b"https://e.org/#", b"x86_64", b"6.1") };
/// let mut ws = vec![0u8; workspace_len(target.max_version, 8)];
/// let s = split(&log, &target, 8, &mut ws)?;
/// assert!(s.count() > 1);
/// let mut out = vec![0u8; target.max_version.symbol_len()];
/// let part = build_part(&target, &s, 1, &mut ws, &mut out)?;
/// assert!(part.prefix.ends_with(b"&z="));
/// # Ok::<(), panicqr_report::build::BuildError>(())
/// ```
pub fn split(
    log: &[u8],
    target: &Target<'_>,
    max_parts: usize,
    workspace: &mut [u8],
) -> Result<Split, BuildError> {
    let mut s = Split::default();
    split_into(log, target, max_parts, workspace, &mut s)?;
    Ok(s)
}

/// [`split`], into `out` rather than returned: the split is made where it
/// stays, never copied, so a panic handler keeps one copy of it on its
/// stack (or none, when `out` is in the caller's memory). On error `out`
/// holds no part.
///
/// # Errors
/// As [`split`].
///
/// # Examples
/// ```
/// use panicqr_qr::Version;
/// use panicqr_report::build::Target;
/// use panicqr_report::parts::{split_into, workspace_len, Split};
/// let target = Target { max_version: Version::new(5).unwrap(), ..Target::new(b"https://e.org/#", b"x86_64", b"6.1") };
/// let mut ws = vec![0u8; workspace_len(target.max_version, 4)];
/// let mut s = Split::default();
/// split_into(b"[ 1.0] BUG: oops\n", &target, 4, &mut ws, &mut s)?;
/// assert_eq!(s.count(), 1);
/// # Ok::<(), panicqr_report::build::BuildError>(())
/// ```
pub fn split_into(
    log: &[u8],
    target: &Target<'_>,
    max_parts: usize,
    workspace: &mut [u8],
    out: &mut Split,
) -> Result<(), BuildError> {
    out.count = 0;
    let v = target.max_version;
    let max_parts = max_parts.clamp(1, MAX_PARTS);
    let needed = workspace_len(v, max_parts);
    let short = BuildError::WorkspaceTooSmall {
        needed,
        actual: workspace.len(),
    };
    let (ws, streams) = workspace
        .get_mut(..needed)
        .ok_or(short)?
        .split_at_mut_checked(build::workspace_len(v))
        .ok_or(short)?;
    let slot_len = v.data_codewords(EcLevel::L);
    // Sized with the longest tag this split can have, so each part's code
    // holds its stream whatever its final index and id.
    let widest = PartTag {
        index: max_parts as u8,
        count: max_parts as u8,
        id: u32::MAX,
    };
    let plen = url::part_prefix_len(
        target.base_url,
        target.arch,
        target.release,
        Some(&widest),
        target.packing,
    );
    if plen > build::PREFIX_MAX {
        return Err(BuildError::PrefixTooLong);
    }
    let cap = fit::capacity(plen, v, target.packing).ok_or(BuildError::PrefixTooLong)?;
    let deflate = deflate_part(ws, v).ok_or(short)?;
    let base = log.len().saturating_sub(1 << 24);
    let full = log;
    let log = log.get(base..).unwrap_or(&[]);
    // Below 2^24: fits.
    let log_end = u32::try_from(log.len()).unwrap_or(u32::MAX);
    *out = Split {
        count: 0,
        base,
        cut: 0,
        starts: [0; MAX_PARTS],
        lens: [0; MAX_PARTS],
        end: log_end,
        id: 0,
        work: 0,
    };
    let s = out;
    let mut end = log.len();
    for (i, slot) in streams.chunks_exact_mut(slot_len.max(1)).enumerate() {
        if i >= max_parts || (end == 0 && i > 0) {
            break;
        }
        let rest = log.get(..end).unwrap_or(&[]);
        let fitted = slot
            .get_mut(..cap)
            .map(|out| fit::fit_after(rest, cap, deflate, out, s.work));
        let f = match fitted {
            Some(Ok(f)) => f,
            Some(Err(FitError::PrefixTooLong)) => {
                s.count = 0;
                return Err(BuildError::PrefixTooLong);
            }
            _ => {
                s.count = 0;
                return Err(short);
            }
        };
        if let (Some(st), Some(ln)) = (s.starts.get_mut(i), s.lens.get_mut(i)) {
            // f.start ≤ end ≤ log.len() < 2^32; f.compressed ≤ cap < 2^16.
            *st = u32::try_from(f.start).unwrap_or(log_end);
            *ln = u16::try_from(f.compressed).unwrap_or(u16::MAX);
        }
        if f.cut {
            s.cut |= 1 << (i & 15);
        }
        s.count = s.count.saturating_add(1);
        s.work = f.work;
        if f.kept == 0 {
            // Nothing fits (an empty log): one empty part, no more.
            break;
        }
        end = f.start;
    }
    s.id = fnv1a(full.get(s.window_start()..).unwrap_or(&[]));
    Ok(())
}

/// The QR code of part `index` (1 = newest, up to `split.count()`) of a
/// [`split`] made with the same `target` and `workspace`.
///
/// # Errors
/// [`BuildError::WorkspaceTooSmall`] when `index` is not a part of `split`
/// or the workspace is not the one `split` filled; those of
/// [`build::build`]'s encoder.
#[inline]
pub fn build_part<'w, 'o>(
    target: &Target<'_>,
    split: &Split,
    index: usize,
    workspace: &'w mut [u8],
    out: &'o mut [u8],
) -> Result<Built<'w, 'o>, BuildError> {
    let v = target.max_version;
    if out.len() < v.symbol_len() {
        return Err(BuildError::SymbolTooSmall {
            needed: v.symbol_len(),
            actual: out.len(),
        });
    }
    let short = BuildError::WorkspaceTooSmall {
        needed: workspace_len(v, split.count()),
        actual: workspace.len(),
    };
    let (prepared, prefix, payload) = prepare_stage(target, split, index, workspace)?;
    let symbol = render(prepared, out).map_err(BuildError::Qr)?;
    Ok(Built {
        symbol,
        fitted: split.fitted(index).ok_or(short)?,
        prefix,
        payload,
    })
}

/// The first half of [`build_part`]: part `index`'s code as QR codewords
/// ready for [`panicqr_qr::render`], in `workspace`. A caller that renders
/// the code itself keeps this half's frames apart from the rendering's, as
/// [`build_part`] does: the peak stack is then the deeper half's, not their
/// sum.
///
/// # Errors
/// As [`build_part`].
///
/// # Examples
/// ```
/// use panicqr_qr::{render, Version};
/// use panicqr_report::build::Target;
/// use panicqr_report::parts::{prepare_part, split, workspace_len};
/// let target = Target { max_version: Version::new(5).unwrap(), ..Target::new(b"https://e.org/#", b"x86_64", b"6.1") };
/// let mut ws = vec![0u8; workspace_len(target.max_version, 2)];
/// let s = split(b"[ 1.0] BUG: oops\n", &target, 2, &mut ws)?;
/// let mut out = vec![0u8; target.max_version.symbol_len()];
/// let code = render(prepare_part(&target, &s, 1, &mut ws)?, &mut out).unwrap();
/// assert!(code.version() <= target.max_version);
/// # Ok::<(), panicqr_report::build::BuildError>(())
/// ```
#[inline]
pub fn prepare_part<'w>(
    target: &Target<'_>,
    split: &Split,
    index: usize,
    workspace: &'w mut [u8],
) -> Result<Prepared<'w>, BuildError> {
    prepare_stage(target, split, index, workspace).map(|(p, _, _)| p)
}

/// [`prepare_part`], with the part's URL prefix and stream.
#[inline(never)]
fn prepare_stage<'w>(
    target: &Target<'_>,
    split: &Split,
    index: usize,
    workspace: &'w mut [u8],
) -> Result<(Prepared<'w>, &'w [u8], &'w [u8]), BuildError> {
    let v = target.max_version;
    let short = BuildError::WorkspaceTooSmall {
        needed: workspace_len(v, split.count()),
        actual: workspace.len(),
    };
    let len = split.len(index).ok_or(short)?;
    let i = index.saturating_sub(1);
    let (ws, streams) = workspace
        .split_at_mut_checked(build::workspace_len(v))
        .ok_or(short)?;
    let slot_len = v.data_codewords(EcLevel::L);
    let stream = streams
        .get(i.saturating_mul(slot_len)..)
        .and_then(|s| s.get(..len))
        .ok_or(short)?;
    let tag = PartTag {
        index: index as u8,
        count: split.count,
        id: split.id,
    };
    let plen = stage_part(target, &tag, stream, ws)?;
    build::encode_stage(target, plen, len, ws)
}

/// The compressor's part of a [`build::build`] workspace.
fn deflate_part(workspace: &mut [u8], v: Version) -> Option<&mut [u8]> {
    build::split(workspace, v).map(|p| p.deflate)
}

/// Writes a part's prefix (with its tag) and copies its `stream` where
/// `build::encode_stage` reads them; returns the prefix length.
fn stage_part(
    target: &Target<'_>,
    tag: &PartTag,
    stream: &[u8],
    workspace: &mut [u8],
) -> Result<usize, BuildError> {
    let v = target.max_version;
    let short = build::short(workspace, v);
    let parts = build::split(workspace, v).ok_or(short)?;
    let plen = url::write_part_prefix(
        target.base_url,
        target.arch,
        target.release,
        Some(tag),
        target.packing,
        parts.prefix,
    )
    .map_err(|_| BuildError::PrefixTooLong)?;
    parts
        .z
        .get_mut(..stream.len())
        .ok_or(short)?
        .copy_from_slice(stream);
    Ok(plen)
}

/// FNV-1a, 32 bits: a report id that needs no randomness at panic time.
pub(crate) fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}
