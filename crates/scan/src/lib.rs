//! Finds and reads the QR codes in a photo or screenshot of a crashed screen.
//!
//! Photos of screens are large, blurred, noisy, rotated, seen at an angle,
//! low in contrast and JPEG-compressed. The image is turned grey and tried
//! in a few forms, cheapest first: as is, contrast-stretched, smaller,
//! larger, sharpened, deblurred (one list for both entry points).
//!
//! - [`scan`] reads one code: the image scaled so its long side is at most
//!   [`WORK_SIDE`] pixels, each form read with `rxing` (a port of ZXing,
//!   which reads degraded symbols best in our measurements) and then
//!   `rqrr`; the first form that yields a symbol wins.
//! - [`scan_all`] reads every code of a screen of several (issue 12), at up
//!   to [`MULTI_SIDE`] pixels: rxing's multi-code reader on each form, then
//!   each code it located but did not read, and each place the grid of the
//!   codes read leaves for another, cut out, enlarged and read alone.
//!
//! Files come in through [`open`], which bounds what a hostile file can cost:
//! at most [`MAX_FILE_BYTES`] are read and at most [`MAX_PIXELS`] decoded.
//!
//! # Examples
//! ```no_run
//! let img = panicqr_scan::open(std::path::Path::new("photo.jpg"))?;
//! let found = panicqr_scan::scan(&img)?;
//! println!("{}", String::from_utf8_lossy(&found.text));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(
    test,
    allow(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::path::Path;

use image::imageops::FilterType;
use image::{DynamicImage, GrayImage, ImageReader, Limits};

mod multi;

pub use multi::{scan_all, MULTI_SIDE};

/// Long side, in pixels, that photos are scaled down to before reading.
pub const WORK_SIDE: u32 = 1600;

/// Largest image file [`open`] reads: a phone's photo is a few MB, a
/// lossless screenshot of a 4K screen well under this.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Most pixels [`open`] decodes: a photo of a screen never needs more
/// (phone cameras give 12 to 50 megapixels), and the check comes from the
/// header, before anything is allocated.
pub const MAX_PIXELS: u64 = 50_000_000;

/// Most memory the image decoder may allocate: enough for [`MAX_PIXELS`] of
/// 8-bit RGBA.
const MAX_DECODE_ALLOC: u64 = 4 * MAX_PIXELS + (16 << 20);

/// Why an image file could not be opened.
#[derive(Debug)]
#[non_exhaustive]
pub enum OpenError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file is longer than [`MAX_FILE_BYTES`] (or endless).
    TooLarge,
    /// The header promises more than [`MAX_PIXELS`].
    TooManyPixels {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// Not a PNG or JPEG, damaged, or over the decoder's memory limit.
    Image(image::ImageError),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Io(e) => write!(f, "cannot open: {e}"),
            OpenError::TooLarge => write!(
                f,
                "larger than the {} MiB limit for an image file",
                MAX_FILE_BYTES >> 20
            ),
            OpenError::TooManyPixels { width, height } => write!(
                f,
                "the image is {width}x{height} pixels, over the {}-megapixel limit",
                MAX_PIXELS / 1_000_000
            ),
            OpenError::Image(e) => write!(f, "not a readable PNG or JPEG image: {e}"),
        }
    }
}

impl std::error::Error for OpenError {}

/// Reads and decodes a PNG or JPEG file within [`MAX_FILE_BYTES`] and
/// [`MAX_PIXELS`]; the format comes from the content, else the extension.
///
/// # Errors
/// See [`OpenError`].
pub fn open(path: &Path) -> Result<DynamicImage, OpenError> {
    let file = std::fs::File::open(path).map_err(OpenError::Io)?;
    // A regular file says its size; a device or pipe has to be read to know.
    if file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() > MAX_FILE_BYTES)
    {
        return Err(OpenError::TooLarge);
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(OpenError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(OpenError::TooLarge);
    }
    let reader = || -> Result<_, OpenError> {
        let mut r = ImageReader::new(std::io::Cursor::new(&bytes[..]));
        if let Ok(f) = image::ImageFormat::from_path(path) {
            r.set_format(f);
        }
        r.with_guessed_format().map_err(OpenError::Io)
    };
    let (width, height) = reader()?.into_dimensions().map_err(OpenError::Image)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(OpenError::TooManyPixels { width, height });
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut r = reader()?;
    r.limits(limits);
    r.decode().map_err(OpenError::Image)
}

/// What was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The QR code's payload, its bytes exactly as encoded.
    pub text: Vec<u8>,
    /// Which decoder read it (`rxing` or `rqrr`).
    pub decoder: &'static str,
    /// Which form of the image it was read in.
    pub attempt: &'static str,
}

/// Why nothing was read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScanError {
    /// The image is empty.
    Empty,
    /// No QR code could be found and read.
    NoQrCode,
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanError::Empty => f.write_str("the image is empty"),
            ScanError::NoQrCode => f.write_str(
                "no QR code found: move closer so the code fills more of the photo, hold steady, avoid glare",
            ),
        }
    }
}

impl std::error::Error for ScanError {}

/// Which decoders to try (all, or one alone to compare them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoders {
    /// `rxing`, then `rqrr` (the default).
    Both,
    /// Only `rxing`.
    Rxing,
    /// Only `rqrr`.
    Rqrr,
}

/// Reads the QR code in `img`.
///
/// # Errors
/// [`ScanError::NoQrCode`] when no attempt yields a symbol.
pub fn scan(img: &DynamicImage) -> Result<Found, ScanError> {
    scan_with(img, Decoders::Both)
}

/// [`scan`] with a choice of decoders.
///
/// # Errors
/// As [`scan`].
pub fn scan_with(img: &DynamicImage, decoders: Decoders) -> Result<Found, ScanError> {
    if img.width() == 0 || img.height() == 0 {
        return Err(ScanError::Empty);
    }
    read_one(&fit_within(&img.to_luma8(), WORK_SIDE), decoders).ok_or(ScanError::NoQrCode)
}

/// The first code read in one of the [`FORMS`] of `base`.
fn read_one(base: &GrayImage, decoders: Decoders) -> Option<Found> {
    FORMS.iter().find_map(|&form| {
        let g = form.make(base, 2 * WORK_SIDE)?;
        read(&g, decoders).map(|(text, decoder)| Found {
            text,
            decoder,
            attempt: form.name(),
        })
    })
}

/// rxing's settings: QR codes only, trying hard.
fn hints() -> rxing::DecodeHints {
    rxing::DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(HashSet::from([rxing::BarcodeFormat::QR_CODE])),
        ..Default::default()
    }
}

/// One form of the image the decoders are given, cheapest first in
/// [`FORMS`]; [`scan`] and [`scan_all`] try the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    AsIs,
    Stretched,
    Half,
    Double,
    Sharpened,
    Deblurred,
}

/// The forms tried, in order: the first that yields a code wins in
/// [`scan`]; [`scan_all`] tries each until it has enough.
const FORMS: [Form; 6] = [
    Form::AsIs,
    Form::Stretched,
    Form::Half,
    Form::Double,
    Form::Sharpened,
    Form::Deblurred,
];

impl Form {
    fn name(self) -> &'static str {
        match self {
            Form::AsIs => "as is",
            Form::Stretched => "contrast stretched",
            Form::Half => "half size",
            Form::Double => "double size",
            Form::Sharpened => "sharpened",
            Form::Deblurred => "deblurred",
        }
    }

    /// This form of `g`, at most `max_side` pixels long; `None` when
    /// enlarging is all it would do and there is no room for it.
    fn make(self, g: &GrayImage, max_side: u32) -> Option<Cow<'_, GrayImage>> {
        Some(match self {
            Form::AsIs => Cow::Borrowed(g),
            Form::Stretched => Cow::Owned(stretch(g)),
            Form::Half => Cow::Owned(half(&stretch(g))),
            Form::Double => {
                if g.width().max(g.height()) > max_side / 2 {
                    return None;
                }
                Cow::Owned(double(&stretch(g)))
            }
            Form::Sharpened => Cow::Owned(sharpen(&stretch(g))),
            Form::Deblurred => Cow::Owned(unsharp(&stretch(g), 1.0, 8.0)),
        })
    }
}

/// Runs rqrr, which asserts on some degenerate geometry (a perspective that
/// maps a module outside `i32`, seen on photos of screens of many codes):
/// such an image is one rqrr cannot read, not a reason to end the program.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

fn read(g: &GrayImage, decoders: Decoders) -> Option<(Vec<u8>, &'static str)> {
    let (w, h) = g.dimensions();
    if w == 0 || h == 0 {
        return None;
    }
    if decoders != Decoders::Rqrr {
        if let Some(r) = read_rxing(g) {
            return Some((r, "rxing"));
        }
    }
    if decoders != Decoders::Rxing {
        return read_rqrr(g).map(|r| (r, "rqrr"));
    }
    None
}

fn read_rxing(g: &GrayImage) -> Option<Vec<u8>> {
    read_rxing_with(g, true)
}

/// rxing's two QR readers, as its `MultiFormatReader` runs them, each on the
/// image and its inverse; without `cpp`, the older reader alone (for tests).
fn read_rxing_with(g: &GrayImage, cpp: bool) -> Option<Vec<u8>> {
    use rxing::{common::HybridBinarizer, BinaryBitmap, Luma8LuminanceSource, Reader};
    let (w, h) = g.dimensions();
    let hints = hints();
    let source = Luma8LuminanceSource::new(g.as_raw().clone(), w, h).ok()?;
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    for inverted in [false, true] {
        if inverted {
            bitmap.invert();
        }
        if cpp {
            if let Ok(r) = rxing::qrcode::cpp_port::QrReader.decode_with_hints(&mut bitmap, &hints)
            {
                // This reader's "raw bytes" are the payload as encoded,
                // segment by segment, whatever the mode or charset.
                return Some(r.getRawBytes().to_vec());
            }
        }
        if let Ok(r) = rxing::qrcode::QRCodeReader.decode_with_hints(&mut bitmap, &hints) {
            // This one's are the data codewords; its text has byte segments
            // re-encoded with a guessed charset, so it is the last resort.
            return Some(
                ec_level(&r)
                    .and_then(|ec| payload_from_codewords(r.getRawBytes(), ec))
                    .unwrap_or_else(|| r.getText().as_bytes().to_vec()),
            );
        }
    }
    None
}

fn ec_level(r: &rxing::RXingResult) -> Option<panicqr_qr::EcLevel> {
    use panicqr_qr::EcLevel;
    use rxing::qrcode::common::ErrorCorrectionLevel as Level;
    let Some(rxing::RXingResultMetadataValue::ErrorCorrectionLevel(l)) = r
        .getRXingResultMetadata()
        .get(&rxing::RXingResultMetadataType::ERROR_CORRECTION_LEVEL)
    else {
        return None;
    };
    // A letter from one reader, the format bits as a number from the other.
    match l.parse::<Level>().ok()? {
        Level::L => Some(EcLevel::L),
        Level::M => Some(EcLevel::M),
        Level::Q => Some(EcLevel::Q),
        Level::H => Some(EcLevel::H),
        Level::Invalid => None,
    }
}

/// Reads bits most significant first.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn left(&self) -> usize {
        self.data.len() * 8 - self.pos
    }

    fn take(&mut self, n: usize) -> Option<u32> {
        if n > self.left() {
            return None;
        }
        let mut v = 0;
        for _ in 0..n {
            let bit = (self.data.get(self.pos / 8)? >> (7 - self.pos % 8)) & 1;
            v = (v << 1) | u32::from(bit);
            self.pos += 1;
        }
        Some(v)
    }
}

/// The payload of a QR code from its data codewords (ISO/IEC 18004 §7.4):
/// the bytes of each segment as encoded, ECI designators skipped, kanji as
/// Shift JIS and hanzi as GB 2312. `None` when the stream is malformed.
fn payload_from_codewords(data: &[u8], ec: panicqr_qr::EcLevel) -> Option<Vec<u8>> {
    // The codeword count of each version differs at a given level.
    let version = (1..=40u8)
        .filter_map(panicqr_qr::Version::new)
        .find(|v| v.data_codewords(ec) == data.len())?
        .number();
    let class = match version {
        1..=9 => 0,
        10..=26 => 1,
        _ => 2,
    };
    let count_bits = |[small, medium, large]: [usize; 3]| match class {
        0 => small,
        1 => medium,
        _ => large,
    };
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut b = Bits { data, pos: 0 };
    let mut out = Vec::new();
    while b.left() >= 4 {
        match b.take(4)? {
            0 => break,
            1 => {
                let mut n = b.take(count_bits([10, 12, 14]))?;
                while n > 0 {
                    let (width, digits) = match n {
                        1 => (4, 1),
                        2 => (7, 2),
                        _ => (10, 3),
                    };
                    let v = b.take(width)?;
                    let text = format!("{v:0digits$}");
                    if text.len() != digits {
                        return None;
                    }
                    out.extend_from_slice(text.as_bytes());
                    n -= digits as u32;
                }
            }
            2 => {
                let mut n = b.take(count_bits([9, 11, 13]))?;
                while n >= 2 {
                    let v = b.take(11)? as usize;
                    out.push(*ALNUM.get(v / 45)?);
                    out.push(*ALNUM.get(v % 45)?);
                    n -= 2;
                }
                if n == 1 {
                    out.push(*ALNUM.get(b.take(6)? as usize)?);
                }
            }
            4 => {
                let n = b.take(count_bits([8, 16, 16]))?;
                for _ in 0..n {
                    out.push(b.take(8)? as u8);
                }
            }
            mode @ (8 | 13) => {
                let hanzi = mode == 13;
                if hanzi {
                    // The subset (GB 2312 is the only one defined).
                    b.take(4)?;
                }
                let n = b.take(count_bits([8, 10, 12]))?;
                for _ in 0..n {
                    let v = b.take(13)?;
                    let w = if hanzi {
                        let w = ((v / 0x60) << 8) | (v % 0x60);
                        w + if w < 0x0a00 { 0xa1a1 } else { 0xa6a1 }
                    } else {
                        let w = ((v / 0xc0) << 8) | (v % 0xc0);
                        w + if w < 0x1f00 { 0x8140 } else { 0xc140 }
                    };
                    out.extend_from_slice(&[(w >> 8) as u8, w as u8]);
                }
            }
            7 => {
                // ECI: 1, 2 or 3 bytes, told by the leading bits.
                let first = b.take(8)?;
                let more = if first & 0x80 == 0 {
                    0
                } else if first & 0xc0 == 0x80 {
                    8
                } else {
                    16
                };
                b.take(more)?;
            }
            3 => {
                b.take(16)?;
            }
            5 => {}
            9 => {
                b.take(8)?;
            }
            _ => return None,
        }
    }
    Some(out)
}

fn read_rqrr(g: &GrayImage) -> Option<Vec<u8>> {
    quietly(|| {
        let mut prepared = rqrr::PreparedImage::prepare(g.clone());
        for grid in prepared.detect_grids() {
            let mut out = Vec::new();
            if grid.decode_to(&mut out).is_ok() {
                return Some(out);
            }
        }
        None
    })
    .flatten()
}

/// Scaled down (never up) so the long side is at most `side`.
fn fit_within(g: &GrayImage, side: u32) -> GrayImage {
    let long = g.width().max(g.height());
    if long <= side {
        return g.clone();
    }
    if u64::from(g.width()) * u64::from(g.height()) > 16_000_000 && long <= 2 * side {
        // A large image shrunk by less than half: the integer box average
        // straight to the size, as the filtered resize would need a float
        // copy of the whole image.
        let f = side as f32 / long as f32;
        let w = ((g.width() as f32 * f).round() as u32).max(1);
        let h = ((g.height() as f32 * f).round() as u32).max(1);
        return image::imageops::thumbnail(g, w, h);
    }
    if long > 2 * side {
        // The filtered resize keeps a float RGBA copy of the full width (16
        // bytes a pixel: 180 MB for a 50-megapixel photo); an integer box
        // average to twice the size first costs nothing of the kind and
        // loses nothing the final resize would keep.
        let f = 2.0 * side as f32 / long as f32;
        let w = ((g.width() as f32 * f).round() as u32).max(1);
        let h = ((g.height() as f32 * f).round() as u32).max(1);
        let half = image::imageops::thumbnail(g, w, h);
        return scale(&half, side as f32 / w.max(h) as f32);
    }
    scale(g, side as f32 / long as f32)
}

/// The grey value at (x, y), the nearest edge pixel outside the image.
fn clamped(g: &GrayImage, x: i64, y: i64) -> u32 {
    let (w, h) = g.dimensions();
    let x = x.clamp(0, i64::from(w) - 1) as u32;
    let y = y.clamp(0, i64::from(h) - 1) as u32;
    u32::from(g.get_pixel(x, y).0[0])
}

/// Half the size, through a tent filter: weights 1, 3, 3, 1 along each
/// axis, as the filtered resize (triangle) gives at this ratio, which keeps
/// thin modules better than the mean of four, in integers and a fraction of
/// its time.
fn half(g: &GrayImage) -> GrayImage {
    let (w, h) = g.dimensions();
    let at = |x: i64, y: i64| clamped(g, x, y);
    const TAPS: [(i64, u32); 4] = [(-1, 1), (0, 3), (1, 3), (2, 1)];
    GrayImage::from_fn((w / 2).max(1), (h / 2).max(1), |x, y| {
        let (x0, y0) = (2 * i64::from(x), 2 * i64::from(y));
        let v: u32 = TAPS
            .iter()
            .map(|&(dy, wy)| {
                wy * TAPS
                    .iter()
                    .map(|&(dx, wx)| wx * at(x0 + dx, y0 + dy))
                    .sum::<u32>()
            })
            .sum();
        image::Luma([((v + 32) / 64) as u8])
    })
}

/// Twice the size, bilinear: each new pixel weighs the nearest old one 3/4
/// and the next 1/4 along each axis, in integers (a filtered resize of a
/// large photo takes seconds).
fn double(g: &GrayImage) -> GrayImage {
    let (w, h) = g.dimensions();
    let at = |x: i64, y: i64| clamped(g, x, y);
    GrayImage::from_fn(2 * w, 2 * h, |x, y| {
        // Output pixel centre (x + 0.5) / 2 - 0.5 in input pixels: the
        // nearest input pixel, and the neighbour on the side it leans to.
        let (x0, y0) = (i64::from(x / 2), i64::from(y / 2));
        let (nx, ny) = (
            if x % 2 == 0 { x0 - 1 } else { x0 + 1 },
            if y % 2 == 0 { y0 - 1 } else { y0 + 1 },
        );
        let v = 9 * at(x0, y0) + 3 * at(nx, y0) + 3 * at(x0, ny) + at(nx, ny);
        image::Luma([((v + 8) / 16) as u8])
    })
}

fn scale(g: &GrayImage, f: f32) -> GrayImage {
    let w = ((g.width() as f32 * f).round() as u32).max(1);
    let h = ((g.height() as f32 * f).round() as u32).max(1);
    // Area-averaging when shrinking keeps thin modules; bilinear when growing.
    let filter = if f < 1.0 {
        FilterType::Triangle
    } else {
        FilterType::CatmullRom
    };
    image::imageops::resize(g, w, h, filter)
}

/// Maps the 1st–99th percentile of brightness onto the full range, which
/// rescues low-contrast photos (a grey screen under room light).
fn stretch(g: &GrayImage) -> GrayImage {
    let mut hist = [0u64; 256];
    for p in g.pixels() {
        let [luma] = p.0;
        if let Some(h) = hist.get_mut(usize::from(luma)) {
            *h += 1;
        }
    }
    let total: u64 = hist.iter().sum();
    let cut = total / 100;
    let mut acc = 0;
    let lo = hist
        .iter()
        .position(|&c| {
            acc += c;
            acc > cut
        })
        .unwrap_or(0);
    acc = 0;
    let hi = 255
        - hist
            .iter()
            .rev()
            .position(|&c| {
                acc += c;
                acc > cut
            })
            .unwrap_or(0);
    if hi <= lo + 8 {
        return g.clone();
    }
    let (lo, range) = (lo as f32, (hi - lo) as f32);
    GrayImage::from_fn(g.width(), g.height(), |x, y| {
        let v = (f32::from(g.get_pixel(x, y).0[0]) - lo) * 255.0 / range;
        image::Luma([v.clamp(0.0, 255.0) as u8])
    })
}

/// Unsharp mask: restores edges softened by focus blur.
fn sharpen(g: &GrayImage) -> GrayImage {
    unsharp(g, 1.5, 1.5)
}

fn unsharp(g: &GrayImage, sigma: f32, amount: f32) -> GrayImage {
    let blurred = image::imageops::blur(g, sigma);
    GrayImage::from_fn(g.width(), g.height(), |x, y| {
        let o = f32::from(g.get_pixel(x, y).0[0]);
        let b = f32::from(blurred.get_pixel(x, y).0[0]);
        image::Luma([(o + amount * (o - b)).clamp(0.0, 255.0) as u8])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use panicqr_qr::{encode, EcLevel, Options, Segment, Version};

    fn image_of(segments: &[Segment<'_>], ec: EcLevel) -> GrayImage {
        let opts = Options {
            ec_level: ec,
            ..Options::default()
        };
        let mut scratch = vec![0u8; Version::MAX.scratch_len(opts.mask)];
        let mut out = vec![0u8; Version::MAX.symbol_len()];
        let sym = encode(segments, &opts, &mut scratch, &mut out).unwrap();
        panicqr_testkit::Grid::from_fn(sym.width(), |x, y| sym.is_dark(x, y)).to_image(4, 4)
    }

    #[test]
    fn both_rxing_readers_give_the_payload_bytes_exactly() {
        let binary: Vec<u8> = (0x80..=0xffu8).collect();
        let digits = b"12345678901234567890123";
        let cases: Vec<(Vec<Segment<'_>>, Vec<u8>)> = vec![
            (vec![Segment::Bytes(&binary)], binary.clone()),
            (
                vec![
                    Segment::Bytes(b"https://x/#?a=\xc3\xa9&z="),
                    Segment::Numeric(digits),
                ],
                [&b"https://x/#?a=\xc3\xa9&z="[..], digits].concat(),
            ),
            (
                vec![
                    Segment::Alphanumeric(b"HELLO WORLD $%*+-./:"),
                    Segment::Numeric(b"7"),
                ],
                b"HELLO WORLD $%*+-./:7".to_vec(),
            ),
        ];
        // The older reader misses some clean symbols (it is the fallback);
        // what it reads must be exact, and it must read the most.
        let mut old_reads = 0;
        for ec in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
            for (segments, want) in &cases {
                let img = image_of(segments, ec);
                assert_eq!(
                    read_rxing_with(&img, true).as_ref(),
                    Some(want),
                    "cpp {ec:?}"
                );
                if let Some(got) = read_rxing_with(&img, false) {
                    assert_eq!(&got, want, "old {ec:?}");
                    old_reads += 1;
                }
                assert_eq!(read_rqrr(&img).as_ref(), Some(want), "rqrr {ec:?}");
                let all = multi::read_all_rxing(&img);
                assert_eq!(all.len(), 1, "multi {ec:?}");
                assert_eq!(&all[0].0, want, "multi {ec:?}");
            }
        }
        assert!(old_reads >= 8, "{old_reads} of 12");
        // A long payload: version 10 and up count bits.
        let long = vec![0xa5u8; 1000];
        let img = image_of(&[Segment::Bytes(&long)], EcLevel::L);
        assert_eq!(read_rxing_with(&img, false), Some(long));
    }
}
