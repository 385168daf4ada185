//! What the CLI's test files share: running the real `panicqr` binary.
#![allow(dead_code, reason = "each test file uses part of it")]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs the built `panicqr` with `args`, `stdin` on its standard input,
/// and returns its exit status and everything it wrote.
pub fn panicqr(args: &[&str], stdin: &[u8]) -> Output {
    panicqr_env(args, stdin, &[])
}

/// [`panicqr`] with environment variables set. The intake's own
/// (`PANICQR_INTAKE`, `PANICQR_CA_FILE`) are cleared first: a developer's
/// shell does not steer the tests.
pub fn panicqr_env(args: &[&str], stdin: &[u8], env: &[(&str, &Path)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_panicqr"))
        .args(args)
        .env_remove("PANICQR_INTAKE")
        .env_remove("PANICQR_CA_FILE")
        .envs(env.iter().copied())
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
