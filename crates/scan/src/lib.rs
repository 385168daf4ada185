//! Finds and reads the QR code in a photo or screenshot of a crashed screen.
//!
//! Photos of screens are large, blurred, noisy, rotated, seen at an angle,
//! low in contrast and JPEG-compressed. The image is turned grey, scaled so
//! its long side is at most [`WORK_SIDE`] pixels, and tried in a few forms,
//! cheapest first: as is, contrast-stretched, smaller, larger; each with
//! `rxing` (a port of ZXing, which reads degraded symbols best in our
//! measurements) and then `rqrr`. The first form that yields a symbol wins.
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

use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::path::Path;

use image::imageops::FilterType;
use image::{DynamicImage, GrayImage, ImageReader, Limits};

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
    let grey = img.to_luma8();
    let base = fit_within(&grey, WORK_SIDE);
    let attempts: [(&'static str, &Transform); 5] = [
        ("as is", &|g| g.clone()),
        ("contrast stretched", &stretch),
        ("half size", &|g| scale(&stretch(g), 0.5)),
        ("double size", &|g| scale(&stretch(g), 2.0)),
        ("sharpened", &|g| sharpen(&stretch(g))),
    ];
    for (name, make) in attempts {
        let g = make(&base);
        if let Some((text, decoder)) = read(&g, decoders) {
            return Ok(Found {
                text,
                decoder,
                attempt: name,
            });
        }
    }
    Err(ScanError::NoQrCode)
}

/// The long side, in pixels, that [`scan_all`] works at: a screen of many
/// small codes (a 4K screen of 3-pixel modules) must not be scaled down.
pub const MULTI_SIDE: u32 = 4096;

/// Reads every QR code in `img` (a photo of a screen with several codes),
/// trying the forms [`scan`] tries until `enough` says the codes found so
/// far suffice (for example, every part of a report); each code once.
///
/// # Errors
/// [`ScanError::Empty`], or [`ScanError::NoQrCode`] when no code is read.
pub fn scan_all(
    img: &DynamicImage,
    enough: impl Fn(&[Found]) -> bool,
) -> Result<Vec<Found>, ScanError> {
    if img.width() == 0 || img.height() == 0 {
        return Err(ScanError::Empty);
    }
    let base = fit_within(&img.to_luma8(), MULTI_SIDE);
    let attempts: [(&'static str, &Transform); 5] = [
        ("as is", &|g| g.clone()),
        ("contrast stretched", &stretch),
        ("half size", &|g| scale(&stretch(g), 0.5)),
        ("sharpened", &|g| sharpen(&stretch(g))),
        ("work size", &|g| fit_within(&stretch(g), WORK_SIDE)),
    ];
    let mut found: Vec<Found> = Vec::new();
    for (name, make) in attempts {
        let g = make(&base);
        let mut texts: Vec<(Vec<u8>, &'static str)> =
            read_all_rqrr(&g).into_iter().map(|t| (t, "rqrr")).collect();
        if texts.is_empty() {
            // rqrr finds several codes at once; rxing reads harder photos,
            // one code at a time.
            texts.extend(read_rxing(&g).map(|t| (t, "rxing")));
        }
        for (text, decoder) in texts {
            if !found.iter().any(|f| f.text == text) {
                found.push(Found {
                    text,
                    decoder,
                    attempt: name,
                });
            }
        }
        if !found.is_empty() && enough(&found) {
            break;
        }
    }
    // Codes side by side share their quiet zones, which can hide some from
    // a whole-image search: overlapping tiles (each half again as large as
    // its step), finer and finer, each read on its own.
    // Only when some codes were read but not all: a photo with no code at
    // all is not searched tile by tile (that would cost seconds for nothing).
    let g = stretch(&base);
    for n in 2..=5u32 {
        if found.is_empty() || enough(&found) {
            break;
        }
        let (w, h) = g.dimensions();
        let (tw, th) = (2 * w / (n + 1), 2 * h / (n + 1));
        for ty in 0..n {
            for tx in 0..n {
                let tile =
                    image::imageops::crop_imm(&g, tx * w / (n + 1), ty * h / (n + 1), tw, th)
                        .to_image();
                let mut texts: Vec<(Vec<u8>, &'static str)> = read_all_rqrr(&tile)
                    .into_iter()
                    .map(|t| (t, "rqrr"))
                    .collect();
                texts.extend(read_rxing(&tile).map(|t| (t, "rxing")));
                for (text, decoder) in texts {
                    if !found.iter().any(|f| f.text == text) {
                        found.push(Found {
                            text,
                            decoder,
                            attempt: "tiles",
                        });
                    }
                }
            }
        }
    }
    if found.is_empty() {
        Err(ScanError::NoQrCode)
    } else {
        Ok(found)
    }
}

/// Every code rqrr reads in `g`.
fn read_all_rqrr(g: &GrayImage) -> Vec<Vec<u8>> {
    quietly(|| {
        let mut prepared = rqrr::PreparedImage::prepare(g.clone());
        prepared
            .detect_grids()
            .into_iter()
            .filter_map(|grid| {
                let mut out = Vec::new();
                grid.decode_to(&mut out).ok().map(|_| out)
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Runs rqrr, which asserts on some degenerate geometry (a perspective that
/// maps a module outside `i32`, seen on photos of screens of many codes):
/// such an image is one rqrr cannot read, not a reason to end the program.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// One way of preparing the image for the decoders.
type Transform = dyn Fn(&GrayImage) -> GrayImage;

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
    let hints = rxing::DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(HashSet::from([rxing::BarcodeFormat::QR_CODE])),
        ..Default::default()
    };
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
    let blurred = image::imageops::blur(g, 1.5);
    GrayImage::from_fn(g.width(), g.height(), |x, y| {
        let o = f32::from(g.get_pixel(x, y).0[0]);
        let b = f32::from(blurred.get_pixel(x, y).0[0]);
        image::Luma([(o + 1.5 * (o - b)).clamp(0.0, 255.0) as u8])
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
            }
        }
        assert!(old_reads >= 8, "{old_reads} of 12");
        // A long payload: version 10 and up count bits.
        let long = vec![0xa5u8; 1000];
        let img = image_of(&[Segment::Bytes(&long)], EcLevel::L);
        assert_eq!(read_rxing_with(&img, false), Some(long));
    }
}
