//! Screens as a crashed machine shows them: every size and every pixel
//! format is read by `zbarimg` and decodes to the newest lines of the log;
//! small drawings as ASCII patterns; whole screens against committed PNGs.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::path::PathBuf;

use panicqr_qr::{encode, MaskChoice, Options, Segment, Version};
use panicqr_screen::font::draw_text;
use panicqr_screen::{
    draw_kmsg_screen, draw_qr_screen, draw_symbol, draw_user_screen, row_bytes, Framebuffer,
    Message, PixelFormat, Report, Rgb, Style, WORKSPACE_LEN,
};
use panicqr_testkit::{corpus, decode_zbarimg, decode_zbarimg_all, require_zbarimg};

const SIZES: [(usize, usize); 6] = [
    (320, 240),
    (640, 480),
    (800, 600),
    (1366, 768),
    (1920, 1080),
    (3840, 2160),
];

fn message() -> Message<'static> {
    Message {
        title: b"KERNEL PANIC!",
        reason: b"Kernel panic - not syncing: Fatal exception in interrupt",
    }
}

fn report(log: &[u8]) -> Report<'_> {
    Report {
        log,
        base_url: b"https://kernel-team.pages.debian.net/panic_report/#",
        arch: b"x86_64",
        release: b"6.19.11+kali-amd64",
    }
}

/// Renders a screen into a framebuffer of `format` (with a padded stride)
/// and returns it as an RGB image.
fn render(
    w: usize,
    h: usize,
    format: PixelFormat,
    draw: impl FnOnce(&mut Framebuffer<'_>),
) -> image::RgbImage {
    let stride = row_bytes(w, format).unwrap() + 16;
    let mut mem = vec![0u8; stride * h];
    let mut fb = Framebuffer::new(&mut mem, w, h, stride, format).unwrap();
    draw(&mut fb);
    image::RgbImage::from_fn(w as u32, h as u32, |x, y| {
        let c = fb.pixel(x as usize, y as usize);
        image::Rgb([c.r, c.g, c.b])
    })
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("panicqr-screen-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn every_size_and_format_scans_and_decodes_to_the_newest_lines() {
    require_zbarimg();
    let logs = corpus();
    let log = &logs[120].1;
    let cases: Vec<(usize, usize, PixelFormat)> = SIZES
        .iter()
        .flat_map(|&(w, h)| PixelFormat::ALL.iter().map(move |&f| (w, h, f)))
        .collect();
    let check = |&(w, h, f): &(usize, usize, PixelFormat)| {
        let mut ws = vec![0u8; WORKSPACE_LEN];
        let mut placed = None;
        let img = render(w, h, f, |fb| {
            placed = draw_qr_screen(fb, &message(), &report(log), Style::default(), &mut ws).qr;
        });
        let placed = placed.unwrap_or_else(|| panic!("{w}x{h} {f:?}: no QR code"));
        let path = tmp(&format!("{w}x{h}-{}.png", f.name()));
        img.save(&path).unwrap();
        let url =
            decode_zbarimg(&path).unwrap_or_else(|| panic!("{w}x{h} {f:?}: zbarimg found nothing"));
        let d = panicqr_report::decode::decode(std::str::from_utf8(&url).unwrap()).unwrap();
        assert!(d.is_complete(), "{w}x{h} {f:?}");
        assert!(log.ends_with(&d.log), "{w}x{h} {f:?}: not the newest lines");
        let start = log.len() - d.log.len();
        assert!(
            start == 0 || log[start - 1] == b'\n',
            "{w}x{h} {f:?}: not a line start"
        );
        assert_eq!(d.log.len(), placed.log_bytes);
        std::fs::remove_file(&path).ok();
    };
    // Two workers: zbarimg on 4K screens takes a while.
    std::thread::scope(|s| {
        for part in cases.chunks(cases.len().div_ceil(2)) {
            s.spawn(move || part.iter().for_each(check));
        }
    });
}

fn ascii(w: usize, h: usize, draw: impl FnOnce(&mut Framebuffer<'_>)) -> String {
    let img = render(w, h, PixelFormat::Grey8, draw);
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| {
                    if img.get_pixel(x as u32, y as u32)[0] > 127 {
                        '#'
                    } else {
                        '.'
                    }
                })
                .collect::<String>()
                + "\n"
        })
        .collect()
}

#[test]
fn glyphs_as_ascii() {
    let art = ascii(12, 8, |fb| {
        draw_text(fb, 0, 0, b"Q!", 1, 2, Rgb::WHITE);
    });
    assert_eq!(
        art,
        "\
.###....#...
#...#...#...
#...#...#...
#...#...#...
#.#.#...#...
#..#........
.##.#...#...
............
"
    );
}

#[test]
fn version_1_at_2px_as_ascii() {
    let mut scratch = vec![0u8; Version::MAX.scratch_len(MaskChoice::Auto)];
    let mut out = vec![0u8; Version::MAX.symbol_len()];
    let sym = encode(
        &[Segment::Numeric(b"0")],
        &Options::kernel(),
        &mut scratch,
        &mut out,
    )
    .unwrap();
    assert_eq!(sym.width(), 21);
    let side = (21 + 8) * 2;
    let art = ascii(side, side, |fb| {
        draw_symbol(fb, &sym, 0, 0, 2, Style::default())
    });
    let rows: Vec<&str> = art.lines().collect();
    // Quiet zone (8 px) light; the finder (14 px) and its light separator (2 px).
    assert_eq!(rows[0], "#".repeat(side));
    assert_eq!(&rows[8][..24], "########..............##");
    assert_eq!(&rows[10][..24], "########..##########..##");
    assert_eq!(&rows[12][..24], "########..##......##..##");
    assert_eq!(&rows[20][..24], "########..............##");
    assert_eq!(&rows[22][..24], "#".repeat(24));
    // Every module is a 2×2 block.
    for y in (0..side).step_by(2) {
        assert_eq!(rows[y], rows[y + 1]);
        for x in (0..side).step_by(2) {
            assert_eq!(rows[y].as_bytes()[x], rows[y].as_bytes()[x + 1]);
        }
    }
}

fn golden(name: &str, img: &image::RgbImage) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("PANICQR_UPDATE_GOLDEN").is_some() {
        img.save(&path).unwrap();
    }
    let want = image::open(&path)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (PANICQR_UPDATE_GOLDEN=1 writes it)",
                path.display()
            )
        })
        .to_rgb8();
    assert_eq!(want.dimensions(), img.dimensions(), "{name}");
    let diff = want
        .pixels()
        .zip(img.pixels())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(
        diff, 0,
        "{name}: {diff} pixels differ from the committed image"
    );
}

#[test]
fn whole_screens_match_committed_pngs() {
    let log = &corpus()[7].1;
    let mut ws = vec![0u8; WORKSPACE_LEN];
    let qr = render(640, 480, PixelFormat::Xrgb8888, |fb| {
        draw_qr_screen(fb, &message(), &report(log), Style::default(), &mut ws);
    });
    golden("qr-640x480.png", &qr);
    let style = Style {
        fg: Rgb::hex(0x202020),
        bg: Rgb::hex(0xF0E8D0),
    };
    let qr_small = render(320, 240, PixelFormat::Rgb565, |fb| {
        draw_qr_screen(fb, &message(), &report(log), style, &mut ws);
    });
    golden("qr-320x240-rgb565-light.png", &qr_small);
    let kmsg = render(640, 480, PixelFormat::Xrgb8888, |fb| {
        draw_kmsg_screen(fb, log, Style::default())
    });
    golden("kmsg-640x480.png", &kmsg);
    let user = render(640, 480, PixelFormat::Xrgb8888, |fb| {
        draw_user_screen(fb, &message(), Style::default())
    });
    golden("user-640x480.png", &user);
}

#[test]
fn every_part_of_a_multi_code_screen_scans_and_the_parts_merge_to_the_window() {
    use panicqr_screen::{draw_parts_screen, PartsOptions, PARTS_WORKSPACE_LEN};
    require_zbarimg();
    let logs = corpus();
    // report-bench's window: three logs, the last 16 KiB from a line start.
    let all: Vec<u8> = logs[118..=120]
        .iter()
        .flat_map(|(_, d)| d.clone())
        .collect();
    let from = all.len() - 16 * 1024;
    let from = from + all[from..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let log = &all[from..];
    let cases: Vec<(usize, usize, PixelFormat)> =
        [(800, 600), (1366, 768), (1920, 1080), (3840, 2160)]
            .iter()
            .flat_map(|&(w, h)| {
                [
                    PixelFormat::Xrgb8888,
                    PixelFormat::Rgb565,
                    PixelFormat::Xbgr8888,
                ]
                .into_iter()
                .map(move |f| (w, h, f))
            })
            .collect();
    let checked = std::sync::atomic::AtomicUsize::new(0);
    let check = |&(w, h, f): &(usize, usize, PixelFormat)| {
        let mut ws = vec![0u8; PARTS_WORKSPACE_LEN];
        let mut drawn = None;
        let img = render(w, h, f, |fb| {
            drawn = Some(draw_parts_screen(
                fb,
                &message(),
                &report(log),
                Style::default(),
                &PartsOptions::default(),
                &mut ws,
            ));
        });
        let drawn = drawn.unwrap();
        assert!(drawn.count >= 2, "{w}x{h} {f:?}: {} codes", drawn.count);
        let path = tmp(&format!("parts-{w}x{h}-{}.png", f.name()));
        img.save(&path).unwrap();
        let urls = decode_zbarimg_all(&path);
        assert_eq!(
            urls.len(),
            drawn.count,
            "{w}x{h} {f:?}: zbarimg read {} of {}",
            urls.len(),
            drawn.count
        );
        let mut parts: Vec<(usize, Vec<u8>)> = urls
            .iter()
            .map(|u| {
                let u = std::str::from_utf8(u).unwrap();
                let p = u.split("&p=").nth(1).unwrap().split('/').next().unwrap();
                let d = panicqr_report::decode::decode(u).unwrap();
                assert!(d.is_complete(), "{w}x{h} {f:?}");
                (p.parse().unwrap(), d.log)
            })
            .collect();
        parts.sort_by_key(|p| std::cmp::Reverse(p.0));
        let merged: Vec<u8> = parts.into_iter().flat_map(|p| p.1).collect();
        assert_eq!(merged.len(), drawn.log_bytes, "{w}x{h} {f:?}");
        assert!(
            log.ends_with(&merged),
            "{w}x{h} {f:?}: the parts, oldest first, are the newest bytes"
        );
        if (w, h) == (1920, 1080) {
            assert_eq!(merged, log, "1920x1080 carries the whole 16 KiB window");
        }
        checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::fs::remove_file(&path).ok();
    };
    std::thread::scope(|s| {
        for part in cases.chunks(cases.len().div_ceil(2)) {
            s.spawn(|| part.iter().for_each(check));
        }
    });
    assert_eq!(checked.into_inner(), cases.len());
}

/// The boxes of the codes on a screen (each code with its quiet zone),
/// found in the image alone: connected pixels of the code colours (white
/// and black), on a background and text of other colours.
fn code_squares(img: &image::RgbImage) -> Vec<(u32, u32, u32, u32)> {
    let (w, h) = img.dimensions();
    let is_code = |p: &image::Rgb<u8>| p.0 == [255, 255, 255] || p.0 == [0, 0, 0];
    let mut seen = vec![false; (w * h) as usize];
    let mut squares = Vec::new();
    for y0 in 0..h {
        for x0 in 0..w {
            if seen[(y0 * w + x0) as usize] || !is_code(img.get_pixel(x0, y0)) {
                continue;
            }
            let (mut x1, mut y1, mut x2, mut y2) = (x0, y0, x0, y0);
            let mut stack = vec![(x0, y0)];
            seen[(y0 * w + x0) as usize] = true;
            while let Some((x, y)) = stack.pop() {
                (x1, y1, x2, y2) = (x1.min(x), y1.min(y), x2.max(x), y2.max(y));
                let near = [
                    (x.wrapping_sub(1), y),
                    (x + 1, y),
                    (x, y.wrapping_sub(1)),
                    (x, y + 1),
                ];
                for (nx, ny) in near {
                    if nx < w
                        && ny < h
                        && !seen[(ny * w + nx) as usize]
                        && is_code(img.get_pixel(nx, ny))
                    {
                        seen[(ny * w + nx) as usize] = true;
                        stack.push((nx, ny));
                    }
                }
            }
            squares.push((x1, y1, x2, y2));
        }
    }
    squares
}

#[test]
fn multi_code_screens_show_the_newest_lines_beside_the_codes_never_over_them() {
    use panicqr_screen::font::wrap;
    use panicqr_screen::Canvas;
    use panicqr_screen::{draw_parts_screen, PartsOptions, PARTS_WORKSPACE_LEN};
    require_zbarimg();
    let logs = corpus();
    let window: Vec<u8> = logs[118..=120]
        .iter()
        .flat_map(|(_, d)| d.clone())
        .collect();
    let window = &window[window.len() - 16 * 1024..];
    let short = &logs[7].1[..];
    // Red text on dark blue: the codes stay black and white (red is too
    // dark for their light modules), so text, codes and background are
    // told apart by colour alone.
    let style = Style {
        fg: Rgb::hex(0xFF0000),
        bg: Rgb::hex(0x000040),
    };
    let sizes = [
        (320, 240),
        (640, 480),
        (768, 1024),
        (1024, 768),
        (1366, 768),
        (1920, 1080),
        (3840, 2160),
    ];
    let cases: Vec<(usize, usize, PixelFormat, &[u8])> = sizes
        .iter()
        .flat_map(|&(w, h)| {
            [
                (w, h, PixelFormat::Xrgb8888, window),
                (w, h, PixelFormat::Rgb565, short),
            ]
        })
        .collect();
    let checked = std::sync::atomic::AtomicUsize::new(0);
    let check = |&(w, h, f, log): &(usize, usize, PixelFormat, &[u8])| {
        let mut ws = vec![0u8; PARTS_WORKSPACE_LEN];
        let mut drawn = None;
        let img = render(w, h, f, |fb| {
            drawn = Some(draw_parts_screen(
                fb,
                &message(),
                &report(log),
                style,
                &PartsOptions::default(),
                &mut ws,
            ));
        });
        let drawn = drawn.unwrap();
        let name = format!("{w}x{h} {f:?} {} B log", log.len());
        assert!(drawn.count >= 1, "{name}: no code");
        // Every code's square (with its quiet zone) holds no text pixel.
        // Codes side by side touch: a row of k codes is one k-by-1 box.
        let squares = code_squares(&img);
        let codes: u32 = squares
            .iter()
            .map(|&(x1, y1, x2, y2)| {
                let (bw, bh) = (x2 - x1 + 1, y2 - y1 + 1);
                assert_eq!(bw % bh, 0, "{name}: a box of codes {bw}x{bh}");
                bw / bh
            })
            .sum();
        assert_eq!(codes as usize, drawn.count, "{name}: code squares");
        let red = |p: &image::Rgb<u8>| p.0[0] > 128 && p.0[1] < 64 && p.0[2] < 64;
        for &(x1, y1, x2, y2) in &squares {
            for y in y1..=y2 {
                for x in x1..=x2 {
                    assert!(
                        !red(img.get_pixel(x, y)),
                        "{name}: text at ({x}, {y}) inside the code at ({x1}, {y1})-({x2}, {y2})"
                    );
                }
            }
        }
        // The text's box meets no code's box: the codes, drawn after the
        // text, would hide the text under them, not the other way round.
        let b = drawn
            .log_text
            .unwrap_or_else(|| panic!("{name}: no log text"));
        assert!(b.rows > 0 && b.cols >= 12, "{name}: {b:?}");
        let (cw, ch) = (6 * b.scale, 10 * b.scale);
        let (bx2, by2) = ((b.x + b.cols * cw) as u32, (b.y + b.rows * ch) as u32);
        for &(x1, y1, x2, y2) in &squares {
            let apart = bx2 <= x1 || x2 < b.x as u32 || by2 <= y1 || y2 < b.y as u32;
            assert!(
                apart,
                "{name}: text {b:?} over the codes at ({x1}, {y1})-({x2}, {y2})"
            );
        }
        // The newest lines are there, the crash line first: the box's first
        // row is the newest line's first row as the font draws it.
        let newest = log
            .strip_suffix(b"\n")
            .unwrap()
            .rsplit(|&c| c == b'\n')
            .next()
            .unwrap();
        let first = wrap(newest, b.cols).next().unwrap();
        let want = render(b.cols * cw, ch, PixelFormat::Xrgb8888, |fb| {
            fb.fill_rect(0, 0, b.cols * cw, ch, style.bg);
            draw_text(fb, 0, 0, first, b.scale, b.cols, style.fg);
        });
        let mut ink = 0;
        for (x, y, p) in want.enumerate_pixels() {
            let got = img.get_pixel(b.x as u32 + x, b.y as u32 + y);
            assert_eq!(red(got), red(p), "{name}: newest line's pixel ({x}, {y})");
            ink += usize::from(red(p));
        }
        assert!(ink > 0, "{name}: the newest line drew nothing");
        // The text stays in its box, inside the screen.
        assert!(
            b.x + b.cols * cw <= w && b.y + b.rows * ch <= h,
            "{name}: {b:?}"
        );
        // And every code still scans.
        let path = tmp(&format!("parts-text-{w}x{h}-{}.png", f.name()));
        img.save(&path).unwrap();
        let urls = decode_zbarimg_all(&path);
        assert_eq!(
            urls.len(),
            drawn.count,
            "{name}: zbarimg read {} codes",
            urls.len()
        );
        std::fs::remove_file(&path).ok();
        checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    std::thread::scope(|s| {
        for part in cases.chunks(cases.len().div_ceil(2)) {
            s.spawn(|| part.iter().for_each(check));
        }
    });
    assert_eq!(checked.into_inner(), cases.len());
}
