//! Text in panicqr's own 5×8 bitmap font (`font/glyphs.txt`).

use crate::format::Rgb;
use crate::framebuffer::Canvas;

/// Glyph width in font pixels.
pub const GLYPH_W: usize = 5;
/// Glyph height in font pixels (row 7 holds descenders).
pub const GLYPH_H: usize = 8;
/// Horizontal advance per character (a 1-pixel gap).
pub const CELL_W: usize = 6;
/// Line advance (a 2-pixel gap).
pub const CELL_H: usize = 10;

/// `origin + index·step`, saturating. Canvas sizes are arbitrary `usize`s, so
/// a position is computed saturating: one past `usize::MAX` is off every
/// canvas, where drawing clips, and no overflow path is left.
pub(crate) fn advance(origin: usize, index: usize, step: usize) -> usize {
    origin.saturating_add(index.saturating_mul(step))
}

/// The rows of the glyph for byte `c` (bit 4 = leftmost column); bytes
/// outside printable ASCII get the replacement box.
pub fn glyph(c: u8) -> [u8; 8] {
    let i = if (0x20..0x7F).contains(&c) {
        usize::from(c - 0x20)
    } else {
        95
    };
    crate::font_data::GLYPHS.get(i).copied().unwrap_or([0; 8])
}

/// Characters of `text` as they are drawn: a UTF-8 sequence is one character
/// (shown as the replacement box), a tab a space, other controls a box.
pub fn chars(text: &[u8]) -> impl Iterator<Item = u8> + '_ {
    text.iter()
        .filter(|&&b| !(0x80..0xC0).contains(&b))
        .map(|&b| match b {
            b'\t' => b' ',
            0x20..=0x7E => b,
            _ => 0,
        })
}

/// Draws one line of text at (x, y), `scale` pixels per font pixel, at most
/// `max_chars` characters. Returns the characters drawn.
pub fn draw_text<C: Canvas + ?Sized>(
    canvas: &mut C,
    x: usize,
    y: usize,
    text: &[u8],
    scale: usize,
    max_chars: usize,
    color: Rgb,
) -> usize {
    let s = scale.max(1);
    let cell = CELL_W.saturating_mul(s);
    let mut drawn = 0;
    // n < max_chars, so n + 1 does not overflow.
    for (n, c) in (0..max_chars).zip(chars(text)) {
        let g = glyph(c);
        let gx = advance(x, n, cell);
        for (row, bits) in (0..GLYPH_H).zip(g) {
            // Runs of ink in a row become one rectangle each.
            let mut col = 0;
            while col < GLYPH_W {
                if (bits >> (GLYPH_W - 1 - col)) & 1 == 0 {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < GLYPH_W && (bits >> (GLYPH_W - 1 - col)) & 1 == 1 {
                    col += 1;
                }
                // start < col ≤ GLYPH_W: the subtraction is exact.
                let run = col.saturating_sub(start).saturating_mul(s);
                canvas.fill_rect(advance(gx, start, s), advance(y, row, s), run, s, color);
            }
        }
        drawn = n + 1;
    }
    drawn
}

/// Splits `text` into lines of at most `cols` characters, breaking at
/// spaces where it can; yields byte slices of `text`.
pub fn wrap(text: &[u8], cols: usize) -> impl Iterator<Item = &[u8]> {
    let cols = cols.max(1);
    let mut rest = text;
    core::iter::from_fn(move || {
        while let [b' ', tail @ ..] = rest {
            rest = tail;
        }
        if rest.is_empty() {
            return None;
        }
        // Byte index after `cols` characters: indices from a range and a
        // countdown, so there is no counter to overflow.
        let mut left = cols;
        let mut end = rest.len();
        for (i, &b) in (0..rest.len()).zip(rest) {
            if (0x80..0xC0).contains(&b) {
                continue;
            }
            if left == 0 {
                end = i;
                break;
            }
            left -= 1;
        }
        if end < rest.len() && rest.get(end) != Some(&b' ') {
            if let Some(space) = rest
                .get(..end)
                .and_then(|h| h.iter().rposition(|&b| b == b' '))
                .filter(|&s| s > 0)
            {
                end = space;
            }
        }
        let (line, tail) = rest.split_at(end.min(rest.len()));
        rest = tail;
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces() {
        let lines: std::vec::Vec<&[u8]> = wrap(b"Kernel panic - not syncing: VFS", 12).collect();
        assert_eq!(lines, [&b"Kernel panic"[..], b"- not", b"syncing: VFS"]);
        let long: std::vec::Vec<&[u8]> = wrap(b"abcdefghij", 4).collect();
        assert_eq!(long, [&b"abcd"[..], b"efgh", b"ij"]);
    }
}
