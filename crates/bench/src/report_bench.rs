//! How much log fits in one version-40 report: panicqr's fitter against a
//! re-implementation of Linux drm_panic's scheme, side by side on the same
//! workload, with real zlib (built from libz-sys' bundled source) for the
//! Linux side.
//!
//! Workload: for each corpus file i (name order), files i−2, i−1 and i
//! concatenated (the crash last), cut to the last 16 KiB at a line start;
//! base URL `https://kernel-team.pages.debian.net/panic_report/#`, arch
//! `x86_64`, release `6.19.11+kali-amd64`, version 40.
//!
//! Linux's scheme: estimate = drm_panic_qr_max_data_size(40, url_len); take
//! the newest whole lines up to min(3 × estimate, 8,868) bytes; compress with
//! zlib level 6, windowBits 12, memLevel 4; while the result is larger than
//! the estimate, drop the oldest line and compress again.
//!
//! Run: `cargo run --release -p panicqr-bench --bin report-bench`.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::process::Command;
use std::time::Instant;

use panicqr_qr::Version;
use panicqr_report::{build, deflate, fit, url};

const BASE: &str = "https://kernel-team.pages.debian.net/panic_report/#";
const ARCH: &str = "x86_64";
const RELEASE: &str = "6.19.11+kali-amd64";

fn workload() -> Vec<Vec<u8>> {
    let files = panicqr_testkit::corpus();
    (0..files.len())
        .map(|i| {
            let mut log = Vec::new();
            for (_, file) in &files[i.saturating_sub(2)..=i] {
                log.extend_from_slice(file);
                if !log.ends_with(b"\n") {
                    log.push(b'\n');
                }
            }
            let cut = log.len().saturating_sub(16 * 1024);
            let start = if cut == 0 {
                0
            } else {
                log[cut..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(log.len(), |k| cut + k + 1)
            };
            log.split_off(start)
        })
        .collect()
}

/// Linux's `drm_panic_qr_max_data_size(version, url_len)` for a URL: the data
/// codewords minus the URL and 5 bytes of headers, times 39/40.
fn linux_estimate(url_len: usize) -> usize {
    let max_data = Version::MAX.data_codewords(panicqr_qr::EcLevel::L);
    if url_len + 5 >= max_data {
        0
    } else {
        (max_data - url_len - 5) * 39 / 40
    }
}

/// zlib at Linux's settings; returns the stream length.
fn zlib_linux(input: &[u8], out: &mut Vec<u8>) -> usize {
    use libz_sys::*;
    out.resize(input.len() + input.len() / 8 + 128, 0);
    let mut s = z_stream {
        next_in: std::ptr::null_mut(),
        avail_in: 0,
        total_in: 0,
        next_out: std::ptr::null_mut(),
        avail_out: 0,
        total_out: 0,
        msg: std::ptr::null_mut(),
        state: std::ptr::null_mut(),
        zalloc,
        zfree,
        opaque: std::ptr::null_mut(),
        data_type: 0,
        adler: 0,
        reserved: 0,
    };
    // SAFETY: `s` is zero-initialised as zlib requires; the version string and
    // struct size come from the same libz-sys build.
    let rc = unsafe {
        deflateInit2_(
            &mut s,
            6,
            Z_DEFLATED,
            12,
            4,
            Z_DEFAULT_STRATEGY,
            zlibVersion(),
            size_of::<z_stream>() as i32,
        )
    };
    assert_eq!(rc, Z_OK);
    s.next_in = input.as_ptr().cast_mut();
    s.avail_in = input.len() as u32;
    s.next_out = out.as_mut_ptr();
    s.avail_out = out.len() as u32;
    // SAFETY: next_in/avail_in and next_out/avail_out describe live buffers
    // (`input`, `out`) that outlive these calls; zlib only reads/writes within them.
    let rc = unsafe { deflate(&mut s, Z_FINISH) };
    assert_eq!(rc, Z_STREAM_END);
    let n = s.total_out as usize;
    // SAFETY: `s` was initialised by deflateInit2_ above.
    unsafe { deflateEnd(&mut s) };
    n
}

/// zlib's allocator hook, on Rust's allocator; a 16-byte header keeps the size.
extern "C" fn zalloc(
    _: libz_sys::voidpf,
    items: libz_sys::uInt,
    size: libz_sys::uInt,
) -> libz_sys::voidpf {
    let n = items as usize * size as usize + 16;
    let Ok(layout) = std::alloc::Layout::from_size_align(n, 16) else {
        return std::ptr::null_mut();
    };
    // SAFETY: the layout has a nonzero size.
    let p = unsafe { std::alloc::alloc(layout) };
    if p.is_null() {
        return p.cast();
    }
    // SAFETY: `p` points to at least 16 bytes, aligned to 16.
    unsafe {
        p.cast::<usize>().write(n);
        p.add(16).cast()
    }
}

extern "C" fn zfree(_: libz_sys::voidpf, p: libz_sys::voidpf) {
    if p.is_null() {
        return;
    }
    // SAFETY: zlib only frees pointers `zalloc` returned, which sit 16 bytes
    // after a header holding the allocation size.
    unsafe {
        let base = p.cast::<u8>().sub(16);
        let n = base.cast::<usize>().read();
        std::alloc::dealloc(base, std::alloc::Layout::from_size_align_unchecked(n, 16));
    }
}

/// Linux's fitting loop on `log`: (bytes of log kept, compressions).
fn linux_fit(log: &[u8], estimate: usize, cap_input: usize, zbuf: &mut Vec<u8>) -> (usize, u32) {
    let cut = log.len().saturating_sub(cap_input);
    let mut start = if cut == 0 {
        0
    } else {
        log[cut..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(log.len(), |k| cut + k + 1)
    };
    let mut n = 0;
    loop {
        n += 1;
        let size = zlib_linux(&log[start..], zbuf);
        if size <= estimate || start >= log.len() {
            break;
        }
        start = log[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(log.len(), |k| start + k + 1);
    }
    (log.len() - start, n)
}

/// Time of the whole panic path (`build::build`: fit, compress, URL, QR with
/// automatic mask) per input, best of `reps` runs, in µs; and what it kept.
fn time_build(log: &[u8], reps: usize, ws: &mut [u8], out: &mut [u8]) -> (f64, fit::Fitted) {
    let target = build::Target::new(BASE.as_bytes(), ARCH.as_bytes(), RELEASE.as_bytes());
    let mut best = f64::MAX;
    let mut fitted = None;
    for _ in 0..reps {
        let t = Instant::now();
        let b = build::build(log, &target, ws, out).unwrap();
        best = best.min(t.elapsed().as_secs_f64() * 1e6);
        fitted = Some(b.fitted);
    }
    (best, fitted.unwrap())
}

/// The time bound: every adversarial input through the whole panic path,
/// beside Linux's scheme on the same input, then the real logs.
fn worst_case(logs: &[Vec<u8>], estimate: usize, cap_input: usize) {
    println!("\nWorst case: build::build (fit + compress + URL + QR, auto mask), best of 3 runs, one core");
    println!(
        "{:<56} {:>10} {:>8} {:>6} {:>12} {:>10} {:>8}",
        "input (64 KiB)", "panicqr", "kept", "runs", "work units", "Linux", "kept"
    );
    let mut ws = vec![0u8; build::workspace_len(Version::MAX)];
    let mut out = vec![0u8; Version::MAX.symbol_len()];
    let mut zbuf = Vec::new();
    let mut worst: (f64, &str) = (0.0, "");
    for (name, log) in panicqr_testkit::adversarial::logs() {
        let (us, f) = time_build(&log, 3, &mut ws, &mut out);
        let t = Instant::now();
        let (lk, _) = linux_fit(&log, estimate, cap_input, &mut zbuf);
        let lus = t.elapsed().as_secs_f64() * 1e6;
        println!(
            "{name:<56} {:>7.1} ms {:>8} {:>6} {:>12} {:>7.1} ms {:>8}",
            us / 1e3,
            f.kept,
            f.compressions,
            f.work,
            lus / 1e3,
            lk
        );
        if us > worst.0 {
            worst = (us, name);
        }
    }
    let runs: Vec<(f64, fit::Fitted)> = logs
        .iter()
        .map(|log| time_build(log, 1, &mut ws, &mut out))
        .collect();
    let mut real: Vec<f64> = runs.iter().map(|r| r.0).collect();
    real.sort_by(f64::total_cmp);
    let mut work: Vec<u64> = runs.iter().map(|r| r.1.work).collect();
    work.sort();
    println!(
        "real logs: work units median {}, max {} (budget {})",
        work[work.len() / 2],
        work[work.len() - 1],
        deflate::WORK_BUDGET
    );
    println!(
        "\nworst adversarial: {:.1} ms ({}); real logs: median {:.1} ms, worst {:.1} ms (bound by construction: {} sizings + 1 write, each at most {} work units past which searches take one candidate)",
        worst.0 / 1e3,
        worst.1,
        real[real.len() / 2] / 1e3,
        real[real.len() - 1] / 1e3,
        fit::MAX_PROBES,
        deflate::WORK_BUDGET
    );
}

/// How much log each screen size carries: panicqr sizes the QR code to the
/// screen; Linux draws version 40 only when it fits at 2 px per module in
/// three quarters of the short side, and no QR code otherwise.
fn screens(logs: &[Vec<u8>], prefix: &[u8], linux_mean: f64) {
    println!("\nPer screen size (same workload; reason text as on the panic screen):");
    println!(
        "{:<11} {:>18} {:>14} {:>16}",
        "screen", "panicqr QR", "panicqr mean", "Linux mean"
    );
    let mut ws = vec![0u8; deflate::WORKSPACE_LEN];
    for (w, h) in [
        (320, 240),
        (640, 480),
        (800, 600),
        (1366, 768),
        (1920, 1080),
        (3840, 2160),
    ] {
        let reason = b"Kernel panic - not syncing: Fatal exception in interrupt";
        let Some(limit) = panicqr_screen::qr_plan(w, h, reason) else {
            println!("{:<11} {:>18}", format!("{w}x{h}"), "none");
            continue;
        };
        let cap = fit::capacity(prefix.len(), limit.max_version, url::Packing::Z).unwrap();
        let mut out = vec![0u8; cap];
        let carried: Vec<usize> = logs
            .iter()
            .map(|log| fit::fit(log, cap, &mut ws, &mut out).unwrap().kept)
            .collect();
        let linux_fits = 2 * (177 + 8) <= w.min(h) * 3 / 4;
        println!(
            "{:<11} {:>18} {:>14.0} {:>16}",
            format!("{w}x{h}"),
            format!("v{} at {} px", limit.max_version.number(), limit.module_px),
            Stats::mean(&carried),
            if linux_fits {
                format!("{linux_mean:.0}")
            } else {
                "0 (no QR)".to_string()
            }
        );
    }
}

/// Several codes per screen (issue 12): the default grid of codes a phone
/// reads, per screen size, against the one code of the classic screen.
fn parts_screens(logs: &[Vec<u8>]) {
    use panicqr_report::parts;
    use panicqr_screen::{parts_grid, PartsOptions, Report};
    println!("\nSeveral codes per screen (default: version <= 25 at >= 3 px, denser only when that carries less than one code):");
    println!(
        "{:<11} {:>22} {:>12} {:>12} {:>14} {:>10} {:>9}",
        "screen", "grid", "mean parts", "mean bytes", "one code mean", "whole log", "max ms"
    );
    let reason = b"Kernel panic - not syncing: Fatal exception in interrupt";
    for (w, h) in [
        (800, 600),
        (1024, 768),
        (1366, 768),
        (1920, 1080),
        (3840, 2160),
    ] {
        let report = Report {
            log: b"",
            base_url: BASE.as_bytes(),
            arch: ARCH.as_bytes(),
            release: RELEASE.as_bytes(),
        };
        let Some(g) = parts_grid(w, h, &report, &PartsOptions::default()) else {
            println!("{:<11} {:>22}", format!("{w}x{h}"), "none");
            continue;
        };
        let target = build::Target {
            max_version: g.version,
            ..build::Target::new(BASE.as_bytes(), ARCH.as_bytes(), RELEASE.as_bytes())
        };
        let mut ws = vec![0u8; parts::workspace_len(g.version, g.cells())];
        let (mut carried, mut counts, mut whole, mut worst) = (vec![], vec![], 0, 0f64);
        for log in logs {
            let t = Instant::now();
            let s = parts::split(log, &target, g.cells(), &mut ws).unwrap();
            worst = worst.max(t.elapsed().as_secs_f64() * 1e3);
            carried.push(log.len() - s.window_start());
            counts.push(s.count());
            whole += usize::from(s.window_start() == 0);
        }
        // The classic screen's one code, on the same logs.
        let one = panicqr_screen::qr_plan(w, h, reason).map_or(0.0, |limit| {
            let target = build::Target {
                max_version: limit.max_version,
                ..build::Target::new(BASE.as_bytes(), ARCH.as_bytes(), RELEASE.as_bytes())
            };
            let mut ws = vec![0u8; build::workspace_len(limit.max_version)];
            let mut out = vec![0u8; limit.max_version.symbol_len()];
            let kept: Vec<usize> = logs
                .iter()
                .map(|log| {
                    build::build(log, &target, &mut ws, &mut out)
                        .unwrap()
                        .fitted
                        .kept
                })
                .collect();
            Stats::mean(&kept)
        });
        println!(
            "{:<11} {:>22} {:>12.1} {:>12.0} {:>14.0} {:>9.1}% {:>9.1}",
            format!("{w}x{h}"),
            format!(
                "{} x v{} at {} px",
                g.cells(),
                g.version.number(),
                g.module_px
            ),
            Stats::mean(&counts),
            Stats::mean(&carried),
            one,
            100.0 * whole as f64 / logs.len() as f64,
            worst
        );
    }
}

struct Stats {
    carried: Vec<usize>,
    compressions: Vec<u32>,
    micros: Vec<f64>,
}

impl Stats {
    fn new() -> Self {
        Stats {
            carried: vec![],
            compressions: vec![],
            micros: vec![],
        }
    }
    fn mean(v: &[usize]) -> f64 {
        v.iter().sum::<usize>() as f64 / v.len() as f64
    }
    fn median(v: &[usize]) -> usize {
        let mut s = v.to_vec();
        s.sort();
        s[s.len() / 2]
    }
}

fn main() {
    let logs = workload();
    let linux_url = format!("{BASE}?a={ARCH}&v={RELEASE}&z=");
    let estimate = linux_estimate(linux_url.len());
    let linux_cap_input = (3 * estimate).min(8868);
    let mut ours_prefix = vec![0u8; 256];
    let plen = url::write_prefix(
        BASE.as_bytes(),
        ARCH.as_bytes(),
        RELEASE.as_bytes(),
        url::Packing::Z,
        &mut ours_prefix,
    )
    .unwrap();
    let cap = fit::capacity(plen, Version::MAX, url::Packing::Z).unwrap();

    let mut linux = Stats::new();
    let mut ours = Stats::new();
    let mut zbuf = Vec::new();
    let mut ws = vec![0u8; deflate::WORKSPACE_LEN];
    let mut out = vec![0u8; cap];
    let dir = std::env::temp_dir().join(format!("panicqr-rb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, log) in logs.iter().enumerate() {
        // Linux.
        let t = Instant::now();
        let (kept, n) = linux_fit(log, estimate, linux_cap_input, &mut zbuf);
        linux.micros.push(t.elapsed().as_secs_f64() * 1e6);
        linux.carried.push(kept);
        linux.compressions.push(n);

        // panicqr.
        let t = Instant::now();
        let f = fit::fit(log, cap, &mut ws, &mut out).unwrap();
        ours.micros.push(t.elapsed().as_secs_f64() * 1e6);
        ours.carried.push(f.kept);
        ours.compressions.push(f.compressions);
        std::fs::write(dir.join(format!("{i}.z")), &out[..f.compressed]).unwrap();
        std::fs::write(dir.join(format!("{i}.raw")), &log[f.start..]).unwrap();
    }
    // Every panicqr stream must inflate with Python's zlib (what pages built on
    // standard inflaters do) to the kept lines.
    let check = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import zlib\nfor i in range({}):\n  assert zlib.decompress(open('{d}/%d.z'%i,'rb').read())==open('{d}/%d.raw'%i,'rb').read(), i\nprint('ok')",
            logs.len(),
            d = dir.display()
        ))
        .output()
        .unwrap();
    let inflated = String::from_utf8_lossy(&check.stdout).trim() == "ok";
    std::fs::remove_dir_all(&dir).ok();

    println!("Log carried in one version-40 report, {} workload logs (corpus files i-2..i, last 16 KiB)\n", logs.len());
    println!("capacity: Linux estimate {estimate} compressed bytes (URL {} bytes); panicqr exact {cap} (URL {plen} bytes, `+` escaped)\n", linux_url.len());
    println!(
        "{:<10} {:>12} {:>12} {:>16} {:>16} {:>14}",
        "", "mean bytes", "median", "compressions/rep", "time/report", "workspace"
    );
    let mean_f = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let mean_u = |v: &[u32]| v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
    // zlib's own sizing: (1 << (windowBits + 2)) + (1 << (memLevel + 9)), plus its state.
    let zlib_ws = (1 << (12 + 2)) + (1 << (4 + 9));
    println!(
        "{:<10} {:>12.0} {:>12} {:>16.2} {:>13.0} µs {:>11} B",
        "Linux",
        Stats::mean(&linux.carried),
        Stats::median(&linux.carried),
        mean_u(&linux.compressions),
        mean_f(&linux.micros),
        zlib_ws
    );
    println!(
        "{:<10} {:>12.0} {:>12} {:>16.2} {:>13.0} µs {:>11} B",
        "panicqr",
        Stats::mean(&ours.carried),
        Stats::median(&ours.carried),
        mean_u(&ours.compressions),
        mean_f(&ours.micros),
        deflate::WORKSPACE_LEN
    );
    screens(&logs, &ours_prefix[..plen], Stats::mean(&linux.carried));
    parts_screens(&logs);
    worst_case(&logs, estimate, linux_cap_input);
    println!(
        "\nratio of mean bytes carried: {:.3}x   (max compressions: Linux {}, panicqr {}); panicqr streams inflate with Python zlib: {}",
        Stats::mean(&ours.carried) / Stats::mean(&linux.carried),
        linux.compressions.iter().max().unwrap(),
        ours.compressions.iter().max().unwrap(),
        if inflated { "all" } else { "NO" }
    );
}
