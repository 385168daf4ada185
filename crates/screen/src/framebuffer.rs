//! A framebuffer described once and validated, and the drawing surface trait.

use crate::format::{PixelFormat, Rgb};

/// Anything the screens can draw on: a size and a filled rectangle.
pub trait Canvas {
    /// Width and height in pixels.
    fn size(&self) -> (usize, usize);
    /// Fills the rectangle (clipped to the canvas).
    fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, color: Rgb);
}

/// Why a framebuffer description was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FramebufferError {
    /// Width or height is zero.
    Empty,
    /// The stride is shorter than one row of pixels.
    StrideTooSmall {
        /// Bytes a row needs.
        needed: usize,
        /// The stride given.
        stride: usize,
    },
    /// The buffer is shorter than `stride × height` (the last row needs only its pixels).
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        actual: usize,
    },
}

impl core::fmt::Display for FramebufferError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            FramebufferError::Empty => f.write_str("the framebuffer's width or height is zero"),
            FramebufferError::StrideTooSmall { needed, stride } => write!(
                f,
                "the stride ({stride} bytes) is shorter than one row of pixels ({needed} bytes)"
            ),
            FramebufferError::BufferTooSmall { needed, actual } => write!(
                f,
                "the framebuffer memory is too small: {actual} bytes given, {needed} needed"
            ),
        }
    }
}

/// A raw framebuffer: `height` rows of `stride` bytes.
///
/// # Invariants
/// `width, height > 0`, `stride >= row bytes`, and the buffer holds every row.
#[derive(Debug)]
pub struct Framebuffer<'a> {
    buf: &'a mut [u8],
    width: usize,
    height: usize,
    stride: usize,
    format: PixelFormat,
}

impl<'a> Framebuffer<'a> {
    /// Describes `buf` as a framebuffer, checking that everything fits.
    ///
    /// # Errors
    /// See [`FramebufferError`].
    ///
    /// # Examples
    /// ```
    /// use panicqr_screen::{Framebuffer, PixelFormat};
    /// let mut mem = vec![0u8; 640 * 4 * 480];
    /// let fb = Framebuffer::new(&mut mem, 640, 480, 640 * 4, PixelFormat::Xrgb8888)?;
    /// assert_eq!(fb.size(), (640, 480));
    /// # Ok::<(), panicqr_screen::FramebufferError>(())
    /// ```
    pub fn new(
        buf: &'a mut [u8],
        width: usize,
        height: usize,
        stride: usize,
        format: PixelFormat,
    ) -> Result<Framebuffer<'a>, FramebufferError> {
        if width == 0 || height == 0 {
            return Err(FramebufferError::Empty);
        }
        let row = row_bytes(width, format).ok_or(FramebufferError::Empty)?;
        if stride < row {
            return Err(FramebufferError::StrideTooSmall {
                needed: row,
                stride,
            });
        }
        let needed = stride
            .checked_mul(height - 1)
            .and_then(|n| n.checked_add(row))
            .ok_or(FramebufferError::BufferTooSmall {
                needed: usize::MAX,
                actual: buf.len(),
            })?;
        if buf.len() < needed {
            return Err(FramebufferError::BufferTooSmall {
                needed,
                actual: buf.len(),
            });
        }
        // INVARIANT: sizes checked above.
        Ok(Framebuffer {
            buf,
            width,
            height,
            stride,
            format,
        })
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// The pixel format.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// The colour at (x, y), black outside.
    pub fn pixel(&self, x: usize, y: usize) -> Rgb {
        if x >= self.width || y >= self.height {
            return Rgb::BLACK;
        }
        let f = self.format;
        let line = self.line(y).unwrap_or(&[]);
        if f == PixelFormat::Mono1 {
            let byte = line.get(x / 8).copied().unwrap_or(0);
            return f.decode(&[(byte >> (7 - x % 8)) & 1]);
        }
        let bpp = f.bits() / 8;
        let px = x
            .checked_mul(bpp)
            .and_then(|at| line.get(at..))
            .and_then(|p| p.get(..bpp));
        f.decode(px.unwrap_or(&[]))
    }

    /// The bytes from the start of row `y` to the end of the buffer.
    ///
    /// Offsets are checked rather than trusted: `new` proved that every row
    /// below `height` fits the buffer, but the optimiser cannot carry that
    /// across calls, and a checked product leaves no overflow path.
    fn line(&self, y: usize) -> Option<&[u8]> {
        y.checked_mul(self.stride).and_then(|at| self.buf.get(at..))
    }
}

/// Bytes of one row of `width` pixels.
pub const fn row_bytes(width: usize, format: PixelFormat) -> Option<usize> {
    match width.checked_mul(format.bits()) {
        Some(bits) => Some(bits.div_ceil(8)),
        None => None,
    }
}

impl Canvas for Framebuffer<'_> {
    fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, color: Rgb) {
        let x1 = x.saturating_add(w).min(self.width);
        let y1 = y.saturating_add(h).min(self.height);
        if x >= x1 || y >= y1 {
            return;
        }
        let (px, n) = self.format.encode(color);
        // Row offsets are checked (see `line`); x < x1 ≤ width.
        let span = x.checked_mul(n).zip(x1.checked_mul(n));
        for row in y..y1 {
            let Some(line) = row
                .checked_mul(self.stride)
                .and_then(|at| self.buf.get_mut(at..))
            else {
                continue;
            };
            if self.format == PixelFormat::Mono1 {
                for col in x..x1 {
                    if let Some(b) = line.get_mut(col / 8) {
                        let bit = 0x80u8 >> (col % 8);
                        *b = if px[0] == 1 { *b | bit } else { *b & !bit };
                    }
                }
                continue;
            }
            let Some(line) = span.and_then(|(a, b)| line.get_mut(a..b)) else {
                continue;
            };
            let pixel = px.get(..n).unwrap_or(&[]);
            for dst in line.chunks_exact_mut(n.max(1)) {
                dst.copy_from_slice(pixel);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        let mut m = [0u8; 100];
        assert_eq!(
            Framebuffer::new(&mut m, 0, 1, 4, PixelFormat::Xrgb8888).err(),
            Some(FramebufferError::Empty)
        );
        assert_eq!(
            Framebuffer::new(&mut m, 10, 2, 39, PixelFormat::Xrgb8888).err(),
            Some(FramebufferError::StrideTooSmall {
                needed: 40,
                stride: 39
            })
        );
        assert_eq!(
            Framebuffer::new(&mut m, 10, 3, 40, PixelFormat::Xrgb8888).err(),
            Some(FramebufferError::BufferTooSmall {
                needed: 120,
                actual: 100
            })
        );
        assert!(Framebuffer::new(&mut m, 10, 2, 50, PixelFormat::Xrgb8888).is_ok());
        assert!(Framebuffer::new(&mut m, 100, 7, 13, PixelFormat::Mono1).is_ok());
    }

    #[test]
    fn every_format_round_trips_black_white_and_a_colour() {
        for f in PixelFormat::ALL {
            for c in [Rgb::BLACK, Rgb::WHITE, Rgb::hex(0x3366CC)] {
                let mut m = [0u8; 64];
                let mut fb = Framebuffer::new(&mut m, 3, 2, 16, f).unwrap();
                fb.fill_rect(1, 1, 5, 5, c);
                let got = fb.pixel(1, 1);
                let close = |a: u8, b: u8| a.abs_diff(b) <= 8;
                match f {
                    PixelFormat::Grey8 => assert!(close(got.r, c.luma()), "{f:?}"),
                    PixelFormat::Mono1 => {
                        assert_eq!(got.r, if c.luma() >= 128 { 255 } else { 0 }, "{f:?}")
                    }
                    _ => assert!(
                        close(got.r, c.r) && close(got.g, c.g) && close(got.b, c.b),
                        "{f:?} {c:?} {got:?}"
                    ),
                }
                assert_eq!(
                    fb.pixel(0, 0),
                    f.decode(&[0, 0, 0, 0]),
                    "{f:?}: outside the rectangle untouched"
                );
            }
        }
    }
}
