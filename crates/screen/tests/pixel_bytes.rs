//! The bytes each pixel format puts in memory, written out by hand from the
//! layouts in Linux's include/uapi/drm/drm_fourcc.h (`[15:0] R:G:B 5:6:5
//! little endian` and so on), on a screen drawn in two colours that are
//! neither grey nor symmetric. Reading pixels back through our own
//! `PixelFormat::decode` cannot catch a layout error that encode and decode
//! share (swapped R and B, a channel one bit off); these vectors can.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use panicqr_screen::{
    draw_qr_screen, row_bytes, Framebuffer, Message, PixelFormat, Report, Rgb, Style, WORKSPACE_LEN,
};

/// Text and light QR modules. Every channel differs from the other two, so
/// any exchange of channels changes the bytes. The values are chosen so the
/// 10-bit widening gives the same result whether it scales (v·1023/255,
/// rounded down) or replicates the top bits (v << 2 | v >> 6, as Linux's
/// drm_format_helper does): the vectors test the layout, not a rounding
/// convention.
const FG: Rgb = Rgb {
    r: 0xBE,
    g: 0x7E,
    b: 0x30,
};
/// Background and dark QR modules.
const BG: Rgb = Rgb {
    r: 0x08,
    g: 0x10,
    b: 0x58,
};

/// One format's pixel of `FG` and of `BG`, bytes in memory order.
struct Vector {
    format: PixelFormat,
    fg: &'static [u8],
    bg: &'static [u8],
}

// Channel values used below. 8 bits: FG = BE 7E 30, BG = 08 10 58.
// Top 5 bits: FG R 10111 G 01111 B 00110; BG R 00001 G 00010 B 01011.
// Top 6 bits of green: FG 011111, BG 000100.
// 10 bits: FG R 762 (0x2FA) G 505 (0x1F9) B 192 (0x0C0);
//          BG R 32 (0x020) G 64 (0x040) B 353 (0x161).
// X bits are written as 0, A bits as all ones (opaque).
const VECTORS: [Vector; 14] = [
    // [15:0] R:G:B 5:6:5. FG 10111 011111 00110 = 0xBBE6;
    // BG 00001 000100 01011 = 0x088B.
    Vector {
        format: PixelFormat::Rgb565,
        fg: &[0xE6, 0xBB],
        bg: &[0x8B, 0x08],
    },
    // [15:0] R:G:B:A 5:5:5:1. FG 10111 01111 00110 1 = 0xBBCD;
    // BG 00001 00010 01011 1 = 0x0897.
    Vector {
        format: PixelFormat::Rgba5551,
        fg: &[0xCD, 0xBB],
        bg: &[0x97, 0x08],
    },
    // [15:0] x:R:G:B 1:5:5:5. FG 0 10111 01111 00110 = 0x5DE6;
    // BG 0 00001 00010 01011 = 0x044B.
    Vector {
        format: PixelFormat::Xrgb1555,
        fg: &[0xE6, 0x5D],
        bg: &[0x4B, 0x04],
    },
    // [15:0] A:R:G:B 1:5:5:5: as above with bit 15 set.
    Vector {
        format: PixelFormat::Argb1555,
        fg: &[0xE6, 0xDD],
        bg: &[0x4B, 0x84],
    },
    // [23:0] R:G:B little endian: B first.
    Vector {
        format: PixelFormat::Rgb888,
        fg: &[0x30, 0x7E, 0xBE],
        bg: &[0x58, 0x10, 0x08],
    },
    // [31:0] x:R:G:B 8:8:8:8 little endian: B, G, R, x.
    Vector {
        format: PixelFormat::Xrgb8888,
        fg: &[0x30, 0x7E, 0xBE, 0x00],
        bg: &[0x58, 0x10, 0x08, 0x00],
    },
    // [31:0] A:R:G:B 8:8:8:8 little endian: B, G, R, A.
    Vector {
        format: PixelFormat::Argb8888,
        fg: &[0x30, 0x7E, 0xBE, 0xFF],
        bg: &[0x58, 0x10, 0x08, 0xFF],
    },
    // [31:0] x:B:G:R 8:8:8:8 little endian: R, G, B, x.
    Vector {
        format: PixelFormat::Xbgr8888,
        fg: &[0xBE, 0x7E, 0x30, 0x00],
        bg: &[0x08, 0x10, 0x58, 0x00],
    },
    // [31:0] A:B:G:R 8:8:8:8 little endian: R, G, B, A.
    Vector {
        format: PixelFormat::Abgr8888,
        fg: &[0xBE, 0x7E, 0x30, 0xFF],
        bg: &[0x08, 0x10, 0x58, 0xFF],
    },
    // [31:0] x:R:G:B 2:10:10:10. FG 762<<20 | 505<<10 | 192 = 0x2FA7E4C0;
    // BG 32<<20 | 64<<10 | 353 = 0x02010161.
    Vector {
        format: PixelFormat::Xrgb2101010,
        fg: &[0xC0, 0xE4, 0xA7, 0x2F],
        bg: &[0x61, 0x01, 0x01, 0x02],
    },
    // [31:0] A:R:G:B 2:10:10:10: as above with bits 31:30 set.
    Vector {
        format: PixelFormat::Argb2101010,
        fg: &[0xC0, 0xE4, 0xA7, 0xEF],
        bg: &[0x61, 0x01, 0x01, 0xC2],
    },
    // [31:0] A:B:G:R 2:10:10:10. FG 3<<30 | 192<<20 | 505<<10 | 762 =
    // 0xCC07E6FA; BG 3<<30 | 353<<20 | 64<<10 | 32 = 0xD6110020.
    Vector {
        format: PixelFormat::Abgr2101010,
        fg: &[0xFA, 0xE6, 0x07, 0xCC],
        bg: &[0x20, 0x00, 0x11, 0xD6],
    },
    // DRM_FORMAT_R8, [7:0] R: one grey level, the Rec. 601 luma our
    // Grey8 documents, (299 R + 587 G + 114 B) / 1000 rounded down:
    // FG (56810 + 73962 + 5472) / 1000 = 136, BG (2392 + 9392 + 10032) / 1000 = 21.
    Vector {
        format: PixelFormat::Grey8,
        fg: &[136],
        bg: &[21],
    },
    // DRM_FORMAT_R1, [7:0] R0:R1:…:R7, eight pixels a byte, the leftmost
    // in bit 7: FG (luma 136) is lit, BG (21) is not. One bit, shown as a
    // byte 0 or 1.
    Vector {
        format: PixelFormat::Mono1,
        fg: &[1],
        bg: &[0],
    },
];

const CANARY: u8 = 0xA5;

/// The bytes (or, for 1-bit mono, the bit as 0 or 1) of pixel `x` in a row.
fn pixel_bytes(format: PixelFormat, row: &[u8], x: usize) -> Vec<u8> {
    if format == PixelFormat::Mono1 {
        return vec![(row[x / 8] >> (7 - x % 8)) & 1];
    }
    let n = format.bits() / 8;
    row[x * n..(x + 1) * n].to_vec()
}

#[test]
fn every_format_has_a_vector() {
    for f in PixelFormat::ALL {
        let v: Vec<&Vector> = VECTORS.iter().filter(|v| v.format == f).collect();
        assert_eq!(v.len(), 1, "{f:?}");
        let bytes = f.bits().div_ceil(8);
        assert_eq!((v[0].fg.len(), v[0].bg.len()), (bytes, bytes), "{f:?}");
    }
}

#[test]
fn a_coloured_screen_has_the_fourcc_bytes_in_every_format() {
    // 326 px: not a multiple of 8, so mono's last byte is partly padding.
    let (w, h) = (326, 240);
    let style = Style { fg: FG, bg: BG };
    // The QR code takes the two colours as they are (light = FG, dark = BG),
    // so every pixel of the screen is one of them.
    assert_eq!(style.qr_colors(), (FG, BG));
    let msg = Message {
        title: b"KERNEL PANIC!",
        reason: b"Kernel panic - not syncing: Fatal exception",
    };
    let report = Report {
        log: b"[    1.000000] Oops: general protection fault\n",
        base_url: b"https://example.org/panic_report/#",
        arch: b"x86_64",
        release: b"6.19.11",
    };
    let mut reference: Option<Vec<bool>> = None;
    for v in &VECTORS {
        let f = v.format;
        let row = row_bytes(w, f).unwrap();
        let stride = row + 7;
        let mut mem = vec![CANARY; stride * h];
        let mut ws = vec![0u8; WORKSPACE_LEN];
        {
            let mut fb = Framebuffer::new(&mut mem, w, h, stride, f).unwrap();
            let drawn = draw_qr_screen(&mut fb, &msg, &report, style, &mut ws);
            assert!(drawn.qr.is_some(), "{f:?}: no QR code");
        }
        let mut lit = Vec::with_capacity(w * h);
        for y in 0..h {
            let line = &mem[y * stride..(y + 1) * stride];
            for x in 0..w {
                let p = pixel_bytes(f, line, x);
                if p == v.fg {
                    lit.push(true);
                } else if p == v.bg {
                    lit.push(false);
                } else {
                    panic!(
                        "{f:?} ({x}, {y}): {p:02X?} is neither FG {:02X?} nor BG {:02X?}",
                        v.fg, v.bg
                    );
                }
            }
            // Nothing written past the last pixel: mono's unused low bits of
            // the last byte keep the canary's, and the stride padding is whole.
            if f == PixelFormat::Mono1 && w % 8 != 0 {
                let unused = 0xFFu8 >> (w % 8);
                assert_eq!(line[row - 1] & unused, CANARY & unused, "{f:?} row {y}");
            }
            assert!(
                line[row..].iter().all(|&b| b == CANARY),
                "{f:?} row {y}: padding written"
            );
        }
        let fg = lit.iter().filter(|&&l| l).count();
        assert!(fg > 1000 && fg < w * h - 1000, "{f:?}: {fg} FG pixels");
        // The same picture in every format: only the bytes differ.
        match &reference {
            None => reference = Some(lit),
            Some(r) => assert!(*r == lit, "{f:?}: a different picture"),
        }
    }
}
