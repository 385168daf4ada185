//! The whole encoding side in one call: log → newest lines that fit →
//! compressed → URL → QR symbol, in caller memory.

use panicqr_qr::{
    prepare, render, EcLevel, MaskChoice, Options, Prepared, Segment, Symbol, Version,
};

use crate::deflate;
use crate::fit::{self, Fitted};
use crate::url::{self, Packing};

/// The longest URL prefix (`<base>?a=…&v=…&z=`) accepted.
pub const PREFIX_MAX: usize = 512;

/// Workspace bytes [`build`] needs for `max_version`.
pub const fn workspace_len(max_version: Version) -> usize {
    PREFIX_MAX
        + max_version.data_codewords(EcLevel::L)
        + deflate::WORKSPACE_LEN
        + max_version.scratch_len(MaskChoice::Auto)
}

/// Where a report points and how its QR code is made: the URL's parts, the
/// largest QR version, the mask, and the digit packing.
///
/// # Examples
/// ```
/// use panicqr_report::build::Target;
/// let t = Target::new(b"https://deb.li/panic#", b"x86_64", b"7.3.4+deb13-amd64");
/// assert_eq!(t.max_version.number(), 40);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target<'a> {
    /// The decoder page, e.g. `https://deb.li/panic#`.
    pub base_url: &'a [u8],
    /// The `a=` parameter.
    pub arch: &'a [u8],
    /// The `v=` parameter.
    pub release: &'a [u8],
    /// The largest QR version to use (level L).
    pub max_version: Version,
    /// Fixed or automatic mask.
    pub mask: MaskChoice,
    /// `z=` or legacy `zl=` digits.
    pub packing: Packing,
}

impl<'a> Target<'a> {
    /// Version 40, automatic mask, `z=` digits.
    pub const fn new(base_url: &'a [u8], arch: &'a [u8], release: &'a [u8]) -> Self {
        Target {
            base_url,
            arch,
            release,
            max_version: Version::MAX,
            mask: MaskChoice::Auto,
            packing: Packing::Z,
        }
    }
}

/// Why no report was built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// The URL prefix is longer than [`PREFIX_MAX`] or leaves no room for
    /// data at the largest allowed version.
    PrefixTooLong,
    /// The workspace is shorter than [`workspace_len`].
    WorkspaceTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        actual: usize,
    },
    /// The symbol buffer is shorter than `max_version.symbol_len()`.
    SymbolTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        actual: usize,
    },
    /// The encoder refused (cannot happen once the sizes are right).
    Qr(panicqr_qr::Error),
}

impl core::fmt::Display for BuildError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            BuildError::PrefixTooLong => write!(
                f,
                "the report URL prefix is longer than {PREFIX_MAX} bytes or leaves no room for the log"
            ),
            BuildError::WorkspaceTooSmall { needed, actual } => write!(
                f,
                "report workspace too small: {actual} bytes given, {needed} needed"
            ),
            BuildError::SymbolTooSmall { needed, actual } => write!(
                f,
                "QR symbol buffer too small: {actual} bytes given, {needed} needed"
            ),
            BuildError::Qr(e) => write!(f, "QR encoder: {e}"),
        }
    }
}

/// A built report: the symbol (in the caller's buffer), what was kept, and
/// the text it encodes (in the workspace).
#[derive(Debug)]
pub struct Built<'w, 'o> {
    /// The QR symbol.
    pub symbol: Symbol<'o>,
    /// Which lines were kept and how they compressed.
    pub fitted: Fitted,
    /// The URL up to the digits: `<base>?a=…&v=…&z=`.
    pub prefix: &'w [u8],
    /// The zlib stream the digits encode.
    pub payload: &'w [u8],
}

/// The pieces of a [`build`] workspace.
pub(crate) struct Parts<'w> {
    pub(crate) prefix: &'w mut [u8],
    pub(crate) z: &'w mut [u8],
    pub(crate) deflate: &'w mut [u8],
    pub(crate) scratch: &'w mut [u8],
}

pub(crate) fn split(workspace: &mut [u8], max_version: Version) -> Option<Parts<'_>> {
    let (prefix, rest) = workspace.split_at_mut_checked(PREFIX_MAX)?;
    let (z, rest) = rest.split_at_mut_checked(max_version.data_codewords(EcLevel::L))?;
    let (deflate, scratch) = rest.split_at_mut_checked(deflate::WORKSPACE_LEN)?;
    Some(Parts {
        prefix,
        z,
        deflate,
        scratch,
    })
}

pub(crate) fn short(workspace: &[u8], v: Version) -> BuildError {
    BuildError::WorkspaceTooSmall {
        needed: workspace_len(v),
        actual: workspace.len(),
    }
}

/// The first half of [`build`]: the URL prefix and the compressed newest
/// lines, left in the workspace; returns the prefix length and what was
/// kept. The two halves have frames of their own, each gone before the
/// other runs: the peak stack is the deeper half's, not their sum.
#[inline(never)]
fn fit_stage(
    log: &[u8],
    target: &Target<'_>,
    workspace: &mut [u8],
) -> Result<(usize, Fitted), BuildError> {
    let v = target.max_version;
    let short = short(workspace, v);
    let parts = split(workspace, v).ok_or(short)?;
    let plen = url::write_prefix(
        target.base_url,
        target.arch,
        target.release,
        target.packing,
        parts.prefix,
    )
    .map_err(|_| BuildError::PrefixTooLong)?;
    let cap = fit::capacity(plen, v, target.packing).ok_or(BuildError::PrefixTooLong)?;
    let z = parts.z.get_mut(..cap).ok_or(short)?;
    let fitted = fit::fit(log, cap, parts.deflate, z).map_err(|e| match e {
        fit::FitError::PrefixTooLong => BuildError::PrefixTooLong,
        _ => short,
    })?;
    Ok((plen, fitted))
}

/// The second half of [`build`]: the QR codewords of the prefix (`plen`
/// bytes) and the stream (`compressed` bytes) [`fit_stage`] left in the
/// workspace, ready to draw. Drawing them is left to the caller, so the
/// drawing's frames do not sit on this one's.
#[inline(never)]
pub(crate) fn encode_stage<'w>(
    target: &Target<'_>,
    plen: usize,
    compressed: usize,
    workspace: &'w mut [u8],
) -> Result<(Prepared<'w>, &'w [u8], &'w [u8]), BuildError> {
    let v = target.max_version;
    let short = short(workspace, v);
    let parts = split(workspace, v).ok_or(short)?;
    let prefix: &'w [u8] = parts.prefix;
    let prefix = prefix.get(..plen).ok_or(BuildError::PrefixTooLong)?;
    let z: &'w [u8] = parts.z;
    let payload = z.get(..compressed).ok_or(short)?;
    let opts = Options {
        max_version: v,
        mask: target.mask,
        ..Options::kernel()
    };
    let data = match target.packing {
        Packing::Z => Segment::DecimalBytes(payload),
        Packing::Legacy => Segment::DecimalBytesLegacy(payload),
    };
    let prepared =
        prepare(&[Segment::Bytes(prefix), data], &opts, parts.scratch).map_err(BuildError::Qr)?;
    Ok((prepared, prefix, payload))
}

/// Builds the report QR code for `log` (level L, up to `target.max_version`)
/// into `out`, using `workspace` ([`workspace_len`] bytes) for everything
/// else. The newest lines that fit are kept (see [`fit::fit`]).
///
/// # Errors
/// See [`BuildError`].
///
/// # Examples
/// ```
/// use panicqr_qr::Version;
/// use panicqr_report::build::{build, workspace_len, Target};
/// let mut ws = vec![0u8; workspace_len(Version::MAX)];
/// let mut out = vec![0u8; Version::MAX.symbol_len()];
/// let log = b"[ 1.0] BUG: unable to handle page fault\n";
/// let built = build(log, &Target::new(b"https://deb.li/panic#", b"x86_64", b"7.3"), &mut ws, &mut out)?;
/// assert_eq!(built.fitted.kept, log.len());
/// # Ok::<(), panicqr_report::build::BuildError>(())
/// ```
pub fn build<'w, 'o>(
    log: &[u8],
    target: &Target<'_>,
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
    let (plen, fitted) = fit_stage(log, target, workspace)?;
    let (prepared, prefix, payload) = encode_stage(target, plen, fitted.compressed, workspace)?;
    let symbol = render(prepared, out).map_err(BuildError::Qr)?;
    Ok(Built {
        symbol,
        fitted,
        prefix,
        payload,
    })
}
