//! Helpers shared by panicqr's tests and benchmarks: the test data, images of
//! symbols, and decoders we did not write (`rqrr`, `zbarimg`) to check them.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

pub mod adversarial;
#[cfg(feature = "photos")]
pub mod photos;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's `testdata/` directory.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// The corpus of real crash logs, in file-name order.
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(testdata().join("corpus"))
        .expect("testdata/corpus")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

/// A tiny deterministic PRNG (xorshift64*), so tests need no extra crate and
/// every failure reproduces from its seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a nonzero seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// A symbol as a grid of modules, `true` = dark, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    /// Modules per side.
    pub width: usize,
    /// `width * width` modules.
    pub dark: Vec<bool>,
}

impl Grid {
    /// Builds a grid from a module predicate.
    pub fn from_fn(width: usize, f: impl Fn(usize, usize) -> bool) -> Grid {
        let dark = (0..width * width)
            .map(|i| f(i % width, i / width))
            .collect();
        Grid { width, dark }
    }

    /// Module (x, y).
    pub fn get(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// An 8-bit grey image with a `quiet`-module light border, `scale` px per module.
    pub fn to_image(&self, scale: u32, quiet: u32) -> image::GrayImage {
        let side = (self.width as u32 + 2 * quiet) * scale;
        image::GrayImage::from_fn(side, side, |px, py| {
            let (mx, my) = (px / scale, py / scale);
            let inside = mx >= quiet
                && my >= quiet
                && mx < quiet + self.width as u32
                && my < quiet + self.width as u32;
            let dark = inside && self.get((mx - quiet) as usize, (my - quiet) as usize);
            image::Luma([if dark { 0 } else { 255 }])
        })
    }
}

/// Decodes every QR code `rqrr` finds in the image; returns their payload bytes.
pub fn decode_rqrr(img: &image::GrayImage) -> Vec<Vec<u8>> {
    let mut prepared = rqrr::PreparedImage::prepare(img.clone());
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| {
            let mut out = Vec::new();
            g.decode_to(&mut out).ok()?;
            Some(out)
        })
        .collect()
}

/// Whether `zbarimg` (Debian's zbar-tools) is on the PATH.
pub fn have_zbarimg() -> bool {
    Command::new("zbarimg")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Decodes a PNG file with `zbarimg`, returning the raw payload bytes of the
/// first symbol, or `None` if it found none.
pub fn decode_zbarimg(png: &Path) -> Option<Vec<u8>> {
    let out = Command::new("zbarimg")
        .args([
            "--quiet",
            "--raw",
            "-Sbinary",
            "-Sdisable",
            "-Sqrcode.enable",
        ])
        .arg(png)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    // With -Sbinary zbarimg prints the payload bytes exactly, no newline added.
    Some(out.stdout)
}

/// Decodes every QR code in a PNG file with `zbarimg`, as text (one per
/// line: for codes whose payload is ASCII, such as report URLs).
pub fn decode_zbarimg_all(png: &Path) -> Vec<Vec<u8>> {
    let Ok(out) = Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(png)
        .output()
    else {
        return Vec::new();
    };
    out.stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Fails the test with the install hint when `zbarimg` is missing, so a
/// machine without it cannot silently skip the independent check.
pub fn require_zbarimg() {
    assert!(
        have_zbarimg(),
        "zbarimg not found: install Debian's zbar-tools (apt-get install zbar-tools); .ci/run does"
    );
}

/// The `z=` digits of `data`, written the obvious way (each group of 7
/// little-endian bytes as a zero-padded decimal number): the reference the
/// streaming encoders are checked against.
pub fn z_digits(data: &[u8]) -> String {
    const W: [usize; 8] = [0, 3, 5, 8, 10, 13, 15, 17];
    data.chunks(7)
        .map(|g| {
            let v = g.iter().rev().fold(0u64, |a, &b| (a << 8) | u64::from(b));
            format!("{:0w$}", v, w = W[g.len()])
        })
        .collect()
}
