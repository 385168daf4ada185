//! The read-only view of a finished symbol.

use crate::{EcLevel, Mask, Version};

/// A finished QR symbol in the caller's buffer: one bit per module, rows of
/// `⌈width/8⌉` bytes, least significant bit = leftmost module, `1` = dark.
/// The quiet zone is not included.
///
/// # Examples
/// ```
/// use panicqr_qr::{encode, Options, Segment, Version};
/// let v = Version::MAX;
/// let (mut scratch, mut out) = (vec![0; v.scratch_len(Options::default().mask)], vec![0; v.symbol_len()]);
/// let sym = encode(&[Segment::Bytes(b"hello")], &Options::default(), &mut scratch, &mut out)?;
/// assert_eq!(sym.width(), 21);
/// assert!(sym.is_dark(0, 0)); // corner of a finder pattern
/// assert!(!sym.is_dark(7, 0)); // its separator
/// # Ok::<(), panicqr_qr::Error>(())
/// ```
#[derive(Debug)]
pub struct Symbol<'a> {
    modules: &'a mut [u8],
    version: Version,
    ec_level: EcLevel,
    mask: Mask,
}

impl<'a> Symbol<'a> {
    pub(crate) fn new(
        modules: &'a mut [u8],
        version: Version,
        ec_level: EcLevel,
        mask: Mask,
    ) -> Self {
        Symbol {
            modules,
            version,
            ec_level,
            mask,
        }
    }

    /// The version of the symbol.
    pub fn version(&self) -> Version {
        self.version
    }

    /// Modules per side.
    pub fn width(&self) -> usize {
        self.version.width()
    }

    /// The error correction level actually used (after any boost).
    pub fn ec_level(&self) -> EcLevel {
        self.ec_level
    }

    /// The mask pattern actually used.
    pub fn mask(&self) -> Mask {
        self.mask
    }

    /// Whether module (x, y) is dark; `false` outside the symbol.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        if x >= self.width() {
            return false;
        }
        self.row(y).is_some_and(|r| r.is_dark(x))
    }

    /// Row `y`, or `None` past the last row.
    pub fn row(&self, y: usize) -> Option<ModuleRow<'_>> {
        let stride = self.version.row_bytes();
        let start = y.checked_mul(stride)?;
        let bytes = self.modules.get(start..start.checked_add(stride)?)?;
        Some(ModuleRow {
            bytes,
            width: self.width(),
        })
    }

    /// The rows, top to bottom.
    pub fn rows(&self) -> impl Iterator<Item = ModuleRow<'_>> + '_ {
        (0..self.width()).filter_map(move |y| self.row(y))
    }

    /// The packed modules: `width` rows of `⌈width/8⌉` bytes, LSB first, `1` = dark.
    pub fn as_bytes(&self) -> &[u8] {
        self.modules.get(..self.version.symbol_len()).unwrap_or(&[])
    }

    /// Rewrites the buffer in place into Linux's drm_panic bitmap layout
    /// (rows of `⌈width/8⌉` bytes, most significant bit = leftmost module,
    /// bit set = **light**, unused bits 0) and returns it.
    pub fn into_kernel_bitmap(self) -> &'a [u8] {
        let width = self.width();
        let stride = self.version.row_bytes();
        let len = self.version.symbol_len();
        let modules = self.modules;
        for row in modules.chunks_exact_mut(stride.max(1)).take(width) {
            for (i, b) in row.iter_mut().enumerate() {
                let valid = width.saturating_sub(i * 8).min(8);
                let keep = (0xFFu16 << (8 - valid)) as u8;
                *b = (!b.reverse_bits()) & keep;
            }
        }
        modules.get(..len).unwrap_or(&[])
    }
}

/// One row of a [`Symbol`].
#[derive(Clone, Copy, Debug)]
pub struct ModuleRow<'a> {
    bytes: &'a [u8],
    width: usize,
}

impl<'a> ModuleRow<'a> {
    /// Whether module `x` of this row is dark; `false` outside the symbol.
    pub fn is_dark(&self, x: usize) -> bool {
        x < self.width
            && self
                .bytes
                .get(x / 8)
                .is_some_and(|b| (b >> (x % 8)) & 1 == 1)
    }

    /// The modules left to right, `true` = dark.
    pub fn iter(&self) -> impl Iterator<Item = bool> + 'a {
        let bytes = self.bytes;
        (0..self.width).map(move |x| bytes.get(x / 8).is_some_and(|b| (b >> (x % 8)) & 1 == 1))
    }
}
