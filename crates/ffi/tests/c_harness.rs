//! Builds libpanicqr (crates/ffi/capi, panic = "abort") and the C tests in
//! tests/c with `-std=c11 -Wall -Wextra -Werror -pedantic`, then runs each
//! built with AddressSanitizer + UndefinedBehaviorSanitizer and, built plain,
//! under valgrind. The smoke test's symbol is then read by decoders we did not
//! write and decoded back to the log. The stack test (tests/c/stack.c) runs
//! built plain only: sanitizers change the frames it measures.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use panicqr_testkit::{
    decode_rqrr, decode_zbarimg, decode_zbarimg_all, require_zbarimg, testdata, Grid,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Builds the static library once per test process.
fn library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let target = root().join("target/capi");
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--quiet", "--release", "--manifest-path"])
            .arg(root().join("crates/ffi/capi/Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .status()
            .expect("cargo");
        assert!(status.success(), "building libpanicqr failed");
        target.join("release/libpanicqr.a")
    })
}

fn out_dir() -> PathBuf {
    let d = root().join("target/c-tests");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn compile(name: &str, sanitize: bool) -> PathBuf {
    let src = root().join(format!("crates/ffi/tests/c/{name}.c"));
    compile_file(
        &src,
        &out_dir().join(format!("{name}{}", if sanitize { "-asan" } else { "" })),
        sanitize,
    )
}

/// Builds one C file against the library with the strict flags.
fn compile_file(src: &Path, exe: &Path, sanitize: bool) -> PathBuf {
    let mut cc = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    cc.args([
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        "-g",
        "-O1",
    ])
    .arg("-I")
    .arg(root().join("crates/ffi/include"));
    if sanitize {
        cc.args([
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ]);
    }
    let out = cc
        .arg(src)
        .arg(library())
        .args(["-lpthread", "-ldl", "-lm"])
        .arg("-o")
        .arg(exe)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "compiling {}:\n{}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    exe.to_path_buf()
}

fn run(exe: &Path, args: &[&str], valgrind: bool) -> String {
    let mut cmd = if valgrind {
        let mut c = Command::new("valgrind");
        c.args([
            "--quiet",
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
        ])
        .arg(exe);
        c
    } else {
        Command::new(exe)
    };
    let out = cmd.args(args).output().unwrap_or_else(|e| {
        panic!(
            "{}: {e} (valgrind: apt-get install valgrind)",
            exe.display()
        )
    });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{} {args:?} (valgrind: {valgrind}) failed:\n{text}",
        exe.display()
    );
    text
}

fn both(name: &str, args: &[&str]) -> String {
    let text = run(&compile(name, true), args, false);
    run(&compile(name, false), args, true);
    text
}

#[test]
fn bounds_canaries_nulls_and_overlaps() {
    assert!(both("bounds", &[]).contains("bounds: ok"));
}

#[test]
fn sizes_near_size_max_are_refused() {
    assert!(both("huge", &[]).contains("huge: ok"));
}

#[test]
fn kernel_vectors_from_c() {
    let dir = testdata().join("vectors");
    assert!(both("kernel_compat", &[dir.to_str().unwrap()]).contains("kernel_compat: ok"));
}

/// A square plain PBM (`P1`, 1 = dark) the C tests write, as a grid.
fn read_pbm(path: &Path) -> Grid {
    let text = std::fs::read_to_string(path).unwrap();
    let mut it = text.split_ascii_whitespace().skip(1);
    let side: usize = it.next().unwrap().parse().unwrap();
    let _h = it.next();
    let bits: Vec<bool> = it.map(|t| t == "1").collect();
    Grid::from_fn(side, |x, y| bits[y * side + x])
}

/// A binary PPM (`P6`, 8-bit) the C tests write: its width and RGB bytes.
fn read_ppm(path: &Path) -> (usize, Vec<u8>) {
    let data = std::fs::read(path).unwrap();
    // Four header fields ("P6", width, height, 255), each followed by one
    // whitespace byte; then the pixels.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        let end = at
            + data[at..]
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .unwrap();
        fields.push(std::str::from_utf8(&data[at..end]).unwrap().to_string());
        at = end + 1;
    }
    assert_eq!((fields[0].as_str(), fields[3].as_str()), ("P6", "255"));
    (fields[1].parse().unwrap(), data[at..].to_vec())
}

#[test]
fn report_from_c_decodes_with_independent_decoders() {
    require_zbarimg();
    let log_path = testdata().join("corpus/syzkaller-0120.log");
    let pbm = out_dir().join("smoke.pbm");
    let ppm = out_dir().join("screen.ppm");
    let text = both(
        "smoke",
        &[
            log_path.to_str().unwrap(),
            pbm.to_str().unwrap(),
            ppm.to_str().unwrap(),
        ],
    );
    assert!(text.contains("smoke: ok"), "{text}");
    // Independent decoders read the symbol the C program wrote.
    let grid = read_pbm(&pbm);
    let url = decode_rqrr(&grid.to_image(3, 0))
        .pop()
        .expect("rqrr found no QR code");
    let png = out_dir().join("smoke.png");
    grid.to_image(3, 0).save(&png).unwrap();
    assert_eq!(
        decode_zbarimg(&png).as_deref(),
        Some(&url[..]),
        "zbarimg disagrees with rqrr"
    );
    let d = panicqr_report::decode::decode(std::str::from_utf8(&url).unwrap()).unwrap();
    assert!(d.is_complete());
    let log = std::fs::read(&log_path).unwrap();
    assert!(log.ends_with(&d.log) && !d.log.is_empty());
    // The panic screen the C program drew scans too.
    let screen_url = decode_zbarimg(&ppm).expect("zbarimg read no QR code from the C-drawn screen");
    let d = panicqr_report::decode::decode(std::str::from_utf8(&screen_url).unwrap()).unwrap();
    assert!(d.is_complete() && log.ends_with(&d.log) && !d.log.is_empty());
}

#[test]
fn example_program_builds_and_its_image_scans() {
    require_zbarimg();
    let exe = compile_file(
        &root().join("examples/panic_report.c"),
        &out_dir().join("panic_report"),
        true,
    );
    let log_path = testdata().join("corpus/syzkaller-0120.log");
    let pbm = out_dir().join("example.pbm");
    run(
        &exe,
        &[log_path.to_str().unwrap(), pbm.to_str().unwrap()],
        false,
    );
    let url = decode_zbarimg(&pbm).expect("zbarimg read no QR code from the example's PBM");
    let d = panicqr_report::decode::decode(std::str::from_utf8(&url).unwrap()).unwrap();
    assert!(d.is_complete() && std::fs::read(&log_path).unwrap().ends_with(&d.log));
}

#[test]
fn report_parts_from_c_merge_to_the_newest_lines() {
    let log_path = testdata().join("corpus/syzkaller-0004.log");
    let dir = out_dir().join("parts-pbm");
    std::fs::create_dir_all(&dir).unwrap();
    let text = both(
        "parts",
        &[log_path.to_str().unwrap(), dir.to_str().unwrap()],
    );
    assert!(text.contains("parts: ok"), "{text}");
    let count: usize = text
        .lines()
        .find_map(|l| l.strip_suffix(" parts").and_then(|n| n.trim().parse().ok()))
        .unwrap();
    // Each part read by rqrr from the C program's bitmap, decoded, merged.
    let mut decoded = Vec::new();
    for i in 1..=count {
        let grid = read_pbm(&dir.join(format!("part-{i}.pbm")));
        let url = decode_rqrr(&grid.to_image(3, 0))
            .pop()
            .expect("rqrr found no QR code");
        decoded.push(panicqr_report::decode::decode(std::str::from_utf8(&url).unwrap()).unwrap());
    }
    let merged = panicqr_report::decode::merge(decoded);
    assert_eq!(merged.len(), 1);
    assert!(merged[0].is_complete(), "{:?}", merged[0].missing());
    let whole: Vec<u8> = merged[0].pieces().flat_map(|(_, l)| l.to_vec()).collect();
    let log = std::fs::read(&log_path).unwrap();
    assert!(!whole.is_empty() && log.ends_with(&whole));
}

#[test]
fn parts_screen_from_c_scans_merges_and_is_the_librarys_screen() {
    use panicqr_screen::{
        draw_parts_screen, Framebuffer, Message, PartsOptions, PixelFormat, Report, Style,
        PARTS_WORKSPACE_LEN,
    };
    require_zbarimg();
    // report-bench's window: the last 16 KiB of three logs, from a line start.
    let all: Vec<u8> = panicqr_testkit::corpus()[118..=120]
        .iter()
        .flat_map(|(_, d)| d.clone())
        .collect();
    let from = all.len() - 16 * 1024;
    let from = from + all[from..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let log = &all[from..];
    let dir = out_dir().join("screen-parts");
    std::fs::create_dir_all(&dir).unwrap();
    let log_path = dir.join("window.log");
    std::fs::write(&log_path, log).unwrap();
    let text = both(
        "screen_parts",
        &[log_path.to_str().unwrap(), dir.to_str().unwrap()],
    );
    assert!(text.contains("screen_parts: ok"), "{text}");
    let cases = [
        (1920, 1080, PixelFormat::Xrgb8888),
        (1366, 768, PixelFormat::Rgb565),
        (800, 600, PixelFormat::Xbgr8888),
    ];
    for (w, h, format) in cases {
        // What the C program reported for this screen.
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{w}x{h}: ")))
            .unwrap();
        let num = |after: &str| -> usize {
            line.split(after)
                .next()
                .unwrap()
                .split(' ')
                .next_back()
                .unwrap()
                .parse()
                .unwrap()
        };
        let (codes, log_bytes) = (num(" codes"), num(" bytes"));
        // zbarimg reads every code; the parts merge to the newest bytes.
        let ppm = dir.join(format!("screen-{w}x{h}.ppm"));
        let urls = decode_zbarimg_all(&ppm);
        assert_eq!(
            urls.len(),
            codes,
            "{w}x{h}: zbarimg read {} of {codes}",
            urls.len()
        );
        let decoded = urls
            .iter()
            .map(|u| panicqr_report::decode::decode(std::str::from_utf8(u).unwrap()).unwrap())
            .collect();
        let merged = panicqr_report::decode::merge(decoded);
        assert_eq!(merged.len(), 1, "{w}x{h}: one report");
        assert!(
            merged[0].is_complete(),
            "{w}x{h}: {:?}",
            merged[0].missing()
        );
        let whole: Vec<u8> = merged[0].pieces().flat_map(|(_, l)| l.to_vec()).collect();
        assert_eq!(whole.len(), log_bytes, "{w}x{h}");
        assert!(log.ends_with(&whole), "{w}x{h}: the newest bytes");
        if (w, h) == (1920, 1080) {
            assert_eq!(whole, log, "1920x1080 carries the whole window");
        }
        // The very screen the library draws: codes, labels, words and the
        // newest lines as text.
        let mut mem = vec![0u8; w * h * 4];
        let mut fb = Framebuffer::new(&mut mem, w, h, w * 4, format).unwrap();
        let msg = Message {
            title: b"KERNEL PANIC!",
            reason: b"Kernel panic - not syncing: Fatal exception",
        };
        let report = Report {
            log,
            base_url: b"https://kernel-team.pages.debian.net/panic_report/#",
            arch: b"x86_64",
            release: b"6.1",
        };
        let mut ws = vec![0u8; PARTS_WORKSPACE_LEN];
        let opts = PartsOptions::default();
        let drawn = draw_parts_screen(&mut fb, &msg, &report, Style::default(), &opts, &mut ws);
        assert_eq!(
            (drawn.count, drawn.log_bytes),
            (codes, log_bytes),
            "{w}x{h}"
        );
        assert!(
            drawn.log_text.is_some_and(|b| b.rows > 0),
            "{w}x{h}: no text"
        );
        let (pw, rgb) = read_ppm(&ppm);
        assert_eq!((pw, rgb.len()), (w, w * h * 3), "{w}x{h}: PPM size");
        let differ = rgb
            .chunks(3)
            .enumerate()
            .filter(|&(i, p)| {
                let c = fb.pixel(i % w, i / w);
                p != [c.r, c.g, c.b]
            })
            .count();
        assert_eq!(
            differ, 0,
            "{w}x{h}: pixels differ from the library's screen"
        );
    }
}

/// The C library as shipped (LTO, one codegen unit) inlines differently
/// from the workspace's release profile that `crates/bench/tests/stack.rs`
/// measures, so its peak stack per entry point is measured from C too: each
/// call on a thread stack painted beforehand. Plain build only, no
/// sanitizers and no valgrind: AddressSanitizer changes the frames.
#[test]
fn every_entry_point_of_the_c_library_fits_2_kib_of_stack() {
    // The logs of the workspace's stack test (the corpus' first three files
    // together) and one with many short lines.
    let dir = out_dir().join("stack-logs");
    std::fs::create_dir_all(&dir).unwrap();
    let three: Vec<u8> = panicqr_testkit::corpus()
        .iter()
        .take(3)
        .flat_map(|(_, d)| d.clone())
        .collect();
    let three_path = dir.join("three.log");
    std::fs::write(&three_path, three).unwrap();
    let other = testdata().join("corpus/syzkaller-0004.log");
    let text = run(
        &compile("stack", false),
        &[three_path.to_str().unwrap(), other.to_str().unwrap()],
        false,
    );
    eprintln!("{text}");
    assert!(text.contains("stack: ok"), "{text}");
    let figures: Vec<usize> = text
        .lines()
        .filter_map(|l| l.strip_suffix(" bytes"))
        .map(|l| l.split_whitespace().next_back().unwrap().parse().unwrap())
        .collect();
    assert_eq!(figures.len(), 8, "every entry point measured:\n{text}");
    assert!(figures.iter().all(|&b| b > 256), "{text}");
}
