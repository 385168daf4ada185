//! Reading photos of crashed screens: `panicqr scan` (the library) against
//! `zbarimg`, side by side on the generated photo set (see
//! `panicqr_testkit::photos`). Counts images decoded to the exact log, per
//! class, and the median time per image (zbarimg's includes starting the
//! process and reading a PNG; ours reads the same PNG).
//!
//! Run: `cargo run --release -p panicqr-bench --bin scan-bench`.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Instant;

use panicqr_testkit::photos::{photo_set, Class};

fn decodes_to(text: &[u8], log: &[u8]) -> bool {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| panicqr_report::decode::decode(t).ok())
        .is_some_and(|d| d.is_complete() && d.log == log)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let corpus = panicqr_testkit::corpus();
    let log: Vec<u8> = corpus.iter().take(6).flat_map(|(_, d)| d.clone()).collect();
    let photos = photo_set(&log, &Class::ALL);
    let dir = std::env::temp_dir().join(format!("panicqr-scan-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut ours: BTreeMap<Class, (usize, usize, Vec<f64>)> = BTreeMap::new();
    let mut zbar: BTreeMap<Class, (usize, Vec<f64>)> = BTreeMap::new();
    // Each pure-Rust decoder alone, same image forms: how the order was chosen.
    let mut alone: BTreeMap<Class, (usize, usize)> = BTreeMap::new();
    for (i, p) in photos.iter().enumerate() {
        let path = dir.join(format!("{i}.png"));
        p.image.save(&path).unwrap();
        let t = Instant::now();
        let img = image::open(&path).unwrap();
        let ok = panicqr_scan::scan(&img).is_ok_and(|f| decodes_to(&f.text, &p.log));
        let ours_ms = t.elapsed().as_secs_f64() * 1e3;
        let only = |d| panicqr_scan::scan_with(&img, d).is_ok_and(|f| decodes_to(&f.text, &p.log));
        let a = alone.entry(p.class).or_default();
        a.0 += usize::from(only(panicqr_scan::Decoders::Rxing));
        a.1 += usize::from(only(panicqr_scan::Decoders::Rqrr));
        let t = Instant::now();
        let z = Command::new("zbarimg")
            .args(["--quiet", "--raw", "-Sbinary"])
            .arg(&path)
            .output()
            .unwrap();
        let zbar_ms = t.elapsed().as_secs_f64() * 1e3;
        let zok = z.status.success() && decodes_to(&z.stdout, &p.log);
        let e = ours.entry(p.class).or_default();
        e.0 += usize::from(ok);
        e.1 += 1;
        e.2.push(ours_ms);
        let z = zbar.entry(p.class).or_default();
        z.0 += usize::from(zok);
        z.1.push(zbar_ms);
        if verbose && (!ok || !zok) {
            println!(
                "{:<60} panicqr {} zbarimg {}",
                p.name,
                if ok { "ok" } else { "FAIL" },
                if zok { "ok" } else { "FAIL" }
            );
        }
        std::fs::remove_file(&path).ok();
    }
    println!("Photos of a crashed screen (v10/25/40 at 3/4/6 px; 8 degradations per class), decoded to the exact log:\n");
    println!(
        "{:<8} {:>7} {:>16} {:>16} {:>14} {:>14}",
        "class", "images", "panicqr scan", "zbarimg", "panicqr median", "zbarimg median"
    );
    let (mut t_ok, mut t_all, mut t_z) = (0, 0, 0);
    for class in Class::ALL {
        let (ok, n, times) = ours.remove(&class).unwrap_or_default();
        let (zok, ztimes) = zbar.remove(&class).unwrap_or_default();
        t_ok += ok;
        t_all += n;
        t_z += zok;
        println!(
            "{:<8} {:>7} {:>10} ({:>3.0}%) {:>10} ({:>3.0}%) {:>11.0} ms {:>11.0} ms",
            format!("{class:?}"),
            n,
            ok,
            100.0 * ok as f64 / n as f64,
            zok,
            100.0 * zok as f64 / n as f64,
            median(times),
            median(ztimes)
        );
    }
    println!(
        "{:<8} {:>7} {:>10} ({:>3.0}%) {:>10} ({:>3.0}%)",
        "all",
        t_all,
        t_ok,
        100.0 * t_ok as f64 / t_all as f64,
        t_z,
        100.0 * t_z as f64 / t_all as f64
    );
    println!("\nEach decoder alone (same image forms): rxing / rqrr");
    for (class, (rx, rq)) in &alone {
        println!(
            "{:<8} rxing {:>3} of 72, rqrr {:>3} of 72",
            format!("{class:?}"),
            rx,
            rq
        );
    }
    // A 12-megapixel camera photo: one medium photo upscaled to 4000×3000,
    // read from a JPEG file as a phone would save it, on one core.
    let p = photos
        .iter()
        .find(|p| p.class == Class::Medium && p.name.contains("v40 4px"))
        .unwrap();
    let big = image::imageops::resize(&p.image, 4000, 3000, image::imageops::FilterType::Triangle);
    let path = dir.join("12mp.jpg");
    image::DynamicImage::ImageLuma8(big).save(&path).unwrap();
    let times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let img = image::open(&path).unwrap();
            assert!(panicqr_scan::scan(&img).is_ok_and(|f| decodes_to(&f.text, &p.log)));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!(
        "\n12 MP JPEG photo (4000x3000), open + scan on one core: median {:.0} ms",
        median(times)
    );
    std::fs::remove_dir_all(&dir).ok();
}
