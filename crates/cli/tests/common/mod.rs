//! What the CLI's test files share: running the real `panicqr` binary.
#![allow(dead_code, reason = "each test file uses part of it")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the built `panicqr` with `args`, `stdin` on its standard input,
/// and returns its exit status and everything it wrote.
pub fn panicqr(args: &[&str], stdin: &[u8]) -> Output {
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

/// Asserts that a run exited with 0, showing its standard error if not.
#[track_caller]
pub fn assert_exit_0(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
