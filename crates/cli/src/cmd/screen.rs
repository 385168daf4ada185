//! `panicqr screen`: the screen a crashed machine shows.

use std::path::Path;

use anyhow::anyhow;
use panicqr_qr::Version;
use panicqr_screen::{
    draw_kmsg_screen, draw_parts_screen, draw_qr_screen, draw_user_screen, row_bytes, Framebuffer,
    Message, PartsOptions, Report, Style, PARTS_WORKSPACE_LEN, WORKSPACE_LEN,
};

use crate::args::{Parts, ScreenArgs, ScreenKind};
use crate::{io, Failure, Outcome};

pub fn run(args: &ScreenArgs) -> Result<Outcome, Failure> {
    let log = io::read_input(args.log.as_deref(), io::LOG_INPUT_LIMIT)?;
    let (w, h) = args.size;
    let format = args.pixel_format;
    let stride =
        row_bytes(w, format).ok_or_else(|| Failure::BadInput(anyhow!("screen too wide")))?;
    let len = stride.saturating_mul(h);
    let mut mem = buffer(len)?;
    mem.resize(len, 0);
    let mut fb = Framebuffer::new(&mut mem, w, h, stride, format)
        .map_err(|e| Failure::BadInput(anyhow!("{e}")))?;
    let style = Style {
        fg: args.fg,
        bg: args.bg,
    };
    let reason = args.reason.clone().unwrap_or_else(|| panic_line(&log));
    let msg = Message {
        title: args.title.as_bytes(),
        reason: reason.as_bytes(),
    };
    let arch = args.target.arch();
    let release = args.target.release();
    match args.screen {
        ScreenKind::Qr => {
            let mut ws = vec![0u8; WORKSPACE_LEN];
            let report = Report {
                log: &log,
                base_url: args.target.base_url.as_bytes(),
                arch: arch.as_bytes(),
                release: release.as_bytes(),
            };
            if args.parts != Parts::Count(1) {
                let opts = PartsOptions {
                    max_parts: match args.parts {
                        Parts::Count(n) => n,
                        Parts::Auto => panicqr_report::parts::MAX_PARTS,
                    },
                    max_version: Version::new(args.max_version).unwrap_or(Version::MAX),
                    min_module_px: args.min_module_px as usize,
                };
                let mut ws = vec![0u8; PARTS_WORKSPACE_LEN];
                let drawn = draw_parts_screen(&mut fb, &msg, &report, style, &opts, &mut ws);
                let lines = drawn.log_text.map_or(0, |b| b.rows);
                match drawn.grid.filter(|_| drawn.count > 0) {
                    Some(g) => note!(
                        "{w}x{h} {}: {} codes of version {} or less at {} px per module, {} of {} bytes of log; the newest lines as text in {lines} rows",
                        format.name(),
                        drawn.count,
                        g.version.number(),
                        g.module_px,
                        drawn.log_bytes,
                        log.len()
                    ),
                    None => note!("{w}x{h}: no QR code fits this screen; text only"),
                }
            } else {
                let drawn = draw_qr_screen(&mut fb, &msg, &report, style, &mut ws);
                match drawn.qr {
                    Some(q) => note!(
                        "{w}x{h} {}: QR version {} at {} px per module, {} of {} bytes of log",
                        format.name(),
                        q.version.number(),
                        q.module_px,
                        q.log_bytes,
                        log.len()
                    ),
                    None => note!("{w}x{h}: no QR code fits this screen; text only"),
                }
            }
        }
        ScreenKind::Kmsg => draw_kmsg_screen(&mut fb, &log, style),
        ScreenKind::User => draw_user_screen(&mut fb, &msg, style),
    }
    let raw = args
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("raw"));
    let bytes = if raw {
        mem
    } else {
        let mut rgb = buffer(w * h * 3)?;
        for y in 0..h {
            for x in 0..w {
                let c = fb.pixel(x, y);
                rgb.extend_from_slice(&[c.r, c.g, c.b]);
            }
        }
        let mut png = Vec::new();
        crate::render::png_rgb(w as u32, h as u32, &rgb, &mut png)?;
        png
    };
    io::write_output(Some(Path::new(&args.output)), &bytes)?;
    Ok(Outcome::Complete)
}

/// An empty buffer with room for `len` bytes, or an error instead of an
/// abort when there is not enough memory (a 16384x16384 screen is a
/// gigabyte per copy).
fn buffer(len: usize) -> Result<Vec<u8>, Failure> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| Failure::Other(anyhow!("not enough memory for {len} bytes of screen")))?;
    Ok(v)
}

/// The line that says what happened: the last "Kernel panic" line, else the
/// first BUG/Oops/WARNING/fault line, without its timestamp.
fn panic_line(log: &[u8]) -> String {
    let text = String::from_utf8_lossy(log);
    let strip = |l: &str| -> String {
        let mut l = l.trim();
        while let Some(rest) = l
            .strip_prefix('[')
            .and_then(|r| r.split_once(']').map(|(_, t)| t.trim_start()))
        {
            l = rest;
        }
        l.to_string()
    };
    if let Some(l) = text.lines().rev().find(|l| l.contains("Kernel panic")) {
        return strip(l);
    }
    let markers = [
        "BUG:",
        "Oops",
        "WARNING:",
        "general protection fault",
        "Unable to handle",
    ];
    text.lines()
        .find(|l| markers.iter().any(|m| l.contains(m)))
        .map(strip)
        .unwrap_or_else(|| "Kernel panic".to_string())
}
