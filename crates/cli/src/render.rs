//! Drawing a symbol for people: terminal, PNG, SVG, and a 0/1 matrix.

use std::io::Write;

/// Anything with square modules.
pub trait Modules {
    /// Modules per side.
    fn width(&self) -> usize;
    /// Whether module (x, y) is dark (false outside).
    fn is_dark(&self, x: usize, y: usize) -> bool;
}

impl Modules for panicqr_qr::Symbol<'_> {
    fn width(&self) -> usize {
        panicqr_qr::Symbol::width(self)
    }
    fn is_dark(&self, x: usize, y: usize) -> bool {
        panicqr_qr::Symbol::is_dark(self, x, y)
    }
}

/// The quiet zone every format but `matrix` draws, in modules (ISO/IEC 18004 §6.3.8).
pub const QUIET: usize = 4;

/// One line of `0`/`1` per row, `1` = dark, no quiet zone.
pub fn matrix(m: &dyn Modules) -> String {
    let w = m.width();
    let mut s = String::with_capacity(w * (w + 1));
    for y in 0..w {
        s.extend((0..w).map(|x| if m.is_dark(x, y) { '1' } else { '0' }));
        s.push('\n');
    }
    s
}

/// Two module rows per text line with half blocks, dark modules drawn as the
/// terminal's background colour on a light quiet zone, so that it scans on
/// dark and light terminals alike (ANSI reverse video is not used: some
/// terminals render it poorly).
pub fn terminal(m: &dyn Modules) -> String {
    let w = m.width() as isize;
    let q = QUIET as isize;
    let light = |x: isize, y: isize| -> bool {
        x < 0 || y < 0 || x >= w || y >= w || !m.is_dark(x as usize, y as usize)
    };
    let mut s = String::new();
    let mut y = -q;
    while y < w + q {
        for x in -q..w + q {
            // Light is drawn as a block (foreground), dark as a space.
            s.push(match (light(x, y), light(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        s.push('\n');
        y += 2;
    }
    s
}

/// A greyscale PNG, `scale` pixels per module, with the quiet zone.
pub fn png(m: &dyn Modules, scale: u32, out: &mut dyn Write) -> anyhow::Result<()> {
    let scale = scale.max(1) as usize;
    let side = (m.width() + 2 * QUIET) * scale;
    let mut enc = png::Encoder::new(out, side as u32, side as u32);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    let mut pixels = vec![255u8; side * side];
    for y in 0..m.width() {
        for x in 0..m.width() {
            if m.is_dark(x, y) {
                for dy in 0..scale {
                    let row = (y + QUIET) * scale + dy;
                    let start = row * side + (x + QUIET) * scale;
                    if let Some(run) = pixels.get_mut(start..start + scale) {
                        run.fill(0);
                    }
                }
            }
        }
    }
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(())
}

/// An SVG with one path of unit squares, the quiet zone included in the view box.
pub fn svg(m: &dyn Modules, scale: u32) -> String {
    let w = m.width();
    let side = w + 2 * QUIET;
    let mut path = String::new();
    for y in 0..w {
        for x in 0..w {
            if m.is_dark(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + QUIET, y + QUIET));
            }
        }
    }
    let px = side as u32 * scale.max(1);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{px}\" height=\"{px}\" \
         viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n\
         <path d=\"{path}\" fill=\"#000000\"/>\n</svg>\n"
    )
}

/// An 8-bit RGB PNG of `width × height` pixels (`rgb` holds 3 bytes a pixel).
pub fn png_rgb(width: u32, height: u32, rgb: &[u8], out: &mut dyn Write) -> anyhow::Result<()> {
    let mut enc = png::Encoder::new(out, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(())
}
