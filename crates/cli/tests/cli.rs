//! Runs the real `panicqr` binary: formats, stdin, exit codes, bad input.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use panicqr_testkit::{decode_rqrr, decode_zbarimg, require_zbarimg, Grid};

fn panicqr(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_panicqr"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
