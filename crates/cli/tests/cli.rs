//! Runs the real `panicqr` binary: formats, stdin, exit codes, bad input.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

mod common;

use std::path::{Path, PathBuf};

use common::{assert_exit_0, panicqr};
use panicqr_testkit::{decode_rqrr, decode_zbarimg, require_zbarimg, Grid};

fn grid_from_matrix(text: &str) -> Grid {
    let rows: Vec<&str> = text.lines().collect();
    Grid::from_fn(rows.len(), |x, y| rows[y].as_bytes()[x] == b'1')
}

#[test]
fn matrix_output_decodes_with_rqrr() {
    let text = "Oops: general protection fault, probably for non-canonical address";
    let out = panicqr(&["qr", "--format", "matrix", text], b"");
    assert!(out.status.success());
    let grid = grid_from_matrix(std::str::from_utf8(&out.stdout).unwrap());
    assert_eq!(
        decode_rqrr(&grid.to_image(4, 4)),
        vec![text.as_bytes().to_vec()]
    );
}

#[test]
fn png_output_decodes_with_zbarimg_and_stdin_dash_works() {
    require_zbarimg();
    let dir = std::env::temp_dir().join(format!("panicqr-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("qr.png");
    let text = b"BUG: KASAN: use-after-free in ext4_find_extent+0x9b/0x950\n";
    let out = panicqr(
        &[
            "qr",
            "--ecc",
            "q",
            "--format",
            "png",
            "-o",
            png.to_str().unwrap(),
            "-",
        ],
        text,
    );
    assert_exit_0(&out);
    assert_eq!(decode_zbarimg(&png).as_deref(), Some(&text[..]));
    let svg = panicqr(&["qr", "--format", "svg", "hello"], b"");
    assert!(String::from_utf8(svg.stdout).unwrap().starts_with("<?xml"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn fixed_mask_and_versions_are_honoured() {
    let out = panicqr(
        &[
            "qr",
            "--format",
            "matrix",
            "--mask",
            "5",
            "--min-version",
            "7",
            "x",
        ],
        b"",
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 45);
    assert!(String::from_utf8_lossy(&out.stderr).contains("mask 5"));
}

#[test]
fn text_too_long_is_a_one_line_error_with_exit_2() {
    let long = "x".repeat(3000);
    let out = panicqr(&["qr", "--ecc", "L", &long], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("holds 23648"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_options_exit_2() {
    for args in [
        &["qr", "--mask", "8", "x"][..],
        &["qr", "--max-version", "41", "x"],
        &["qr", "--min-version", "9", "--max-version", "3", "x"],
        &["qr", "--ecc", "z", "x"],
    ] {
        let out = panicqr(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

fn corpus_file(name: &str) -> PathBuf {
    panicqr_testkit::testdata().join("corpus").join(name)
}

#[test]
fn encode_png_scans_with_zbarimg_and_decodes_to_the_newest_lines() {
    require_zbarimg();
    let dir = std::env::temp_dir().join(format!("panicqr-enc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("report.png");
    let log_path = corpus_file("syzkaller-0120.log");
    let log = std::fs::read(&log_path).unwrap();
    let out = panicqr(
        &[
            "encode",
            "--arch",
            "x86_64",
            "--release",
            "6.19.11+kali-amd64",
            "--format",
            "png",
            "--scale",
            "3",
            "-o",
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "missing -o value must be rejected"
    );
    let out = panicqr(
        &[
            "encode",
            "--arch",
            "x86_64",
            "--release",
            "6.19.11+kali-amd64",
            "--format",
            "png",
            "--scale",
            "3",
            "-o",
            png.to_str().unwrap(),
            log_path.to_str().unwrap(),
        ],
        b"",
    );
    assert_exit_0(&out);
    let scanned = decode_zbarimg(&png).expect("zbarimg found no QR code");
    let url = String::from_utf8(scanned).unwrap();
    assert!(url.starts_with(
        "https://kernel-team.pages.debian.net/panic_report/#?a=x86_64&v=6.19.11%2Bkali-amd64&z="
    ));
    let dec = panicqr(&["decode", &url], b"");
    assert_eq!(dec.status.code(), Some(0));
    assert!(!dec.stdout.is_empty() && log.ends_with(&dec.stdout));
    assert!(dec.stdout.len() == log.len() || log[log.len() - dec.stdout.len() - 1] == b'\n');
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn decodes_a_real_kernel_report_url() {
    // testdata/vectors: the QR text the Linux encoder produced.
    let v = std::fs::read_to_string(
        panicqr_testkit::testdata().join("vectors/kernel-v1-url-small.txt"),
    )
    .unwrap();
    let url = v
        .lines()
        .find_map(|l| l.strip_prefix("# qr_payload_text: "))
        .unwrap();
    let out = panicqr(&["decode", "--json", url], b"");
    assert_exit_0(&out);
    let json = String::from_utf8(out.stdout).unwrap();
    assert!(
        json.contains("\"complete\":true")
            && json.contains("\"arch\":\"x86_64\"")
            && json.contains("\"release\":\"6.15.0\""),
        "{json}"
    );
}

#[test]
fn decode_exit_codes_partial_and_bad_input() {
    let log_path = corpus_file("syzkaller-0004.log");
    let url = panicqr(
        &[
            "encode",
            "--arch",
            "arm64",
            "--release",
            "6.12",
            log_path.to_str().unwrap(),
        ],
        b"",
    );
    assert!(url.status.success());
    let url = String::from_utf8(url.stdout).unwrap();
    // Pasted with line breaks and spaces: still complete.
    let mangled: String = url
        .trim()
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let extra = if i > 100 && i % 60 == 0 {
                Some('\n')
            } else {
                None
            };
            std::iter::once(c).chain(extra)
        })
        .collect();
    let full = panicqr(&["decode", "-"], mangled.as_bytes());
    assert_eq!(
        full.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );
    // Cut: a prefix of the log, exit 3, the problem named on stderr.
    let cut = &url[..url.len() * 2 / 3];
    let part = panicqr(&["decode", cut], b"");
    assert_eq!(part.status.code(), Some(3));
    assert!(full.stdout.starts_with(&part.stdout) && !part.stdout.is_empty());
    assert!(String::from_utf8_lossy(&part.stderr).contains("partial"));
    // Nothing there: exit 2 with one line.
    for bad in [
        "hello",
        "https://x/#?a=x86_64&v=1&z=",
        "https://x/#?z=12345678901234567",
    ] {
        let out = panicqr(&["decode", bad], b"");
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{bad}"
        );
    }
}

/// `panicqr screen <args> -o <dir>/screen.png <log>`, which must succeed:
/// the screenshot's path.
fn screen_shot(dir: &Path, args: &[&str], log: &Path) -> PathBuf {
    let shot = dir.join("screen.png");
    let mut all = vec!["screen"];
    all.extend(args);
    all.extend(["-o", shot.to_str().unwrap(), log.to_str().unwrap()]);
    assert_exit_0(&panicqr(&all, b""));
    shot
}

#[test]
fn scan_reads_a_screen_photo_and_rejects_bad_input() {
    let dir = std::env::temp_dir().join(format!("panicqr-scan-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log_path = corpus_file("syzkaller-0120.log");
    let log = std::fs::read(&log_path).unwrap();
    let shot = screen_shot(
        &dir,
        &[
            "--parts",
            "1",
            "--size",
            "1366x768",
            "--arch",
            "x86_64",
            "--release",
            "6.1",
        ],
        &log_path,
    );
    // A screenshot: the log on stdout, exit 0.
    let out = panicqr(&["scan", shot.to_str().unwrap()], b"");
    assert_exit_0(&out);
    assert!(!out.stdout.is_empty() && log.ends_with(&out.stdout));
    // A QR code that is not a report: its text.
    let hello = dir.join("hello.png");
    assert!(panicqr(
        &[
            "qr",
            "--format",
            "png",
            "-o",
            hello.to_str().unwrap(),
            "hello"
        ],
        b""
    )
    .status
    .success());
    let out = panicqr(&["scan", hello.to_str().unwrap()], b"");
    assert_eq!(
        (out.status.code(), out.stdout.as_slice()),
        (Some(0), &b"hello\n"[..])
    );
    // Bad input: not an image, a truncated PNG, no QR code, a missing file — one line, exit 2.
    let not_image = dir.join("notes.png");
    std::fs::write(&not_image, b"this is text").unwrap();
    let truncated = dir.join("cut.png");
    let bytes = std::fs::read(&shot).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let blank = dir.join("blank.png");
    image::GrayImage::from_pixel(300, 200, image::Luma([255]))
        .save(&blank)
        .unwrap();
    for bad in [&not_image, &truncated, &blank, &dir.join("missing.jpg")] {
        let out = panicqr(&["scan", bad.to_str().unwrap()], b"");
        assert_eq!(out.status.code(), Some(2), "{}", bad.display());
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{}",
            bad.display()
        );
    }
    // A directory: every image, one JSON object each; exit 2 because some fail.
    let out = panicqr(&["scan", "--json", dir.to_str().unwrap()], b"");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
    assert!(stdout.contains("\"complete\":true") && stdout.contains("\"report\":false"));
    assert_eq!(out.status.code(), Some(2));
    // A glob matching only the good ones.
    let pattern = dir.join("s*.png");
    let out = panicqr(&["scan", pattern.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn encode_parts_writes_standalone_reports_that_merge_to_the_log() {
    require_zbarimg();
    let log = std::fs::read(panicqr_testkit::testdata().join("corpus/syzkaller-0004.log")).unwrap();
    let out = panicqr(&["encode", "--parts", "auto", "-"], &log);
    assert_exit_0(&out);
    let urls: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert!(urls.len() >= 2, "{} parts", urls.len());
    // Each part decodes on its own (today's decoder, no merging), newest first.
    let mut logs = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        assert!(
            url.contains(&format!("&p={}/{}&r=", i + 1, urls.len())),
            "{url}"
        );
        let d = panicqr(&["decode", url], b"");
        assert_exit_0(&d);
        logs.push(d.stdout);
    }
    let merged: Vec<u8> = logs.iter().rev().flatten().copied().collect();
    assert_eq!(merged, log, "the parts, oldest first, are the whole log");
    // The same parts as PNGs, one file each, read by zbarimg.
    let dir = std::env::temp_dir().join(format!("panicqr-parts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("report.png");
    let out = panicqr(
        &[
            "encode",
            "--parts",
            "auto",
            "--format",
            "png",
            "-o",
            png.to_str().unwrap(),
            "-",
        ],
        &log,
    );
    assert_exit_0(&out);
    for (i, url) in urls.iter().enumerate() {
        let file = dir.join(format!("report-{}.png", i + 1));
        assert_eq!(
            decode_zbarimg(&file).unwrap(),
            url.as_bytes(),
            "part {}",
            i + 1
        );
    }
    // Several PNGs cannot go to standard output.
    let out = panicqr(&["encode", "--parts", "3", "--format", "png", "-"], &log);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn decode_merges_parts_in_any_order_and_names_the_missing_ones() {
    let log = std::fs::read(panicqr_testkit::testdata().join("corpus/syzkaller-0004.log")).unwrap();
    let out = panicqr(
        &["encode", "--parts", "auto", "--max-version", "15", "-"],
        &log,
    );
    assert!(out.status.success());
    let urls: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(urls.len() >= 4, "{} parts", urls.len());
    // Every part, shuffled (odd indices first, then even, reversed).
    let mut shuffled: Vec<&str> = urls.iter().step_by(2).map(String::as_str).collect();
    shuffled.extend(urls.iter().skip(1).step_by(2).rev().map(String::as_str));
    let mut args = vec!["decode"];
    args.extend(&shuffled);
    let out = panicqr(&args, b"");
    assert_exit_0(&out);
    assert_eq!(out.stdout, log, "merged, oldest first");
    // The same on standard input, one per line.
    let out = panicqr(&["decode"], shuffled.join("\n").as_bytes());
    assert_eq!(out.stdout, log);
    // Part 2 missing: exit 3, the gap marked, the rest in order.
    let mut args = vec!["decode"];
    args.extend(
        urls.iter()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, u)| u.as_str()),
    );
    let out = panicqr(&args, b"");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("scan part 2 too"), "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("[panicqr: part 2 of {} missing here]", urls.len())));
    assert!(out.stdout.len() < log.len());
}

#[test]
fn scan_merges_the_codes_of_a_multi_code_screen_across_photos() {
    let dir = std::env::temp_dir().join(format!("panicqr-scan-parts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log_path = panicqr_testkit::testdata().join("corpus/syzkaller-0004.log");
    let log = std::fs::read(&log_path).unwrap();
    let shot = screen_shot(&dir, &["--size", "1920x1080"], &log_path);
    // One screenshot holding every part: the whole log.
    let out = panicqr(&["scan", shot.to_str().unwrap()], b"");
    assert_exit_0(&out);
    assert_eq!(out.stdout, log);
    // Two photos, the left and right halves of the screen (each code whole
    // in one of them): merged across photos.
    let img = image::open(&shot).unwrap().to_rgb8();
    let (w, h) = img.dimensions();
    let grid_x = 2 * w / 5;
    let left = image::imageops::crop_imm(&img, 0, 0, grid_x + (w - grid_x) / 2, h).to_image();
    let right = image::imageops::crop_imm(
        &img,
        grid_x + (w - grid_x) / 4,
        0,
        w - grid_x - (w - grid_x) / 4,
        h,
    )
    .to_image();
    let (lp, rp) = (dir.join("left.png"), dir.join("right.png"));
    left.save(&lp).unwrap();
    right.save(&rp).unwrap();
    let out = panicqr(&["scan", lp.to_str().unwrap(), rp.to_str().unwrap()], b"");
    assert_exit_0(&out);
    assert_eq!(out.stdout, log, "parts merged across two photos");
    // The left half alone: exit 3, the missing parts named.
    let out = panicqr(&["scan", lp.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("too"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}
