//! Measuring tools shared by the bench binaries and their tests.
//!
//! [`peak_stack`] measures the peak stack use of a call by painting the
//! stack: a function fills a large local array with a pattern and returns;
//! the measured call then runs from the same call depth, over the same
//! memory; a third function, again from that depth, counts how much of the
//! pattern is left at the far end. The figure includes the frame of the
//! closure that makes the call. Reading the stale stack is outside Rust's
//! model (hence the `unsafe` here, in a measuring tool only); it is reliable
//! in practice on x86_64 and arm64, and deterministic for a given binary:
//! unlike a time, it can be asserted.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::hint::black_box;

const REGION: usize = 64 * 1024;
const PAINT: u8 = 0xA5;

/// Paints the region and returns its lowest address.
#[inline(never)]
fn paint() -> usize {
    let mut buf = [0u8; REGION];
    for b in buf.iter_mut() {
        // SAFETY: `b` is a valid, aligned reference into a local array.
        unsafe { std::ptr::write_volatile(b, PAINT) };
    }
    black_box(&buf);
    buf.as_ptr() as usize
}

/// Bytes of the pattern left above `low` (the address `paint` returned).
#[inline(never)]
fn untouched(low: usize) -> usize {
    // The region is below the caller's stack pointer but stays mapped once
    // `paint` touched it. This frame must stay small: the stack probes of a
    // large frame would write over the pattern.
    let p = low as *const u8;
    let mut n = 0;
    while n < REGION {
        // SAFETY: `p + n` lies in the stack region `paint` owned, still
        // mapped (no signal handlers run here); the bytes are stale (written
        // by `paint` or the measured call), read as plain integers.
        if unsafe { std::ptr::read_volatile(p.add(n)) } != PAINT {
            break;
        }
        n += 1;
    }
    n
}

/// Peak stack bytes of `f` (the worst of `runs` calls), and its last result.
#[inline(never)]
pub fn peak_stack<T>(runs: usize, mut f: impl FnMut() -> T) -> (usize, Option<T>) {
    let mut worst = 0;
    let mut last = None;
    for _ in 0..runs {
        let low = paint();
        let r = black_box(f());
        worst = worst.max(REGION - untouched(low));
        last = Some(r);
    }
    (worst, last)
}

/// The stack budget of the panic path: an NMI or machine-check handler
/// runs on a 4 KiB exception stack, and the kernel warns at 2 KiB a frame.
pub const STACK_BUDGET: usize = 2048;

/// Peak stack of every panic-path entry point, measured now: the QR encoder
/// at version 40, `report::build` (fit, compress, URL, QR with automatic
/// mask), and the C entry points. Each row: (what, bytes).
pub fn panic_path_stacks() -> Vec<(&'static str, usize)> {
    use panicqr_qr::{encode, EcLevel, Mask, MaskChoice, Options, Segment, Version};
    let url = b"https://kernel-team.pages.debian.net/panic_report/#?a=x86_64&v=6.1&z=";
    let payload: Vec<u8> = (0..2833u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let log: Vec<u8> = panicqr_testkit::corpus()
        .iter()
        .take(3)
        .flat_map(|(_, d)| d.clone())
        .collect();
    let mut rows = Vec::new();
    let mut scratch = vec![0u8; Version::MAX.scratch_len(MaskChoice::Auto)];
    let mut out = vec![0u8; Version::MAX.symbol_len()];
    for (name, mask) in [
        ("QR encode, V40 report, auto mask", MaskChoice::Auto),
        (
            "QR encode, V40 report, mask 0",
            MaskChoice::Fixed(Mask::MIN),
        ),
    ] {
        let opts = Options {
            ec_level: EcLevel::L,
            mask,
            ..Options::default()
        };
        let segs = [Segment::Bytes(url), Segment::DecimalBytes(&payload[..2790])];
        let (bytes, w) = peak_stack(5, || {
            encode(black_box(&segs), black_box(&opts), &mut scratch, &mut out)
                .map(|s| s.width())
                .unwrap_or(0)
        });
        assert_eq!(w, Some(177), "{name}: encode failed");
        rows.push((name, bytes));
    }
    let mut ws = vec![0u8; panicqr_report::build::workspace_len(Version::MAX)];
    let target = panicqr_report::build::Target::new(
        b"https://kernel-team.pages.debian.net/panic_report/#",
        b"x86_64",
        b"6.19.11+kali-amd64",
    );
    let (bytes, kept) = peak_stack(3, || {
        panicqr_report::build::build(black_box(&log), black_box(&target), &mut ws, &mut out)
            .map(|b| b.fitted.kept)
            .unwrap_or(0)
    });
    assert!(kept.unwrap_or(0) > 0, "report::build failed");
    rows.push(("report::build (fit, compress, URL, QR auto mask)", bytes));
    // A report over several codes: the split, then every part's code.
    let v25 = Version::new(25).unwrap_or(Version::MAX);
    let parts_target = panicqr_report::build::Target {
        max_version: v25,
        ..target
    };
    let mut pws = vec![0u8; panicqr_report::parts::workspace_len(v25, 16)];
    let (bytes, count) = peak_stack(3, || {
        let Ok(s) = panicqr_report::parts::split(black_box(&log), &parts_target, 16, &mut pws)
        else {
            return 0;
        };
        (1..=s.count())
            .filter(|&i| {
                panicqr_report::parts::build_part(&parts_target, &s, i, &mut pws, &mut out).is_ok()
            })
            .count()
    });
    assert!(count.unwrap_or(0) > 1, "parts failed");
    rows.push(("report::parts (split, every part's QR)", bytes));
    rows.extend(c_entry_points(&log));
    rows
}

fn c_entry_points(log: &[u8]) -> Vec<(&'static str, usize)> {
    use panicqr_ffi::*;
    let mut rows = Vec::new();
    let url = b"https://kernel-team.pages.debian.net/panic_report/#?a=x86_64&v=6.1&z=\0";
    let mut data = vec![0u8; PANICQR_DRM_DATA_SIZE];
    for (i, d) in data.iter_mut().enumerate().take(2000) {
        *d = (i * 7) as u8;
    }
    let mut tmp = vec![0u8; PANICQR_DRM_TMP_SIZE];
    let (bytes, w) = peak_stack(3, || {
        // SAFETY: `url` is NUL-terminated; `data` holds `data.len()` bytes of
        // which the first 2000 are the payload; `tmp` holds `tmp.len()`.
        unsafe {
            panicqr_drm_generate(
                url.as_ptr().cast(),
                data.as_mut_ptr(),
                2000,
                data.len(),
                tmp.as_mut_ptr(),
                tmp.len(),
            )
        }
    });
    assert!(w.unwrap_or(0) > 0, "panicqr_drm_generate failed");
    rows.push(("C panicqr_drm_generate", bytes));

    let base = b"https://kernel-team.pages.debian.net/panic_report/#";
    let opts = PanicqrReportOptions {
        base_url: base.as_ptr(),
        base_url_len: base.len(),
        arch: b"x86_64".as_ptr(),
        arch_len: 6,
        release: b"6.19.11".as_ptr(),
        release_len: 7,
        max_version: 40,
        layout: 0,
    };
    let mut ws = vec![0u8; PANICQR_REPORT_WORKSPACE_LEN_MAX];
    let mut out = vec![0u8; PANICQR_QR_SYMBOL_LEN_MAX];
    let mut info = PanicqrReportInfo::default();
    let (bytes, st) = peak_stack(3, || {
        // SAFETY: every pointer/length pair describes a live buffer of that
        // length; `opts`' strings outlive the call; `info` is writable.
        unsafe {
            panicqr_report_build(
                log.as_ptr(),
                log.len(),
                &opts,
                ws.as_mut_ptr(),
                ws.len(),
                out.as_mut_ptr(),
                out.len(),
                &mut info,
            )
        }
    });
    assert_eq!(st, Some(Status::Ok), "panicqr_report_build failed");
    rows.push(("C panicqr_report_build", bytes));

    let parts_opts = PanicqrReportOptions {
        max_version: 25,
        ..opts
    };
    let mut pws = vec![0u8; panicqr_parts_workspace_len(25, PANICQR_PARTS_MAX)];
    let mut pout = vec![0u8; 16 * panicqr_qr_symbol_len(25)];
    let mut infos = [PanicqrReportInfo::default(); 16];
    let mut count = 0u32;
    let (bytes, st) = peak_stack(3, || {
        // SAFETY: every pointer/length pair describes a live buffer of that
        // length; `infos` has 16 entries; `count` is writable.
        unsafe {
            panicqr_report_parts(
                log.as_ptr(),
                log.len(),
                &parts_opts,
                PANICQR_PARTS_MAX,
                pws.as_mut_ptr(),
                pws.len(),
                pout.as_mut_ptr(),
                pout.len(),
                infos.as_mut_ptr(),
                infos.len(),
                &mut count,
            )
        }
    });
    assert_eq!(st, Some(Status::Ok), "panicqr_report_parts failed");
    assert!(count > 1, "panicqr_report_parts made {count} parts");
    rows.push(("C panicqr_report_parts (16 x version 25)", bytes));

    let (w, h) = (1024u32, 768u32);
    let mut fb = vec![0u8; (w * h * 4) as usize];
    let mut sws = vec![0u8; PANICQR_SCREEN_WORKSPACE_LEN];
    let title = b"KERNEL PANIC!";
    let reason = b"Kernel panic - not syncing: Fatal exception";
    let so = PanicqrScreenOptions {
        width: w,
        height: h,
        stride: (w * 4) as usize,
        pixel_format: PANICQR_PIXEL_FORMAT_XRGB8888,
        screen: PANICQR_SCREEN_QR,
        fg: 0xFFFFFF,
        bg: 0,
        title: title.as_ptr(),
        title_len: title.len(),
        reason: reason.as_ptr(),
        reason_len: reason.len(),
        log: log.as_ptr(),
        log_len: log.len(),
        base_url: base.as_ptr(),
        base_url_len: base.len(),
        arch: b"x86_64".as_ptr(),
        arch_len: 6,
        release: b"6.19.11".as_ptr(),
        release_len: 7,
    };
    let mut sinfo = PanicqrScreenInfo::default();
    let (bytes, st) = peak_stack(3, || {
        // SAFETY: as above: live buffers of the given lengths, strings that
        // outlive the call, a writable info struct.
        unsafe {
            panicqr_screen_draw(
                fb.as_mut_ptr(),
                fb.len(),
                &so,
                sws.as_mut_ptr(),
                sws.len(),
                &mut sinfo,
            )
        }
    });
    assert_eq!(st, Some(Status::Ok), "panicqr_screen_draw failed");
    rows.push(("C panicqr_screen_draw (QR screen, 1024x768)", bytes));

    // The parts screen: the split, the text, every part's code built and
    // drawn.
    let (w, h) = (1920u32, 1080u32);
    let mut fb = vec![0u8; (w * h * 4) as usize];
    let mut pws = vec![0u8; PANICQR_SCREEN_PARTS_WORKSPACE_LEN];
    let po = PanicqrScreenOptions {
        width: w,
        height: h,
        stride: (w * 4) as usize,
        screen: PANICQR_SCREEN_PARTS,
        ..so
    };
    let (bytes, st) = peak_stack(3, || {
        // SAFETY: as above.
        unsafe {
            panicqr_screen_draw(
                fb.as_mut_ptr(),
                fb.len(),
                &po,
                pws.as_mut_ptr(),
                pws.len(),
                &mut sinfo,
            )
        }
    });
    assert_eq!(st, Some(Status::Ok), "panicqr_screen_draw (parts) failed");
    assert!(
        sinfo.codes > 1,
        "the parts screen drew {} codes",
        sinfo.codes
    );
    rows.push(("C panicqr_screen_draw (parts screen, 1920x1080)", bytes));
    rows
}
