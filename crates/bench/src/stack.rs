//! Measures the peak stack use of one encode by painting the stack.
//!
//! A function fills a large local array with a pattern and returns; the
//! encoder then runs from the same call depth, over the same memory; a third
//! function, again from that depth, counts how much of the pattern is left at
//! the far end. The figure includes the few bytes of the `run` wrapper frame.
//! Reading the stale stack is outside Rust's model (hence the `unsafe` here,
//! in a measuring tool only); it is reliable in practice on x86_64 and arm64.
//!
//! Run: `cargo run --release -p panicqr-bench --bin stack`.

use std::hint::black_box;

use panicqr_qr::{encode, EcLevel, Mask, MaskChoice, Options, Segment, Version};

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
        // mapped (no signal handlers run here); the bytes are
        // stale (written by `paint` or the encoder), read as plain integers.
        if unsafe { std::ptr::read_volatile(p.add(n)) } != PAINT {
            break;
        }
        n += 1;
    }
    n
}

#[inline(never)]
fn noop() -> usize {
    black_box(0)
}

#[inline(never)]
fn run(segs: &[Segment<'_>], opts: &Options, scratch: &mut [u8], out: &mut [u8]) -> usize {
    black_box(
        encode(black_box(segs), black_box(opts), scratch, out)
            .map(|s| s.width())
            .unwrap_or(0),
    )
}

fn main() {
    let url = b"https://kernel-team.pages.debian.net/panic_report/#?a=x86_64&v=6.1&z=";
    let payload: Vec<u8> = (0..2833u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let digits: Vec<u8> = (0..7089).map(|i| b'0' + (i * 7 % 10) as u8).collect();
    println!("peak stack of one encode (bytes), measured by stack painting:");
    let baseline = {
        let low = paint();
        black_box(noop());
        REGION - untouched(low)
    };
    println!("  {:<45} {baseline:>6}", "(baseline: an empty function)");
    for (name, segs, mask) in [
        (
            "V40 report (URL + z= digits), auto mask",
            vec![Segment::Bytes(url), Segment::DecimalBytes(&payload[..2790])],
            MaskChoice::Auto,
        ),
        (
            "V40 report (URL + z= digits), mask 0",
            vec![Segment::Bytes(url), Segment::DecimalBytes(&payload[..2790])],
            MaskChoice::Fixed(Mask::MIN),
        ),
        (
            "V40 numeric, auto mask",
            vec![Segment::Numeric(&digits[..7089])],
            MaskChoice::Auto,
        ),
        (
            "V40 legacy zl= digits, auto mask",
            vec![
                Segment::Bytes(url),
                Segment::DecimalBytesLegacy(&payload[..2700]),
            ],
            MaskChoice::Auto,
        ),
    ] {
        let opts = Options {
            ec_level: EcLevel::L,
            mask,
            ..Options::default()
        };
        let mut scratch = vec![0u8; Version::MAX.scratch_len(MaskChoice::Auto)];
        let mut out = vec![0u8; Version::MAX.symbol_len()];
        let mut worst = 0;
        for _ in 0..5 {
            let low = paint();
            let w = run(&segs, &opts, &mut scratch, &mut out);
            let used = REGION - untouched(low);
            assert!(w > 0, "{name}: encode failed");
            worst = worst.max(used);
        }
        println!("  {name:<45} {worst:>6}  (width {})", Version::MAX.width());
    }
    // The whole report pipeline (fit, compress, URL, QR) as a panic handler runs it.
    let log: Vec<u8> = panicqr_testkit::corpus()
        .iter()
        .take(3)
        .flat_map(|(_, d)| d.clone())
        .collect();
    let mut ws = vec![0u8; panicqr_report::build::workspace_len(Version::MAX)];
    let mut out = vec![0u8; Version::MAX.symbol_len()];
    let mut worst = 0;
    for _ in 0..3 {
        let low = paint();
        let kept = build_report(&log, &mut ws, &mut out);
        let used = REGION - untouched(low);
        assert!(kept > 0);
        worst = worst.max(used);
    }
    println!(
        "  {:<45} {worst:>6}",
        "report build (fit + deflate + QR), V40"
    );
    let cap = panicqr_report::fit::capacity(90, Version::MAX, Default::default()).unwrap();
    let mut z = vec![0u8; cap];
    let mut dws = vec![0u8; panicqr_report::deflate::WORKSPACE_LEN];
    let mut worst = 0;
    for _ in 0..3 {
        let low = paint();
        let kept = fit_only(&log, cap, &mut dws, &mut z);
        let used = REGION - untouched(low);
        assert!(kept > 0);
        worst = worst.max(used);
    }
    println!(
        "  {:<45} {worst:>6}",
        "fit (deflate sizing and writing) alone"
    );
}

#[inline(never)]
fn fit_only(log: &[u8], cap: usize, ws: &mut [u8], z: &mut [u8]) -> usize {
    black_box(
        panicqr_report::fit::fit(black_box(log), cap, ws, z)
            .map(|f| f.kept)
            .unwrap_or(0),
    )
}

#[inline(never)]
fn build_report(log: &[u8], ws: &mut [u8], out: &mut [u8]) -> usize {
    let target = panicqr_report::build::Target::new(
        b"https://kernel-team.pages.debian.net/panic_report/#",
        b"x86_64",
        b"6.19.11+kali-amd64",
    );
    let built = panicqr_report::build::build(black_box(log), black_box(&target), ws, out);
    black_box(built.map(|b| b.fitted.kept).unwrap_or(0))
}
