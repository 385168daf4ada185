//! Realistic test photos of a crashed screen: a rendered panic screen with a
//! version 10, 25 or 40 report QR code at 3, 4 or 6 px per module, then what
//! a phone camera does to it — blur, noise, downscaling, rotation,
//! perspective, low contrast, JPEG compression, and combinations — in three
//! classes of severity. Also whole screens ([`screen_shot`]): the classic
//! one-code screen or the multi-code one, as a person photographs them, for
//! the same camera. Deterministic (seeded), so failures reproduce.

use image::{GrayImage, Luma};
use panicqr_qr::Version;
use panicqr_report::build;
use panicqr_screen::{draw_symbol, font::draw_text, Canvas, Rgb, Style};

use crate::Rng;

/// How hard a photo is to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// A steady, well-lit photo.
    Mild,
    /// A quick photo: some blur, tilt, noise, compression.
    Medium,
    /// A bad photo: strong blur, steep angle, dim, heavy compression.
    Hard,
}

impl Class {
    /// All classes.
    pub const ALL: [Class; 3] = [Class::Mild, Class::Medium, Class::Hard];
}

/// One degradation step.
#[derive(Clone, Copy, Debug)]
pub enum Step {
    /// Gaussian blur of this sigma (pixels).
    Blur(f32),
    /// Gaussian noise of this sigma (grey levels).
    Noise(f32),
    /// Resize by this factor.
    Scale(f32),
    /// Rotate by this many degrees.
    Rotate(f32),
    /// Move the corners inwards by up to this fraction of the size (a camera at an angle).
    Perspective(f32),
    /// Squeeze the grey range to this fraction around a dim middle.
    Contrast(f32),
    /// JPEG at this quality.
    Jpeg(u8),
}

/// A generated photo and what it must decode to.
pub struct Photo {
    /// A name saying how it was made.
    pub name: String,
    /// Its class.
    pub class: Class,
    /// The image.
    pub image: GrayImage,
    /// The log the report in it carries (the newest lines kept).
    pub log: Vec<u8>,
}

/// The degradations of each class: each alone, then combined.
pub fn steps(class: Class) -> Vec<Vec<Step>> {
    use Step::*;
    let single = match class {
        Class::Mild => vec![
            Blur(0.7),
            Noise(6.0),
            Scale(0.8),
            Rotate(3.0),
            Perspective(0.03),
            Contrast(0.6),
            Jpeg(85),
        ],
        Class::Medium => vec![
            Blur(1.2),
            Noise(14.0),
            Scale(0.6),
            Rotate(12.0),
            Perspective(0.08),
            Contrast(0.35),
            Jpeg(55),
        ],
        Class::Hard => vec![
            Blur(2.2),
            Noise(30.0),
            Scale(0.4),
            Rotate(35.0),
            Perspective(0.16),
            Contrast(0.15),
            Jpeg(25),
        ],
    };
    let mut all: Vec<Vec<Step>> = single.iter().map(|s| vec![*s]).collect();
    // A combination: what a quick phone photo really is.
    all.push(match class {
        Class::Mild => vec![Rotate(2.0), Blur(0.6), Noise(4.0), Jpeg(85)],
        Class::Medium => vec![
            Perspective(0.05),
            Rotate(6.0),
            Blur(0.9),
            Contrast(0.5),
            Noise(8.0),
            Jpeg(65),
        ],
        Class::Hard => vec![
            Perspective(0.12),
            Rotate(20.0),
            Blur(1.6),
            Contrast(0.25),
            Noise(18.0),
            Jpeg(35),
        ],
    });
    all
}

/// The whole set for `log`: versions 10, 25, 40 × 3, 4, 6 px × the class's
/// degradations, for each class asked for.
pub fn photo_set(log: &[u8], classes: &[Class]) -> Vec<Photo> {
    let mut out = Vec::new();
    let mut seed = 1;
    for &class in classes {
        for v in [10u8, 25, 40] {
            for px in [3usize, 4, 6] {
                let (screen, kept) = screen(log, v, px);
                for steps in steps(class) {
                    seed += 1;
                    let name = format!("{class:?} v{v} {px}px {steps:?}");
                    let image = degrade(&screen, &steps, seed);
                    out.push(Photo {
                        name,
                        class,
                        image,
                        log: kept.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Which panic screen a [`ScreenShot`] shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// The classic screen: one code, as large a version as fits (up to 40).
    OneCode,
    /// The report over several codes (`panicqr_screen::draw_parts_screen`'s
    /// default grid).
    Parts,
}

/// A whole panic screen as a person photographs it, before the camera's
/// degradations.
pub struct ScreenShot {
    /// The screen, framed with some room around it (an eighth of its size
    /// on each side), so a tilt does not cut off the codes in its corners.
    pub image: GrayImage,
    /// The log the screen's codes carry together (the newest bytes).
    pub log: Vec<u8>,
    /// Codes on the screen.
    pub codes: usize,
    /// The largest version among them (0 when none fits).
    pub version: u8,
    /// Pixels per module.
    pub module_px: usize,
}

/// The `w × h` panic screen of kind `screen` for `log`, framed.
///
/// # Examples
/// ```
/// use panicqr_testkit::photos::{screen_shot, Screen};
/// let log: Vec<u8> = (0..3000)
///     .flat_map(|i| format!("[{i:5}.000000] line {i}: {}\n", i * 7919 % 10007).into_bytes())
///     .collect();
/// let shot = screen_shot(&log, (1366, 768), Screen::Parts);
/// assert!(shot.codes > 1 && log.ends_with(&shot.log));
/// ```
pub fn screen_shot(log: &[u8], (w, h): (usize, usize), screen: Screen) -> ScreenShot {
    use panicqr_screen::{
        draw_parts_screen, draw_qr_screen, Message, PartsOptions, Report, PARTS_WORKSPACE_LEN,
        WORKSPACE_LEN,
    };
    let mut c = GreyCanvas(GrayImage::new(w as u32, h as u32));
    let msg = Message {
        title: b"KERNEL PANIC!",
        reason: b"Kernel panic - not syncing: Fatal exception",
    };
    let report = Report {
        log,
        base_url: b"https://kernel-team.pages.debian.net/panic_report/#",
        arch: b"x86_64",
        release: b"6.19.11+kali-amd64",
    };
    let (codes, log_bytes, version, module_px) = match screen {
        Screen::Parts => {
            let mut ws = vec![0u8; PARTS_WORKSPACE_LEN];
            let drawn = draw_parts_screen(
                &mut c,
                &msg,
                &report,
                Style::default(),
                &PartsOptions::default(),
                &mut ws,
            );
            let (v, px) = drawn
                .grid
                .map_or((0, 0), |g| (g.version.number(), g.module_px));
            (drawn.count, drawn.log_bytes, v, px)
        }
        Screen::OneCode => {
            let mut ws = vec![0u8; WORKSPACE_LEN];
            let drawn = draw_qr_screen(&mut c, &msg, &report, Style::default(), &mut ws);
            drawn.qr.map_or((0, 0, 0, 0), |q| {
                (1, q.log_bytes, q.version.number(), q.module_px)
            })
        }
    };
    let (bw, bh) = (w / 8, h / 8);
    let mut framed = GrayImage::new((w + 2 * bw) as u32, (h + 2 * bh) as u32);
    image::imageops::replace(&mut framed, &c.0, bw as i64, bh as i64);
    ScreenShot {
        image: framed,
        log: log[log.len() - log_bytes..].to_vec(),
        codes,
        version,
        module_px,
    }
}

/// Photos of a whole multi-code panic screen (`w × h`, the default grid of
/// several codes), degraded as [`photo_set`]'s; `log` of each is what the
/// parts carry together (the newest bytes).
pub fn parts_photo_set(log: &[u8], size: (usize, usize), classes: &[Class]) -> Vec<Photo> {
    screen_photo_set(log, size, Screen::Parts, classes)
}

/// Photos of a whole panic screen of kind `screen`, degraded as
/// [`photo_set`]'s. The seeds depend only on the order of the degradations,
/// so both kinds of screen get the very same camera.
pub fn screen_photo_set(
    log: &[u8],
    (w, h): (usize, usize),
    screen: Screen,
    classes: &[Class],
) -> Vec<Photo> {
    let shot = screen_shot(log, (w, h), screen);
    let mut out = Vec::new();
    let mut seed = 1000;
    for &class in classes {
        for steps in steps(class) {
            seed += 1;
            out.push(Photo {
                name: format!("{class:?} {w}x{h} {} codes {steps:?}", shot.codes),
                class,
                image: degrade(&shot.image, &steps, seed),
                log: shot.log.clone(),
            });
        }
    }
    out
}

/// A grey image as a canvas for the screen crate's drawing.
struct GreyCanvas(GrayImage);

impl Canvas for GreyCanvas {
    fn size(&self) -> (usize, usize) {
        (self.0.width() as usize, self.0.height() as usize)
    }
    fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, color: Rgb) {
        let (cw, ch) = self.size();
        for yy in y..(y + h).min(ch) {
            for xx in x..(x + w).min(cw) {
                self.0.put_pixel(xx as u32, yy as u32, Luma([color.luma()]));
            }
        }
    }
}

/// A panic screen with a report QR code of version `v` at `px` pixels per module.
fn screen(log: &[u8], v: u8, px: usize) -> (GrayImage, Vec<u8>) {
    let version = Version::new(v).unwrap_or(Version::MAX);
    let mut ws = vec![0u8; build::workspace_len(Version::MAX)];
    let mut sym_buf = vec![0u8; Version::MAX.symbol_len()];
    let target = build::Target {
        max_version: version,
        ..build::Target::new(
            b"https://kernel-team.pages.debian.net/panic_report/#",
            b"x86_64",
            b"6.19.11+kali-amd64",
        )
    };
    let built = build::build(log, &target, &mut ws, &mut sym_buf)
        .unwrap_or_else(|e| panic!("building the report: {e}"));
    let kept = log[built.fitted.start..].to_vec();
    let side = (built.symbol.width() + 8) * px;
    // The photo is framed on the code, as a person aims a phone: a quarter of
    // its size of screen around it, so tilting keeps it in the picture.
    let (w, h) = (side * 3 / 2, side * 3 / 2 + 80);
    let mut c = GreyCanvas(GrayImage::new(w as u32, h as u32));
    c.fill_rect(0, 0, w, h, Rgb::BLACK);
    draw_text(&mut c, 20, 20, b"KERNEL PANIC!", 2, 40, Rgb::WHITE);
    draw_text(
        &mut c,
        20,
        50,
        b"Kernel panic - not syncing: Fatal exception",
        1,
        60,
        Rgb::WHITE,
    );
    draw_symbol(
        &mut c,
        &built.symbol,
        (w - side) / 2,
        80 + (h - 80 - side) / 2,
        px,
        Style::default(),
    );
    (c.0, kept)
}

/// Applies the steps in order.
pub fn degrade(img: &GrayImage, steps: &[Step], seed: u64) -> GrayImage {
    let mut rng = Rng::new(seed);
    let mut g = img.clone();
    for s in steps {
        g = match *s {
            Step::Blur(sigma) => image::imageops::blur(&g, sigma),
            Step::Noise(sigma) => noise(&g, sigma, &mut rng),
            Step::Scale(f) => {
                let (w, h) = (
                    ((g.width() as f32) * f) as u32,
                    ((g.height() as f32) * f) as u32,
                );
                image::imageops::resize(
                    &g,
                    w.max(1),
                    h.max(1),
                    image::imageops::FilterType::Triangle,
                )
            }
            Step::Rotate(deg) => rotate(&g, deg),
            Step::Perspective(k) => perspective(&g, k, &mut rng),
            Step::Contrast(c) => GrayImage::from_fn(g.width(), g.height(), |x, y| {
                let v = f32::from(g.get_pixel(x, y).0[0]);
                Luma([(90.0 + (v - 128.0) * c).clamp(0.0, 255.0) as u8])
            }),
            Step::Jpeg(q) => {
                let mut buf = Vec::new();
                let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, q);
                image::DynamicImage::ImageLuma8(g.clone())
                    .write_with_encoder(enc)
                    .unwrap_or(());
                image::load_from_memory(&buf)
                    .map(|i| i.to_luma8())
                    .unwrap_or(g)
            }
        };
    }
    g
}

fn noise(g: &GrayImage, sigma: f32, rng: &mut Rng) -> GrayImage {
    GrayImage::from_fn(g.width(), g.height(), |x, y| {
        // Box–Muller from two uniforms.
        let u1 = ((rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64).max(1e-12);
        let u2 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let n = ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32 * sigma;
        Luma([(f32::from(g.get_pixel(x, y).0[0]) + n).clamp(0.0, 255.0) as u8])
    })
}

fn sample(g: &GrayImage, x: f32, y: f32, background: f32) -> f32 {
    let (w, h) = (g.width() as i64, g.height() as i64);
    let (x0, y0) = (x.floor() as i64, y.floor() as i64);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let at = |xx: i64, yy: i64| -> f32 {
        if xx < 0 || yy < 0 || xx >= w || yy >= h {
            background
        } else {
            f32::from(g.get_pixel(xx as u32, yy as u32).0[0])
        }
    };
    let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
    let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
    top * (1.0 - fy) + bottom * fy
}

fn rotate(g: &GrayImage, deg: f32) -> GrayImage {
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (g.width() as f32 / 2.0, g.height() as f32 / 2.0);
    GrayImage::from_fn(g.width(), g.height(), |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (c * dx + s * dy + cx, -s * dx + c * dy + cy);
        Luma([sample(g, sx, sy, 40.0) as u8])
    })
}

/// A projective warp: the image's corners move inwards by random amounts up
/// to `k` of the size, as when the camera is not square to the screen.
fn perspective(g: &GrayImage, k: f32, rng: &mut Rng) -> GrayImage {
    let (w, h) = (g.width() as f32, g.height() as f32);
    let mut jitter = |m: f32| (rng.below(1000) as f32 / 1000.0) * k * m;
    let dst = [
        (jitter(w), jitter(h)),
        (w - jitter(w), jitter(h)),
        (w - jitter(w), h - jitter(h)),
        (jitter(w), h - jitter(h)),
    ];
    let src = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    // Homography mapping destination pixels back to the source.
    let hm = homography(&dst, &src);
    GrayImage::from_fn(g.width(), g.height(), |x, y| {
        let (x, y) = (x as f32, y as f32);
        let d = hm[6] * x + hm[7] * y + 1.0;
        let sx = (hm[0] * x + hm[1] * y + hm[2]) / d;
        let sy = (hm[3] * x + hm[4] * y + hm[5]) / d;
        Luma([sample(g, sx, sy, 40.0) as u8])
    })
}

/// The 8 coefficients of the homography taking `from[i]` to `to[i]`.
#[expect(
    clippy::needless_range_loop,
    reason = "Gaussian elimination reads clearer with indices"
)]
fn homography(from: &[(f32, f32); 4], to: &[(f32, f32); 4]) -> [f32; 8] {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (
            (f64::from(from[i].0), f64::from(from[i].1)),
            (f64::from(to[i].0), f64::from(to[i].1)),
        );
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gaussian elimination with partial pivoting.
    for col in 0..8 {
        let pivot = (col..8)
            .max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        for row in 0..8 {
            if row != col {
                let f = a[row][col] / a[col][col];
                for k in col..9 {
                    a[row][k] -= f * a[col][k];
                }
            }
        }
    }
    let mut hm = [0f32; 8];
    for (i, h) in hm.iter_mut().enumerate() {
        *h = (a[i][8] / a[i][i]) as f32;
    }
    hm
}
