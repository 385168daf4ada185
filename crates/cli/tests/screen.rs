//! `panicqr screen` draws the library's multi-code screen by default, the
//! newest log lines beside the codes included.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::process::Command;

use panicqr_screen::{
    draw_parts_screen, Framebuffer, Message, PartsOptions, PixelFormat, Report, Style,
    PARTS_WORKSPACE_LEN,
};

#[test]
fn the_default_screen_shows_the_newest_lines_as_text() {
    let dir = std::env::temp_dir().join(format!("panicqr-screen-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log_path = panicqr_testkit::testdata().join("corpus/syzkaller-0004.log");
    let log = std::fs::read(&log_path).unwrap();
    let shot = dir.join("screen.png");
    let (w, h) = (1366, 768);
    let (base, reason) = (
        "https://e.org/#",
        "Kernel panic - not syncing: Fatal exception",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_panicqr"))
        .args(["screen", "--size", "1366x768", "--base-url", base])
        .args(["--arch", "x86_64", "--release", "6.1", "--reason", reason])
        .arg("-o")
        .arg(&shot)
        .arg(&log_path)
        .output()
        .unwrap();
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{note}");
    // What the library draws with the same inputs, and where the text went.
    let mut mem = vec![0u8; w * h * 4];
    let mut fb = Framebuffer::new(&mut mem, w, h, w * 4, PixelFormat::Xrgb8888).unwrap();
    let msg = Message {
        title: b"KERNEL PANIC!",
        reason: reason.as_bytes(),
    };
    let report = Report {
        log: &log,
        base_url: base.as_bytes(),
        arch: b"x86_64",
        release: b"6.1",
    };
    let mut ws = vec![0u8; PARTS_WORKSPACE_LEN];
    let opts = PartsOptions::default();
    let drawn = draw_parts_screen(&mut fb, &msg, &report, Style::default(), &opts, &mut ws);
    let rows = drawn.log_text.unwrap().rows;
    assert!(rows > 0);
    assert!(
        note.contains(&format!("the newest lines as text in {rows} rows")),
        "{note}"
    );
    let img = image::open(&shot).unwrap().to_rgb8();
    let same = img.enumerate_pixels().all(|(x, y, p)| {
        let c = fb.pixel(x as usize, y as usize);
        p.0 == [c.r, c.g, c.b]
    });
    assert!(same, "the CLI's screen differs from the library's");
    std::fs::remove_dir_all(&dir).ok();
}
