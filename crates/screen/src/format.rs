//! Pixel formats: how a colour becomes bytes (all little-endian, as DRM's
//! fourcc formats are).

/// A colour, 8 bits per channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Rgb {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl Rgb {
    /// Black.
    pub const BLACK: Rgb = Rgb { r: 0, g: 0, b: 0 };
    /// White.
    pub const WHITE: Rgb = Rgb {
        r: 255,
        g: 255,
        b: 255,
    };

    /// A colour from `0xRRGGBB`.
    pub const fn hex(v: u32) -> Rgb {
        Rgb {
            r: (v >> 16) as u8,
            g: (v >> 8) as u8,
            b: v as u8,
        }
    }

    /// Relative luminance, 0–255 (Rec. 601 weights, integer).
    pub const fn luma(self) -> u8 {
        ((self.r as u32 * 299 + self.g as u32 * 587 + self.b as u32 * 114) / 1000) as u8
    }
}

/// A framebuffer pixel format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PixelFormat {
    /// 16 bits: R5 G6 B5.
    Rgb565,
    /// 16 bits: R5 G5 B5 A1.
    Rgba5551,
    /// 16 bits: X1 R5 G5 B5.
    Xrgb1555,
    /// 16 bits: A1 R5 G5 B5.
    Argb1555,
    /// 24 bits: bytes B, G, R.
    Rgb888,
    /// 32 bits: bytes B, G, R, X.
    Xrgb8888,
    /// 32 bits: bytes B, G, R, A.
    Argb8888,
    /// 32 bits: bytes R, G, B, X.
    Xbgr8888,
    /// 32 bits: bytes R, G, B, A.
    Abgr8888,
    /// 32 bits: X2 R10 G10 B10.
    Xrgb2101010,
    /// 32 bits: A2 R10 G10 B10.
    Argb2101010,
    /// 32 bits: A2 B10 G10 R10.
    Abgr2101010,
    /// 8-bit grey.
    Grey8,
    /// 1 bit per pixel, most significant bit = leftmost, 1 = lit (light).
    Mono1,
}

impl PixelFormat {
    /// Every format, for tests and option parsing.
    pub const ALL: [PixelFormat; 14] = [
        PixelFormat::Rgb565,
        PixelFormat::Rgba5551,
        PixelFormat::Xrgb1555,
        PixelFormat::Argb1555,
        PixelFormat::Rgb888,
        PixelFormat::Xrgb8888,
        PixelFormat::Argb8888,
        PixelFormat::Xbgr8888,
        PixelFormat::Abgr8888,
        PixelFormat::Xrgb2101010,
        PixelFormat::Argb2101010,
        PixelFormat::Abgr2101010,
        PixelFormat::Grey8,
        PixelFormat::Mono1,
    ];

    /// Bits per pixel.
    pub const fn bits(self) -> usize {
        match self {
            PixelFormat::Rgb565
            | PixelFormat::Rgba5551
            | PixelFormat::Xrgb1555
            | PixelFormat::Argb1555 => 16,
            PixelFormat::Rgb888 => 24,
            PixelFormat::Grey8 => 8,
            PixelFormat::Mono1 => 1,
            _ => 32,
        }
    }

    /// The lowercase name used on the command line (`xrgb8888`, …).
    pub const fn name(self) -> &'static str {
        match self {
            PixelFormat::Rgb565 => "rgb565",
            PixelFormat::Rgba5551 => "rgba5551",
            PixelFormat::Xrgb1555 => "xrgb1555",
            PixelFormat::Argb1555 => "argb1555",
            PixelFormat::Rgb888 => "rgb888",
            PixelFormat::Xrgb8888 => "xrgb8888",
            PixelFormat::Argb8888 => "argb8888",
            PixelFormat::Xbgr8888 => "xbgr8888",
            PixelFormat::Abgr8888 => "abgr8888",
            PixelFormat::Xrgb2101010 => "xrgb2101010",
            PixelFormat::Argb2101010 => "argb2101010",
            PixelFormat::Abgr2101010 => "abgr2101010",
            PixelFormat::Grey8 => "grey8",
            PixelFormat::Mono1 => "mono1",
        }
    }

    /// The bytes of one pixel of colour `c` (for 1-bit mono: 0 or 1 in byte 0),
    /// and how many bytes are used.
    pub fn encode(self, c: Rgb) -> ([u8; 4], usize) {
        let (r, g, b) = (u32::from(c.r), u32::from(c.g), u32::from(c.b));
        let w16 = |v: u32| -> ([u8; 4], usize) { ([v as u8, (v >> 8) as u8, 0, 0], 2) };
        let w32 = |v: u32| -> ([u8; 4], usize) { (v.to_le_bytes(), 4) };
        let ten = |v: u32| v * 1023 / 255;
        match self {
            PixelFormat::Rgb565 => w16(((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)),
            PixelFormat::Rgba5551 => w16(((r >> 3) << 11) | ((g >> 3) << 6) | ((b >> 3) << 1) | 1),
            PixelFormat::Xrgb1555 => w16(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3)),
            PixelFormat::Argb1555 => w16(0x8000 | ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3)),
            PixelFormat::Rgb888 => ([c.b, c.g, c.r, 0], 3),
            PixelFormat::Xrgb8888 => w32((r << 16) | (g << 8) | b),
            PixelFormat::Argb8888 => w32(0xFF00_0000 | (r << 16) | (g << 8) | b),
            PixelFormat::Xbgr8888 => w32((b << 16) | (g << 8) | r),
            PixelFormat::Abgr8888 => w32(0xFF00_0000 | (b << 16) | (g << 8) | r),
            PixelFormat::Xrgb2101010 => w32((ten(r) << 20) | (ten(g) << 10) | ten(b)),
            PixelFormat::Argb2101010 => w32(0xC000_0000 | (ten(r) << 20) | (ten(g) << 10) | ten(b)),
            PixelFormat::Abgr2101010 => w32(0xC000_0000 | (ten(b) << 20) | (ten(g) << 10) | ten(r)),
            PixelFormat::Grey8 => ([c.luma(), 0, 0, 0], 1),
            PixelFormat::Mono1 => ([u8::from(c.luma() >= 128), 0, 0, 0], 1),
        }
    }

    /// The colour a pixel's bytes stand for (the inverse of [`encode`](Self::encode)
    /// up to the format's precision). For mono, `bytes[0]` is 0 or 1.
    pub fn decode(self, p: &[u8]) -> Rgb {
        let at = |i: usize| u32::from(p.get(i).copied().unwrap_or(0));
        let v16 = at(0) | (at(1) << 8);
        let v32 = v16 | (at(2) << 16) | (at(3) << 24);
        let five = |v: u32| ((v & 31) * 255 / 31) as u8;
        let six = |v: u32| ((v & 63) * 255 / 63) as u8;
        let ten = |v: u32| ((v & 1023) * 255 / 1023) as u8;
        let rgb = |r, g, b| Rgb { r, g, b };
        match self {
            PixelFormat::Rgb565 => rgb(five(v16 >> 11), six(v16 >> 5), five(v16)),
            PixelFormat::Rgba5551 => rgb(five(v16 >> 11), five(v16 >> 6), five(v16 >> 1)),
            PixelFormat::Xrgb1555 | PixelFormat::Argb1555 => {
                rgb(five(v16 >> 10), five(v16 >> 5), five(v16))
            }
            PixelFormat::Rgb888 => rgb(at(2) as u8, at(1) as u8, at(0) as u8),
            PixelFormat::Xrgb8888 | PixelFormat::Argb8888 => {
                rgb((v32 >> 16) as u8, (v32 >> 8) as u8, v32 as u8)
            }
            PixelFormat::Xbgr8888 | PixelFormat::Abgr8888 => {
                rgb(v32 as u8, (v32 >> 8) as u8, (v32 >> 16) as u8)
            }
            PixelFormat::Xrgb2101010 | PixelFormat::Argb2101010 => {
                rgb(ten(v32 >> 20), ten(v32 >> 10), ten(v32))
            }
            PixelFormat::Abgr2101010 => rgb(ten(v32), ten(v32 >> 10), ten(v32 >> 20)),
            PixelFormat::Grey8 => rgb(at(0) as u8, at(0) as u8, at(0) as u8),
            PixelFormat::Mono1 => {
                let v = if at(0) & 1 == 1 { 255 } else { 0 };
                rgb(v, v, v)
            }
        }
    }
}
