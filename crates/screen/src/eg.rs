//! Drawing the screens through any `embedded-graphics` display driver.

use embedded_graphics_core::pixelcolor::Rgb888;
use embedded_graphics_core::prelude::{DrawTarget, OriginDimensions, Point, Size};
use embedded_graphics_core::primitives::Rectangle;

use crate::format::Rgb;
use crate::framebuffer::Canvas;

/// A [`Canvas`] over an embedded-graphics `DrawTarget` with RGB888 colour
/// (most drivers convert from it). Errors from the driver are ignored: a
/// panic screen draws what it can.
///
/// ```text
/// let mut canvas = panicqr_screen::eg::EgCanvas(&mut display);
/// panicqr_screen::draw_qr_screen(&mut canvas, &msg, &report, Style::default(), &mut ws);
/// ```
pub struct EgCanvas<'a, D>(pub &'a mut D);

impl<D> Canvas for EgCanvas<'_, D>
where
    D: DrawTarget<Color = Rgb888> + OriginDimensions,
{
    fn size(&self) -> (usize, usize) {
        let s = self.0.size();
        (s.width as usize, s.height as usize)
    }

    fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, color: Rgb) {
        let area = Rectangle::new(
            Point::new(
                x.min(i32::MAX as usize) as i32,
                y.min(i32::MAX as usize) as i32,
            ),
            Size::new(
                w.min(u32::MAX as usize) as u32,
                h.min(u32::MAX as usize) as u32,
            ),
        );
        let _ = self
            .0
            .fill_solid(&area, Rgb888::new(color.r, color.g, color.b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics_core::pixelcolor::RgbColor;
    use embedded_graphics_core::Pixel;

    /// A 64×48 display that records pixels.
    struct Display([[Rgb888; 64]; 48]);

    impl OriginDimensions for Display {
        fn size(&self) -> Size {
            Size::new(64, 48)
        }
    }

    impl DrawTarget for Display {
        type Color = Rgb888;
        type Error = core::convert::Infallible;
        fn draw_iter<I: IntoIterator<Item = Pixel<Rgb888>>>(
            &mut self,
            pixels: I,
        ) -> Result<(), Self::Error> {
            for Pixel(p, c) in pixels {
                if let Some(px) = self
                    .0
                    .get_mut(p.y as usize)
                    .and_then(|r| r.get_mut(p.x as usize))
                {
                    *px = c;
                }
            }
            Ok(())
        }
    }

    #[test]
    fn draws_text_through_a_draw_target() {
        let mut d = Display([[Rgb888::BLACK; 64]; 48]);
        let mut c = EgCanvas(&mut d);
        assert_eq!(c.size(), (64, 48));
        crate::font::draw_text(&mut c, 0, 0, b"I", 1, 1, Rgb::WHITE);
        // The top bar of our "I" is columns 1..=3 of row 0.
        let row: std::vec::Vec<bool> = d.0[0][..5].iter().map(|p| *p == Rgb888::WHITE).collect();
        assert_eq!(row, [false, true, true, true, false]);
    }
}
