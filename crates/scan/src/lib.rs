//! Finds and reads the QR code in a photo or screenshot of a crashed screen.
//!
//! Photos of screens are large, blurred, noisy, rotated, seen at an angle,
//! low in contrast and JPEG-compressed. The image is turned grey, scaled so
//! its long side is at most [`WORK_SIDE`] pixels, and tried in a few forms,
//! cheapest first: as is, contrast-stretched, smaller, larger; each with
//! `rxing` (a port of ZXing, which reads degraded symbols best in our
//! measurements) and then `rqrr`. The first form that yields a symbol wins.
//!
//! # Examples
//! ```no_run
//! let img = image::open("photo.jpg")?;
//! let found = panicqr_scan::scan(&img)?;
//! println!("{}", String::from_utf8_lossy(&found.text));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use image::imageops::FilterType;
use image::{DynamicImage, GrayImage};

/// Long side, in pixels, that photos are scaled down to before reading.
pub const WORK_SIDE: u32 = 1600;

/// What was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The QR code's payload.
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
    let (w, h) = g.dimensions();
    let mut hints = rxing::DecodeHints {
        TryHarder: Some(true),
        AlsoInverted: Some(true),
        ..Default::default()
    };
    if let Ok(r) = rxing::helpers::detect_in_luma_with_hints(
        g.as_raw().clone(),
        w,
        h,
        Some(rxing::BarcodeFormat::QR_CODE),
        &mut hints,
    ) {
        return Some(r.getText().as_bytes().to_vec());
    }
    None
}

fn read_rqrr(g: &GrayImage) -> Option<Vec<u8>> {
    let mut prepared = rqrr::PreparedImage::prepare(g.clone());
    for grid in prepared.detect_grids() {
        let mut out = Vec::new();
        if grid.decode_to(&mut out).is_ok() {
            return Some(out);
        }
    }
    None
}

/// Scaled down (never up) so the long side is at most `side`.
fn fit_within(g: &GrayImage, side: u32) -> GrayImage {
    let long = g.width().max(g.height());
    if long <= side {
        return g.clone();
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
        hist[usize::from(p.0[0])] += 1;
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
