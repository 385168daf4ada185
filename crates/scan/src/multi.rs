//! [`scan_all`]: every code in a photo of a screen of several codes.

use image::GrayImage;

use super::{
    fit_within, hints, quietly, scale, stretch, unsharp, DynamicImage, Form, Found, ScanError,
    FORMS, WORK_SIDE,
};

/// The long side, in pixels, that [`scan_all`] works at: a screen of many
/// small codes (a 4K screen of 3-pixel modules) must not be scaled down.
pub const MULTI_SIDE: u32 = 4096;

/// Reads every QR code in `img` (a photo of a screen with several codes),
/// each once, until `enough` says the codes found so far suffice (for
/// example, every part of a report).
///
/// Two stages. First, rxing's multi-code reader (the port of zxing-cpp's,
/// which pairs every plausible trio of finder patterns) on each form
/// [`scan`](crate::scan) tries. Then, while codes are missing, regions where a code may
/// lie are cut out, enlarged, and read alone through the same forms: where
/// a trio of finder patterns was found but not read, then, as codes on a
/// screen form a grid, next to each code read.
///
/// # Errors
/// [`ScanError::Empty`], or [`ScanError::NoQrCode`] when no code is read.
///
/// # Examples
/// ```no_run
/// let img = panicqr_scan::open(std::path::Path::new("screen.jpg"))?;
/// // Enough once two codes are read (a screen of two).
/// for code in panicqr_scan::scan_all(&img, |found| found.len() >= 2)? {
///     println!("{}", String::from_utf8_lossy(&code.text));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn scan_all(
    img: &DynamicImage,
    enough: impl Fn(&[Found]) -> bool,
) -> Result<Vec<Found>, ScanError> {
    if img.width() == 0 || img.height() == 0 {
        return Err(ScanError::Empty);
    }
    let base = fit_within(&img.to_luma8(), MULTI_SIDE);
    let mut found = Codes::default();
    let done = |c: &Codes| !c.found.is_empty() && enough(&c.found);
    for form in FORMS {
        let Some(g) = form.make(&base, MULTI_SIDE) else {
            continue;
        };
        let back = base.width() as f32 / g.width().max(1) as f32;
        for (text, quad) in read_all_rxing(&g) {
            found.add(text, form.name(), quad.map(|(x, y)| (x * back, y * back)));
        }
        if done(&found) {
            return Ok(found.found);
        }
    }
    read_regions(&base, &mut found, done);
    if found.found.is_empty() {
        Err(ScanError::NoQrCode)
    } else {
        Ok(found.found)
    }
}

/// Four corners (x, y) in pixels, in order around the shape.
type Quad = [(f32, f32); 4];

/// The codes read so far, each once, and where each lies.
#[derive(Default)]
struct Codes {
    found: Vec<Found>,
    /// `places[i]` is where `found[i]` lies, in the working image's pixels.
    places: Vec<Quad>,
}

impl Codes {
    /// Adds a code unless it was read before.
    fn add(&mut self, text: Vec<u8>, attempt: &'static str, place: Quad) {
        if !self.found.iter().any(|f| f.text == text) {
            self.found.push(Found {
                text,
                decoder: "rxing",
                attempt,
            });
            self.places.push(place);
        }
    }

    /// Whether `p` lies on a code read.
    fn covers(&self, p: (f32, f32)) -> bool {
        self.places.iter().any(|q| inside(q, p))
    }
}

/// Most regions [`scan_all`] reads one by one: a screen's codes (16 parts
/// at most) and their neighbours, while a photo of noise costs at most a
/// second or two.
const MAX_REGIONS: usize = 32;

/// Reads the regions where a code may lie and none was read (see
/// [`scan_all`]) until `done` or [`MAX_REGIONS`] were read.
fn read_regions(base: &GrayImage, codes: &mut Codes, done: impl Fn(&Codes) -> bool) {
    let mut queue: std::collections::VecDeque<Quad> = located(base, codes).into();
    let mut tried: Vec<Quad> = Vec::new();
    let mut reads = 0;
    // How many codes were known when the grid was last extended.
    let mut extended_at = None;
    while reads < MAX_REGIONS && !done(codes) {
        let Some(region) = queue.pop_front() else {
            if extended_at == Some(codes.places.len()) {
                break;
            }
            extended_at = Some(codes.places.len());
            queue.extend(neighbours(&codes.places));
            continue;
        };
        let c = centre(&region);
        if codes.covers(c) || tried.iter().any(|q| inside(q, c)) {
            continue;
        }
        tried.push(region);
        let Some(crop) = cut_out(base, &region) else {
            continue;
        };
        reads += 1;
        for (text, quad) in read_cut_out(&crop) {
            codes.add(text, "cut out", quad);
        }
    }
}

/// The centre of `q`.
fn centre(q: &Quad) -> (f32, f32) {
    let (x, y) = q.iter().fold((0.0, 0.0), |(x, y), p| (x + p.0, y + p.1));
    (x / 4.0, y / 4.0)
}

/// A finder pattern: its centre and its width (7 modules), in pixels.
type Finder = ((f32, f32), f32);

/// rxing's trios of finder patterns in `g` (bottom left, top left, top
/// right), most plausible first.
fn finder_trios(g: &GrayImage) -> Vec<[Finder; 3]> {
    use rxing::qrcode::cpp_port::detector::{FindFinderPatterns, GenerateFinderPatternSets};
    use rxing::{common::HybridBinarizer, BinaryBitmap, Luma8LuminanceSource};
    let (w, h) = g.dimensions();
    let Ok(source) = Luma8LuminanceSource::new(g.as_raw().clone(), w, h) else {
        return Vec::new();
    };
    let bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    // rxing says its finder search can panic (on degenerate input): that is
    // a photo with nothing more to find.
    quietly(|| {
        let mut patterns = FindFinderPatterns(bitmap.get_black_matrix(), true, 0);
        GenerateFinderPatternSets(&mut patterns)
            .into_iter()
            .map(|s| [s.bl, s.tl, s.tr].map(|p| ((p.p.x, p.p.y), p.size as f32)))
            .collect()
    })
    .unwrap_or_default()
}

/// Where rxing's finder-pattern search locates codes in `base` that none
/// of `codes` accounts for, most plausible first.
fn located(base: &GrayImage, codes: &Codes) -> Vec<Quad> {
    // Blur hides finder patterns from the search, and so do modules under
    // 2 pixels: the image deblurred, and twice the size when it leaves
    // room, show them.
    let mut trios = Vec::new();
    for form in [Form::Stretched, Form::Deblurred, Form::Double] {
        if let Some(g) = form.make(base, MULTI_SIDE) {
            let back = base.width() as f32 / g.width().max(1) as f32;
            trios.extend(
                finder_trios(&g)
                    .into_iter()
                    .map(|t| t.map(|((x, y), size)| ((x * back, y * back), size * back))),
            );
        }
    }
    let mut out = Vec::new();
    // The finder patterns of the regions taken.
    let mut used: Vec<Finder> = Vec::new();
    for trio in trios {
        // A trio with a pattern of a code read is that code, or several
        // codes taken for one; one sharing a pattern with a region already
        // taken is a less plausible reading of the same patterns (or the
        // same seen in another form).
        let same = |&((ax, ay), size): &Finder, (bx, by): (f32, f32)| {
            (ax - bx).powi(2) + (ay - by).powi(2) < (size / 2.0).powi(2)
        };
        if trio
            .iter()
            .any(|&(c, _)| codes.covers(c) || used.iter().any(|u| same(u, c)))
        {
            continue;
        }
        let [bl, tl, tr] = trio;
        // A finder pattern is 7 modules wide, its centre 3.5 modules in
        // from the code's corner.
        let half = (bl.1 + tl.1 + tr.1) / 6.0;
        let toward = |(ax, ay): (f32, f32), (bx, by): (f32, f32)| {
            let (dx, dy) = (bx - ax, by - ay);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            (dx / len * half, dy / len * half)
        };
        let (u, v) = (toward(tl.0, tr.0), toward(tl.0, bl.0));
        let at =
            |(x, y): (f32, f32), a: f32, b: f32| (x + a * u.0 + b * v.0, y + a * u.1 + b * v.1);
        let br = (tr.0 .0 + bl.0 .0 - tl.0 .0, tr.0 .1 + bl.0 .1 - tl.0 .1);
        used.extend(trio);
        out.push([
            at(tl.0, -1.0, -1.0),
            at(tr.0, 1.0, -1.0),
            at(br, 1.0, 1.0),
            at(bl.0, -1.0, 1.0),
        ]);
    }
    out
}

/// Where codes next to the codes at `places` lie if all form a grid, as a
/// screen's do: a step along each side of each code and diagonally. A step
/// is the distance between codes read side by side (the median); with none
/// side by side, the side of a code and an eighth.
fn neighbours(places: &[Quad]) -> Vec<Quad> {
    let Some(side) = places.iter().map(|q| frame(q).1).reduce(f32::max) else {
        return Vec::new();
    };
    let (mut across, mut down) = (Vec::new(), Vec::new());
    for a in places {
        let (c, _, axes) = frame(a);
        for b in places {
            let (d, _, _) = frame(b);
            let (dx, dy) = (d.0 - c.0, d.1 - c.1);
            let [x, y] = axes.map(|(ux, uy)| (dx * ux + dy * uy).abs());
            for (steps, this, other) in [(&mut across, x, y), (&mut down, y, x)] {
                // In the same row (or column), some whole steps apart, a
                // step being at least one code wide.
                let n = (this / side).floor();
                if other < side / 2.0 && n >= 1.0 {
                    steps.push(this / n);
                }
            }
        }
    }
    let median = |mut v: Vec<f32>| {
        v.sort_by(f32::total_cmp);
        v.get(v.len() / 2).copied()
    };
    let (across, down) = (median(across), median(down));
    let fallback = side * 9.0 / 8.0;
    let (across, down) = (
        across.or(down).unwrap_or(fallback),
        down.or(across).unwrap_or(fallback),
    );
    let mut out = Vec::new();
    for q in places {
        let (c, _, [u, v]) = frame(q);
        for (a, b) in [
            (1.0, 0.0),
            (-1.0, 0.0),
            (0.0, 1.0),
            (0.0, -1.0),
            (1.0, 1.0),
            (1.0, -1.0),
            (-1.0, 1.0),
            (-1.0, -1.0),
        ] {
            let (a, b) = (a * across, b * down);
            let at = (c.0 + a * u.0 + b * v.0, c.1 + a * u.1 + b * v.1);
            let h = side / 2.0;
            let corner = |s: f32, t: f32| {
                (
                    at.0 + h * (s * u.0 + t * v.0),
                    at.1 + h * (s * u.1 + t * v.1),
                )
            };
            out.push([
                corner(-1.0, -1.0),
                corner(1.0, -1.0),
                corner(1.0, 1.0),
                corner(-1.0, 1.0),
            ]);
        }
    }
    out
}

/// A code's centre, the length of its longer side, and the unit vectors
/// along its sides.
fn frame(q: &Quad) -> ((f32, f32), f32, [(f32, f32); 2]) {
    let [a, b, _, d] = *q;
    let unit = |(x, y): (f32, f32)| {
        let len = (x * x + y * y).sqrt().max(1e-3);
        ((x / len, y / len), len)
    };
    let (u, w) = unit((b.0 - a.0, b.1 - a.1));
    let (v, h) = unit((d.0 - a.0, d.1 - a.1));
    (centre(q), w.max(h), [u, v])
}

/// The corners in order around the shape (rxing gives them row by row).
fn around(mut q: Quad) -> Quad {
    let (cx, cy) = centre(&q);
    q.sort_by(|a, b| {
        (a.1 - cy)
            .atan2(a.0 - cx)
            .total_cmp(&(b.1 - cy).atan2(b.0 - cx))
    });
    q
}

/// Whether `p` lies inside the convex quadrilateral `q`.
fn inside(q: &Quad, p: (f32, f32)) -> bool {
    let side = |(ax, ay): (f32, f32), (bx, by): (f32, f32)| {
        (bx - ax) * (p.1 - ay) - (by - ay) * (p.0 - ax)
    };
    let turns: Vec<f32> = q
        .iter()
        .zip(q.iter().cycle().skip(1))
        .map(|(&a, &b)| side(a, b))
        .collect();
    turns.iter().all(|&t| t >= 0.0) || turns.iter().all(|&t| t <= 0.0)
}

/// A region of `base` cut out to be read alone.
struct CutOut {
    image: GrayImage,
    /// Where its top left corner lies in `base`.
    origin: (f32, f32),
    /// How much to enlarge it before reading.
    scale: f32,
}

/// The long side, in pixels, a region is enlarged to: at most 185 modules
/// (version 40 and its quiet zone) make 3 pixels per module or more.
const CUT_OUT_SIDE: f32 = 640.0;

/// `region` of `base` with room around it for its quiet zone (and for a
/// step of the grid guessed wrong), enlarged towards [`CUT_OUT_SIDE`];
/// `None` when it lies outside `base` or shows nothing like a code.
fn cut_out(base: &GrayImage, region: &Quad) -> Option<CutOut> {
    let (_, side, _) = frame(region);
    let margin = side / 8.0 + 2.0;
    let xs = region.map(|p| p.0);
    let ys = region.map(|p| p.1);
    let lo = |v: [f32; 4]| (v.iter().copied().fold(f32::MAX, f32::min) - margin).max(0.0);
    let hi = |v: [f32; 4], max: u32| {
        (v.iter().copied().fold(f32::MIN, f32::max) + margin).min(max as f32)
    };
    let (x0, y0) = (lo(xs), lo(ys));
    let (x1, y1) = (hi(xs, base.width()), hi(ys, base.height()));
    // Smaller than a version 1 code at one pixel a module.
    if x1 - x0 < 21.0 || y1 - y0 < 21.0 {
        return None;
    }
    let crop = image::imageops::crop_imm(
        base,
        x0 as u32,
        y0 as u32,
        (x1 - x0) as u32,
        (y1 - y0) as u32,
    )
    .to_image();
    if !busy(&crop) {
        return None;
    }
    let f = (CUT_OUT_SIDE / crop.width().max(crop.height()) as f32).clamp(1.0, 4.0);
    Some(CutOut {
        image: crop,
        origin: (x0, y0),
        scale: if f > 1.1 { f } else { 1.0 },
    })
}

/// Whether `g` shows light and dark in some balance, as a code does (with
/// its light quiet zone), not a dark screen or a line of text.
fn busy(g: &GrayImage) -> bool {
    let s = stretch(g);
    let light = s.pixels().filter(|p| p.0[0] >= 128).count();
    let n = s.pixels().len().max(1);
    (n / 5..=n * 19 / 20).contains(&light)
}

/// The codes read in `cut` through [`FORMS`] (the first form that reads
/// any), with where they lie in the working image.
fn read_cut_out(cut: &CutOut) -> Vec<(Vec<u8>, Quad)> {
    let in_forms = |image: &GrayImage| {
        let image = if cut.scale > 1.0 {
            scale(image, cut.scale)
        } else {
            image.clone()
        };
        FORMS.iter().find_map(|&form| {
            let g = form.make(&image, 2 * WORK_SIDE)?;
            let back = cut.image.width() as f32 / g.width().max(1) as f32;
            let read = read_all_rxing(&g);
            (!read.is_empty()).then(|| {
                read.into_iter()
                    .map(|(text, q)| {
                        let q = q.map(|(x, y)| (cut.origin.0 + x * back, cut.origin.1 + y * back));
                        (text, q)
                    })
                    .collect()
            })
        })
    };
    // Blur a form could not undo: the forms again after sharpening (some
    // sharpen once more).
    in_forms(&cut.image)
        .or_else(|| in_forms(&unsharp(&cut.image, 1.0, 4.0)))
        .unwrap_or_default()
}

/// Every code rxing's multi-code reader reads in `g` (tried inverted when
/// none is read as is), with where it lies.
pub(crate) fn read_all_rxing(g: &GrayImage) -> Vec<(Vec<u8>, Quad)> {
    use rxing::multi::MultipleBarcodeReader;
    use rxing::{common::HybridBinarizer, BinaryBitmap, Luma8LuminanceSource};
    let (w, h) = g.dimensions();
    let Ok(source) = Luma8LuminanceSource::new(g.as_raw().clone(), w, h) else {
        return Vec::new();
    };
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    let hints = hints();
    for inverted in [false, true] {
        if inverted {
            bitmap.invert();
        }
        let results = quietly(|| {
            rxing::qrcode::cpp_port::QrReader.decode_multiple_with_hints(&mut bitmap, &hints)
        })
        .and_then(Result::ok)
        .unwrap_or_default();
        let read: Vec<(Vec<u8>, Quad)> = results
            .iter()
            .filter_map(|r| {
                let p = r.getPoints();
                let corner = |i: usize| p.get(i).map(|p| (p.x, p.y));
                // This reader's raw bytes are the payload, as for one code.
                Some((
                    r.getRawBytes().to_vec(),
                    around([corner(0)?, corner(1)?, corner(2)?, corner(3)?]),
                ))
            })
            .collect();
        if !read.is_empty() {
            return read;
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square code `side` wide centred on (x, y), as rxing's reader
    /// gives it (row by row), put in order.
    fn square(x: f32, y: f32, side: f32) -> Quad {
        let h = side / 2.0;
        around([
            (x - h, y - h),
            (x + h, y - h),
            (x - h, y + h),
            (x + h, y + h),
        ])
    }

    #[test]
    fn the_grid_of_the_codes_read_says_where_the_others_are() {
        // Codes 100 px wide, 110 px apart across and 130 down (a label
        // under each), the one at (1, 0) not read; codes 0 and 2 of the
        // first row are two steps apart.
        let places = [
            square(50.0, 50.0, 100.0),
            square(270.0, 50.0, 100.0),
            square(50.0, 180.0, 100.0),
        ];
        let guesses: Vec<(f32, f32)> = neighbours(&places).iter().map(centre).collect();
        let near = |p: (f32, f32)| {
            guesses
                .iter()
                .any(|g| (g.0 - p.0).abs() < 1.0 && (g.1 - p.1).abs() < 1.0)
        };
        for cell in [
            (160.0, 50.0),
            (160.0, 180.0),
            (270.0, 180.0),
            (380.0, 50.0),
            (50.0, 310.0),
        ] {
            assert!(near(cell), "{cell:?} not among {guesses:?}");
        }
        // One code alone: a step of its side and an eighth.
        let one: Vec<(f32, f32)> = neighbours(&places[..1]).iter().map(centre).collect();
        assert!(
            one.iter()
                .any(|g| (g.0 - 162.5).abs() < 1.0 && (g.1 - 50.0).abs() < 1.0),
            "{one:?}"
        );
        assert!(neighbours(&[]).is_empty());
        // What lies on a code read is told, whichever way it is turned.
        let turned = around([(0.0, 10.0), (10.0, 0.0), (10.0, 20.0), (20.0, 10.0)]);
        assert!(inside(&turned, (10.0, 10.0)));
        assert!(!inside(&turned, (1.0, 1.0)));
    }
}
