//! From segments to a finished symbol: version choice, codewords, error
//! correction, placement and masking.

use crate::bits::BitWriter;
use crate::error::{Buffer, Error};
use crate::mask::{balance_penalty, block_penalty, line_penalty, masked_row, Mask, MaskChoice};
use crate::matrix::{format_bits, Layout};
use crate::reed_solomon;
use crate::row::Row;
use crate::{EcLevel, Segment, Symbol, Version};

/// What to encode the segments as.
///
/// # Examples
/// ```
/// use panicqr_qr::{EcLevel, MaskChoice, Options, Version};
/// // What Linux draws: level L, mask 0, any version.
/// let kernel = Options::kernel();
/// assert_eq!(kernel.ec_level, EcLevel::L);
/// let small = Options { max_version: Version::new(10).ok_or("v")?, ..Options::default() };
/// assert_eq!(small.mask, MaskChoice::Auto);
/// # Ok::<(), &str>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The error correction level (the minimum one, with `boost_ec`).
    pub ec_level: EcLevel,
    /// The smallest version to use.
    pub min_version: Version,
    /// The largest version to use.
    pub max_version: Version,
    /// Raise the level while the data still fits the chosen version.
    pub boost_ec: bool,
    /// How to choose the mask.
    pub mask: MaskChoice,
}

impl Options {
    /// Linux drm_panic's settings: level L, mask 0, versions 1–40, no boost.
    pub const fn kernel() -> Options {
        Options {
            ec_level: EcLevel::L,
            min_version: Version::MIN,
            max_version: Version::MAX,
            boost_ec: false,
            mask: MaskChoice::Fixed(Mask::MIN),
        }
    }
}

impl Default for Options {
    /// Level M, versions 1–40, no boost, automatic mask.
    fn default() -> Options {
        Options {
            ec_level: EcLevel::M,
            min_version: Version::MIN,
            max_version: Version::MAX,
            boost_ec: false,
            mask: MaskChoice::Auto,
        }
    }
}

/// The codewords of a symbol, ready to draw: the result of [`prepare`].
///
/// It holds the scratch buffer the codewords were written into, so
/// [`render`] cannot be handed another one, and nothing can touch the
/// codewords between the two halves.
#[derive(Debug)]
pub struct Prepared<'s> {
    version: Version,
    ec_level: EcLevel,
    mask: MaskChoice,
    scratch: &'s mut [u8],
}

impl Prepared<'_> {
    /// The version chosen.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The level chosen (after any boost).
    pub fn ec_level(&self) -> EcLevel {
        self.ec_level
    }
}

/// Encodes `segments` into `out`, using `scratch` as working memory.
///
/// `out` needs [`Version::symbol_len`] bytes and `scratch`
/// [`Version::scratch_len`] bytes of the version chosen; sizing both for
/// `opts.max_version` always suffices. On success the returned [`Symbol`]
/// borrows `out`; the contents of `scratch` mean nothing afterwards.
///
/// # Errors
/// [`Error::DataTooLong`] / [`Error::SegmentTooLong`] when the data does not
/// fit `opts.max_version`; [`Error::BufferTooSmall`] when a buffer is short for
/// the version chosen; [`Error::InvalidCharacter`] for a byte the segment's mode
/// cannot hold; [`Error::InvalidVersionRange`] when min > max.
///
/// # Examples
/// ```
/// use panicqr_qr::{encode, Options, Segment, Version};
/// let url = b"https://example.org/panic_report/#?a=x86_64&v=6.15.0&z=";
/// let payload = [0x48, 0x89, 0x6d, 0xcc];
/// let opts = Options::kernel();
/// let v = opts.max_version;
/// let mut scratch = [0u8; Version::MAX.scratch_len(panicqr_qr::MaskChoice::Auto)];
/// let mut out = [0u8; Version::MAX.symbol_len()];
/// let sym = encode(&[Segment::Bytes(url), Segment::DecimalBytes(&payload)], &opts, &mut scratch, &mut out)?;
/// assert_eq!(sym.version().number(), 4);
/// # let _ = v;
/// # Ok::<(), panicqr_qr::Error>(())
/// ```
pub fn encode<'o>(
    segments: &[Segment<'_>],
    opts: &Options,
    scratch: &mut [u8],
    out: &'o mut [u8],
) -> Result<Symbol<'o>, Error> {
    render(prepare(segments, opts, scratch)?, out)
}

/// First half of [`encode`]: chooses the version and writes the data and
/// error correction codewords into `scratch`. Nothing else is touched, so
/// the segments may borrow the buffer that [`render`] will draw into (Linux's
/// `drm_panic_qr_generate` passes the payload in its output buffer).
///
/// # Errors
/// As [`encode`], except that only `scratch` is checked.
///
/// # Examples
/// The payload lives in the buffer the symbol is then drawn into, as in
/// drm_panic:
/// ```
/// use panicqr_qr::{prepare, render, MaskChoice, Options, Segment, Version};
/// let mut scratch = [0u8; Version::MAX.scratch_len(MaskChoice::Auto)];
/// let mut data = [0u8; Version::MAX.symbol_len()];
/// data[..5].copy_from_slice(b"hello");
/// let opts = Options::default();
/// let prepared = prepare(&[Segment::Bytes(&data[..5])], &opts, &mut scratch)?;
/// let symbol = render(prepared, &mut data)?;
/// assert_eq!(symbol.version().number(), 1);
/// # Ok::<(), panicqr_qr::Error>(())
/// ```
pub fn prepare<'s>(
    segments: &[Segment<'_>],
    opts: &Options,
    scratch: &'s mut [u8],
) -> Result<Prepared<'s>, Error> {
    if opts.min_version > opts.max_version {
        return Err(Error::InvalidVersionRange {
            min: opts.min_version,
            max: opts.max_version,
        });
    }
    for (i, s) in segments.iter().enumerate() {
        if let Some((position, byte)) = s.first_invalid() {
            return Err(Error::InvalidCharacter {
                segment: i,
                position,
                byte,
            });
        }
    }
    let (version, bits) = choose_version(segments, opts)?;
    let mut ec_level = opts.ec_level;
    if opts.boost_ec {
        for ec in EcLevel::ALL {
            if ec > ec_level && bits <= version.data_codewords(ec) * 8 {
                ec_level = ec;
            }
        }
    }
    let needed = version.scratch_len(opts.mask);
    if scratch.len() < needed {
        return Err(Error::BufferTooSmall {
            buffer: Buffer::Scratch,
            needed,
            actual: scratch.len(),
        });
    }
    write_codewords(segments, version, ec_level, bits, scratch)?;
    Ok(Prepared {
        version,
        ec_level,
        mask: opts.mask,
        scratch,
    })
}

/// Second half of [`encode`]: draws the codewords [`prepare`] left in its
/// scratch buffer into `out`.
///
/// # Errors
/// [`Error::BufferTooSmall`] when `out` is short for the version.
pub fn render<'o>(prepared: Prepared<'_>, out: &'o mut [u8]) -> Result<Symbol<'o>, Error> {
    let Prepared {
        version,
        ec_level,
        mask,
        scratch,
    } = prepared;
    let scratch_needed = version.scratch_len(mask);
    let symbol_len = version.symbol_len();
    if scratch.len() < scratch_needed {
        return Err(Error::BufferTooSmall {
            buffer: Buffer::Scratch,
            needed: scratch_needed,
            actual: scratch.len(),
        });
    }
    let out_len = out.len();
    let Some(out) = out.get_mut(..symbol_len) else {
        return Err(Error::BufferTooSmall {
            buffer: Buffer::Symbol,
            needed: symbol_len,
            actual: out_len,
        });
    };
    let Some((codewords, rest)) = scratch.split_at_mut_checked(version.total_codewords()) else {
        return Err(Error::BufferTooSmall {
            buffer: Buffer::Scratch,
            needed: scratch_needed,
            actual: scratch.len(),
        });
    };
    let mut transposed = match mask {
        MaskChoice::Auto => rest.get_mut(..symbol_len),
        MaskChoice::Fixed(_) => None,
    };
    let layout = Layout::new(version);
    // Row indices come from `0..w` rather than `enumerate()`: bounded by
    // construction, so no counter can overflow and callees see y < w.
    let w = layout.width();
    out.fill(0);
    if let Some(t) = transposed.as_deref_mut() {
        t.fill(0);
    }
    place(
        &layout,
        version,
        ec_level,
        codewords,
        out,
        transposed.as_deref_mut(),
    );
    let stride = version.row_bytes().max(1);
    for (y, row) in (0..w).zip(out.chunks_exact_mut(stride)) {
        (Row::load(row) | layout.function_dark(y, false)).store(row);
    }
    let chosen = match (mask, transposed) {
        (MaskChoice::Fixed(m), _) => m,
        (MaskChoice::Auto, Some(t)) => {
            for (y, row) in (0..w).zip(t.chunks_exact_mut(stride)) {
                (Row::load(row) | layout.function_dark(y, true)).store(row);
            }
            choose_mask(&layout, ec_level, out, t)
        }
        (MaskChoice::Auto, None) => Mask::MIN,
    };
    let fmt = format_bits(ec_level.format_bits(), chosen.number());
    for (y, row) in (0..w).zip(out.chunks_exact_mut(stride)) {
        masked_row(&layout, Row::load(row), chosen, fmt, y, false).store(row);
    }
    Ok(Symbol::new(out, version, ec_level, chosen))
}

/// The smallest version in the allowed range that holds the segments, and the
/// bits they take there.
fn choose_version(segments: &[Segment<'_>], opts: &Options) -> Result<(Version, usize), Error> {
    let total = |v: Version| -> Option<usize> {
        segments
            .iter()
            .try_fold(0usize, |acc, s| acc.checked_add(s.bit_len(v)?))
    };
    for v in (opts.min_version.number()..=opts.max_version.number()).filter_map(Version::new) {
        if let Some(bits) = total(v) {
            if bits <= v.data_codewords(opts.ec_level) * 8 {
                return Ok((v, bits));
            }
        }
    }
    let v = opts.max_version;
    match total(v) {
        Some(bits) => Err(Error::DataTooLong {
            bits,
            capacity_bits: v.data_codewords(opts.ec_level) * 8,
            version: v,
            ec_level: opts.ec_level,
        }),
        None => {
            let (segment, s) = segments
                .iter()
                .enumerate()
                .find(|(_, s)| s.bit_len(v).is_none())
                .unwrap_or((0, &Segment::Bytes(&[])));
            Err(Error::SegmentTooLong {
                segment,
                chars: s.char_count(),
                // 2^bits ≥ 1, so the subtraction cannot wrap.
                max: 1usize
                    .checked_shl(s.mode().count_bits(v))
                    .map_or(usize::MAX, |m| m.wrapping_sub(1)),
            })
        }
    }
}

/// Writes data codewords (segments, terminator, padding; ISO/IEC 18004
/// §7.4.9–7.4.10) then each block's error correction codewords after them.
fn write_codewords(
    segments: &[Segment<'_>],
    version: Version,
    ec_level: EcLevel,
    bits: usize,
    scratch: &mut [u8],
) -> Result<(), Error> {
    let data_len = version.data_codewords(ec_level);
    let total = version.total_codewords();
    let short = Error::BufferTooSmall {
        buffer: Buffer::Scratch,
        needed: total,
        actual: scratch.len(),
    };
    let codewords = scratch.get_mut(..total).ok_or(short)?;
    let (data, ecc) = codewords.split_at_mut_checked(data_len).ok_or(short)?;
    let mut w = BitWriter::new(data);
    for s in segments {
        s.write(&mut w, version);
    }
    let capacity = data_len * 8;
    w.push(0, (capacity.saturating_sub(bits)).min(4) as u32);
    let written = w.finish().ok_or(short)?;
    for (b, pad) in data
        .iter_mut()
        .skip(written)
        .zip([0xEC, 0x11].into_iter().cycle())
    {
        *b = pad;
    }
    let blocks = BlockLayout::new(version, ec_level);
    let ecc_len = usize::from(blocks.ecc_len);
    // Every block length QR defines has a table (checked in tests).
    let tables = reed_solomon::tables(ecc_len).ok_or(short)?;
    // Each block's data follows the previous one's: the short blocks first,
    // then the long ones (one codeword more).
    let mut rest = &*data;
    for (b, out) in (0..blocks.count).zip(ecc.chunks_exact_mut(ecc_len.max(1))) {
        let len = usize::from(blocks.short_data) + usize::from(b >= blocks.short);
        let Some((d, tail)) = rest.split_at_checked(len) else {
            break;
        };
        tables.remainder(d, ecc_len, out);
        rest = tail;
    }
    Ok(())
}

/// How the data codewords split into blocks (ISO/IEC 18004 §7.5.2, Table 9):
/// `count` blocks, the first `short` of them one data codeword shorter.
///
/// All from compile-time tables, as `u8`s: index arithmetic on them (products
/// of two `u8`s plus a few more) provably fits a `usize`.
struct BlockLayout {
    /// Blocks, 1 to 81.
    count: u8,
    /// Short blocks, 1 to `count`.
    short: u8,
    /// Data codewords of a short block, at most 118.
    short_data: u8,
    /// Error correction codewords per block, at most 30.
    ecc_len: u8,
    /// Data codewords in all.
    data_len: usize,
}

impl BlockLayout {
    fn new(version: Version, ec: EcLevel) -> BlockLayout {
        BlockLayout {
            count: version.block_count(ec).max(1),
            short: version.short_blocks(ec),
            short_data: version.short_block_data(ec),
            ecc_len: version.ecc_len(ec),
            data_len: version.data_codewords(ec),
        }
    }
}

/// The codewords in the order they are placed (§7.6): the i-th data codeword
/// of every block in turn (short blocks have none at the last i), then the
/// i-th error correction codeword of every block.
///
/// The counters are `u8`s: `b < count ≤ 81`, and `i ≤ short_data + 1 ≤ 119`
/// (data) or `i ≤ ecc_len ≤ 30` (error correction), so the increments below
/// never wrap and every index is a small sum of `u8` products.
struct Interleaved<'a> {
    data: &'a [u8],
    ecc: &'a [u8],
    layout: &'a BlockLayout,
    i: u8,
    b: u8,
    ecc_phase: bool,
}

impl<'a> Interleaved<'a> {
    fn new(codewords: &'a [u8], layout: &'a BlockLayout) -> Self {
        let (data, ecc) = codewords
            .split_at_checked(layout.data_len)
            .unwrap_or((codewords, &[]));
        Interleaved {
            data,
            ecc,
            layout,
            i: 0,
            b: 0,
            ecc_phase: false,
        }
    }

    /// The next codeword, or 0 past the last (remainder bits are zero).
    #[inline]
    fn next_byte(&mut self) -> u8 {
        let l = self.layout;
        let (b, i) = (usize::from(self.b), usize::from(self.i));
        if !self.ecc_phase {
            let idx = b * usize::from(l.short_data) + b.saturating_sub(usize::from(l.short)) + i;
            // b < count ≤ 81 (see the type): no wrap.
            self.b = self.b.wrapping_add(1);
            if self.b == l.count {
                // i < short_data + 1 ≤ 119: no wrap.
                self.i = self.i.wrapping_add(1);
                // In the last data column only the long blocks have a codeword.
                self.b = if self.i == l.short_data { l.short } else { 0 };
                if self.i > l.short_data || self.b == l.count {
                    self.i = 0;
                    self.b = 0;
                    self.ecc_phase = true;
                }
            }
            return self.data.get(idx).copied().unwrap_or(0);
        }
        if self.i >= l.ecc_len {
            return 0;
        }
        let idx = b * usize::from(l.ecc_len) + i;
        // b < count ≤ 81 and i < ecc_len ≤ 30: no wrap.
        self.b = self.b.wrapping_add(1);
        if self.b == l.count {
            self.b = 0;
            self.i = self.i.wrapping_add(1);
        }
        self.ecc.get(idx).copied().unwrap_or(0)
    }
}

/// Hands out codeword bits MSB first, 56 at a time from a word.
struct BitReader<'a> {
    source: Interleaved<'a>,
    buf: u64,
    have: u32,
}

impl BitReader<'_> {
    /// The next bit, as 0 or 1.
    #[inline(always)]
    fn bit(&mut self) -> u64 {
        if self.have == 0 {
            for _ in 0..7 {
                self.buf = (self.buf << 8) | u64::from(self.source.next_byte());
            }
            self.buf <<= 8;
            self.have = 56;
        }
        self.have -= 1;
        let b = self.buf >> 63;
        self.buf <<= 1;
        b
    }
}

/// Places the interleaved codewords in the two-module-wide zigzag from the
/// bottom-right corner (§7.7.3), writing dark data modules into `out` (rows)
/// and, when given, `transposed` (columns).
#[inline(never)]
fn place(
    layout: &Layout,
    version: Version,
    ec_level: EcLevel,
    codewords: &[u8],
    out: &mut [u8],
    mut transposed: Option<&mut [u8]>,
) {
    let w = layout.width();
    let stride = version.row_bytes();
    let blocks = BlockLayout::new(version, ec_level);
    let mut bits = BitReader {
        source: Interleaved::new(codewords, &blocks),
        buf: 0,
        have: 0,
    };
    let mut right = w - 1;
    let mut upward = true;
    loop {
        // Data modules of the two columns, as bit sets over y.
        let free_a = !layout.function_mask(right) & layout.full;
        let free_b = !layout.function_mask(right - 1) & layout.full;
        let mut ca = [0u64; 3];
        let mut cb = [0u64; 3];
        for k in 0..w {
            let y = if upward { w - 1 - k } else { k };
            let (word, shift) = (y / 64, y % 64);
            if let (Some(a), Some(b), Some(fa), Some(fb)) = (
                ca.get_mut(word),
                cb.get_mut(word),
                free_a.0.get(word),
                free_b.0.get(word),
            ) {
                if (fa >> shift) & 1 == 1 {
                    *a |= bits.bit() << shift;
                }
                if (fb >> shift) & 1 == 1 {
                    *b |= bits.bit() << shift;
                }
            }
        }
        for (x, col) in [(right, Row(ca)), (right - 1, Row(cb))] {
            let (byte, bit) = (x / 8, 1u8 << (x % 8));
            for y in col.ones() {
                let at = y.checked_mul(stride).and_then(|o| o.checked_add(byte));
                if let Some(b) = at.and_then(|i| out.get_mut(i)) {
                    *b |= bit;
                }
            }
            if let Some(t) = transposed.as_deref_mut() {
                let dst = x
                    .checked_mul(stride)
                    .and_then(|start| t.get_mut(start..))
                    .and_then(|r| r.get_mut(..stride));
                if let Some(dst) = dst {
                    col.store(dst);
                }
            }
        }
        if right < 3 {
            break;
        }
        right -= 2;
        if right == 6 {
            right = 5;
        }
        upward = !upward;
    }
}

/// Scores every mask on the unmasked rows (`rows`) and columns
/// (`columns`) and returns the lowest-penalty one.
fn choose_mask(layout: &Layout, ec_level: EcLevel, rows: &[u8], columns: &[u8]) -> Mask {
    // w and stride derive from the version (a u8): w ≥ 17, w² fits.
    let w = layout.width();
    let stride = layout.version().row_bytes();
    let pairs = Row::range(0, w - 1);
    let mut best = (u32::MAX, Mask::MIN);
    // Sums saturate: the real totals are far below u32::MAX (see mask.rs),
    // so this never changes a choice and leaves no overflow path.
    for m in (0..8).filter_map(Mask::new) {
        let fmt = format_bits(ec_level.format_bits(), m.number());
        let mut penalty = 0u32;
        let mut dark = 0usize;
        let mut prev: Option<Row> = None;
        for (y, row) in (0..w).zip(rows.chunks_exact(stride)) {
            let r = masked_row(layout, Row::load(row), m, fmt, y, false);
            penalty = penalty.saturating_add(line_penalty(r, layout.full));
            dark = dark.saturating_add(r.count_ones() as usize);
            if let Some(p) = prev {
                penalty = penalty.saturating_add(block_penalty(p, r, pairs));
            }
            prev = Some(r);
        }
        for (x, col) in (0..w).zip(columns.chunks_exact(stride)) {
            let c = masked_row(layout, Row::load(col), m, fmt, x, true);
            penalty = penalty.saturating_add(line_penalty(c, layout.full));
        }
        penalty = penalty.saturating_add(balance_penalty(dark, w * w));
        if penalty < best.0 {
            best = (penalty, m);
        }
    }
    best.1
}
