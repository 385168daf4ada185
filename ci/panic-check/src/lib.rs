//! Proof on the linked object that the encoder cannot panic: the panic
//! handler calls a function that is defined nowhere, so linking a program
//! that calls these entry points fails if any panic path survives
//! optimisation. Inputs go through `black_box` so nothing is constant-folded.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

use core::hint::black_box;

use panicqr_qr::{encode, EcLevel, Mask, MaskChoice, Options, Segment, Version};

unsafe extern "C" {
    /// Deliberately undefined: referenced only if a panic can happen.
    fn panicqr_panic_is_reachable() -> !;
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: never defined; the link fails if this is reachable, which is the point.
    unsafe { panicqr_panic_is_reachable() }
}

/// One encode of every segment kind with opaque inputs and options; returns
/// the width, or 0 on error.
#[no_mangle]
pub extern "C" fn panicqr_check_encode(seed: u64) -> u32 {
    let data: [u8; 3000] = black_box([seed as u8; 3000]);
    let lens: [usize; 5] = black_box([seed as usize; 5]);
    let part = |i: usize| {
        data.get(..lens.get(i).copied().unwrap_or(0).min(data.len()))
            .unwrap_or(&[])
    };
    let segs = [
        Segment::Bytes(part(0)),
        Segment::Numeric(part(1)),
        Segment::Alphanumeric(part(2)),
        Segment::DecimalBytes(part(3)),
        Segment::DecimalBytesLegacy(part(4)),
    ];
    let n: usize = black_box(5);
    let segs = segs.get(..n.min(5)).unwrap_or(&[]);
    let ec = EcLevel::ALL
        .get(black_box(seed as usize) % 4)
        .copied()
        .unwrap_or(EcLevel::L);
    let mask = match Mask::new(black_box(seed as u8)) {
        Some(m) => MaskChoice::Fixed(m),
        None => MaskChoice::Auto,
    };
    let opts = Options {
        ec_level: ec,
        min_version: Version::new(black_box(1)).unwrap_or(Version::MIN),
        max_version: Version::new(black_box(40)).unwrap_or(Version::MAX),
        boost_ec: black_box(true),
        mask,
    };
    let mut scratch = [0u8; Version::MAX.scratch_len(MaskChoice::Auto)];
    let mut out = [0u8; Version::MAX.symbol_len()];
    let s_len = black_box(scratch.len());
    let o_len = black_box(out.len());
    let (Some(s), Some(o)) = (scratch.get_mut(..s_len), out.get_mut(..o_len)) else {
        return 0;
    };
    match encode(segs, &opts, s, o) {
        Ok(sym) => {
            let w = sym.width() as u32;
            let dark = sym.is_dark(black_box(3), black_box(4)) as u32;
            let bitmap = sym.into_kernel_bitmap();
            w + dark + u32::from(bitmap.first().copied().unwrap_or(0))
        }
        Err(_) => 0,
    }
}

/// The whole report pipeline (fit, compress, URL, QR) on an opaque log.
#[cfg(feature = "report")]
#[no_mangle]
pub extern "C" fn panicqr_check_report(seed: u64) -> usize {
    use panicqr_report::build;
    let log: [u8; 2000] = black_box([seed as u8; 2000]);
    let n = black_box(seed as usize).min(log.len());
    let max = Version::new(black_box(seed as u8)).unwrap_or(Version::MAX);
    let mut ws = [0u8; build::workspace_len(Version::MAX)];
    let mut out = [0u8; Version::MAX.symbol_len()];
    let url: &[u8] = black_box(b"https://e.org/#");
    let packing = if black_box(seed) & 1 == 0 {
        panicqr_report::url::Packing::Z
    } else {
        panicqr_report::url::Packing::Legacy
    };
    let target = build::Target {
        max_version: max,
        mask: MaskChoice::Auto,
        packing,
        ..build::Target::new(url, black_box(b"x86_64"), black_box(b"6.1"))
    };
    match build::build(log.get(..n).unwrap_or(&[]), &target, &mut ws, &mut out) {
        Ok(b) => b.fitted.kept.wrapping_add(b.symbol.width()),
        Err(_) => 0,
    }
}

/// A report split over several codes, every part built.
#[cfg(feature = "report")]
#[no_mangle]
pub extern "C" fn panicqr_check_parts(seed: u64) -> usize {
    use panicqr_report::{build, parts};
    let log: [u8; 3000] = black_box([seed as u8; 3000]);
    let n = black_box(seed as usize).min(log.len());
    let v = Version::new(black_box(seed as u8)).unwrap_or(Version::MIN);
    let mut ws = [0u8; parts::workspace_len(Version::new(10).unwrap(), 4)];
    let mut out = [0u8; Version::MAX.symbol_len()];
    let target = build::Target {
        max_version: v,
        ..build::Target::new(
            black_box(b"https://e.org/#"),
            black_box(b"x86_64"),
            black_box(b"6.1"),
        )
    };
    let log = log.get(..n).unwrap_or(&[]);
    let Ok(s) = parts::split(log, &target, black_box(4), &mut ws) else {
        return 0;
    };
    let mut total = s.count().wrapping_add(s.id() as usize);
    for i in 1..=s.count() {
        if let Ok(b) = parts::build_part(&target, &s, i, &mut ws, &mut out) {
            total = total.wrapping_add(b.symbol.width());
        }
    }
    total
}

/// Every screen into an opaque framebuffer.
#[cfg(feature = "screen")]
#[no_mangle]
pub extern "C" fn panicqr_check_screen(seed: u64) -> usize {
    use panicqr_screen::{
        draw_kmsg_screen, draw_parts_screen, draw_qr_screen, draw_user_screen, Framebuffer,
        Message, PartsOptions, PixelFormat, Report, Rgb, Style, PARTS_WORKSPACE_LEN,
    };
    let mut mem = [0u8; 64 * 48 * 4];
    // Enough for every screen (the parts screen's is the largest).
    let mut ws = [0u8; PARTS_WORKSPACE_LEN];
    let text: [u8; 300] = black_box([seed as u8; 300]);
    let n = black_box(seed as usize).min(text.len());
    let t = text.get(..n).unwrap_or(&[]);
    let format = PixelFormat::ALL
        .get(black_box(seed as usize) % PixelFormat::ALL.len())
        .copied()
        .unwrap_or(PixelFormat::Xrgb8888);
    let (w, h) = (black_box(seed as usize), black_box(seed as usize >> 8));
    // The harness's own arithmetic wraps: only the library's may be proved.
    let Ok(mut fb) = Framebuffer::new(&mut mem, w, h, black_box(w.wrapping_mul(4)), format) else {
        return 0;
    };
    let style = Style {
        fg: Rgb::hex(black_box(seed as u32)),
        bg: Rgb::hex(black_box(seed as u32 >> 8)),
    };
    let msg = Message {
        title: t,
        reason: t,
    };
    let report = Report {
        log: t,
        base_url: black_box(b"https://e.org/#"),
        arch: t,
        release: t,
    };
    let drawn = match black_box(seed) % 4 {
        0 => draw_qr_screen(&mut fb, &msg, &report, style, &mut ws)
            .qr
            .map_or(0, |q| q.log_bytes),
        3 => {
            let opts = PartsOptions {
                max_parts: black_box(seed as usize >> 16),
                max_version: Version::new(black_box(seed as u8)).unwrap_or(Version::MIN),
                min_module_px: black_box(seed as usize >> 24),
            };
            let d = draw_parts_screen(&mut fb, &msg, &report, style, &opts, &mut ws);
            d.log_bytes
                .wrapping_add(d.count)
                .wrapping_add(d.log_text.map_or(0, |b| b.rows))
        }
        1 => {
            draw_kmsg_screen(&mut fb, t, style);
            1
        }
        _ => {
            draw_user_screen(&mut fb, &msg, style);
            2
        }
    };
    drawn.wrapping_add(usize::from(fb.pixel(black_box(3), black_box(4)).r))
}
