//! The whole encoding side in one call: log → newest lines that fit →
//! compressed → URL → QR symbol, in caller memory.

use panicqr_qr::{prepare, render, EcLevel, MaskChoice, Options, Segment, Symbol, Version};

use crate::fit::{self, Fitted};
use crate::{deflate, url};

/// The longest URL prefix (`<base>?a=…&v=…&z=`) accepted.
pub const PREFIX_MAX: usize = 512;

/// Workspace bytes [`build`] needs for `max_version`.
pub const fn workspace_len(max_version: Version) -> usize {
    PREFIX_MAX
        + max_version.data_codewords(EcLevel::L)
        + deflate::WORKSPACE_LEN
        + max_version.scratch_len(MaskChoice::Auto)
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

/// A built report: the symbol (in the caller's buffer) and what was kept.
#[derive(Debug)]
pub struct Built<'o> {
    /// The QR symbol.
    pub symbol: Symbol<'o>,
    /// Which lines were kept and how they compressed.
    pub fitted: Fitted,
}

/// Builds the report QR code for `log`: level L, versions up to
/// `max_version`, the given mask choice.
///
/// # Errors
/// See [`BuildError`].
#[expect(
    clippy::too_many_arguments,
    reason = "every input is distinct; a struct would only rename them"
)]
pub fn build<'o>(
    log: &[u8],
    base_url: &[u8],
    arch: &[u8],
    release: &[u8],
    max_version: Version,
    mask: MaskChoice,
    workspace: &mut [u8],
    out: &'o mut [u8],
) -> Result<Built<'o>, BuildError> {
    let needed = workspace_len(max_version);
    if workspace.len() < needed {
        return Err(BuildError::WorkspaceTooSmall {
            needed,
            actual: workspace.len(),
        });
    }
    if out.len() < max_version.symbol_len() {
        return Err(BuildError::SymbolTooSmall {
            needed: max_version.symbol_len(),
            actual: out.len(),
        });
    }
    let short = BuildError::WorkspaceTooSmall {
        needed,
        actual: workspace.len(),
    };
    let (prefix_buf, rest) = workspace.split_at_mut_checked(PREFIX_MAX).ok_or(short)?;
    let (z, rest) = rest
        .split_at_mut_checked(max_version.data_codewords(EcLevel::L))
        .ok_or(short)?;
    let (dws, scratch) = rest
        .split_at_mut_checked(deflate::WORKSPACE_LEN)
        .ok_or(short)?;
    let plen = url::write_prefix(base_url, arch, release, prefix_buf)
        .map_err(|_| BuildError::PrefixTooLong)?;
    let prefix = prefix_buf.get(..plen).ok_or(BuildError::PrefixTooLong)?;
    let cap = fit::capacity(plen, max_version).ok_or(BuildError::PrefixTooLong)?;
    let z = z.get_mut(..cap).ok_or(short)?;
    let fitted = fit::fit(log, cap, dws, z).map_err(|e| match e {
        fit::FitError::PrefixTooLong => BuildError::PrefixTooLong,
        _ => short,
    })?;
    let payload = z.get(..fitted.compressed).ok_or(short)?;
    let opts = Options {
        max_version,
        mask,
        ..Options::kernel()
    };
    let prepared = prepare(
        &[Segment::Bytes(prefix), Segment::DecimalBytes(payload)],
        &opts,
        scratch,
    )
    .map_err(BuildError::Qr)?;
    let symbol = render(&prepared, scratch, out).map_err(BuildError::Qr)?;
    Ok(Built { symbol, fitted })
}
