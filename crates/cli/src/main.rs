//! `panicqr`: crash reports as QR codes. A thin shell over the library
//! crates: parse the arguments, run the command, map the result to an exit
//! code (0 = complete, 2 = bad input, 3 = partial result, 1 = other failure).
//!
//! Nothing written may panic: standard error is written best effort (see
//! `io::note`), a closed standard output ends the command quietly with 0 (the
//! reader has all it wanted), and any other write error is exit 1.
#![cfg_attr(
    test,
    allow(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

// First, so that `note!` is in scope in the modules below.
#[macro_use]
mod io;
mod args;
mod cmd;
mod render;

use args::{Cli, Command};

/// How a command ended, when not with complete success.
#[derive(Debug)]
pub enum Failure {
    /// The input is malformed or does not fit: exit code 2.
    BadInput(anyhow::Error),
    /// Anything else (I/O, the system): exit code 1.
    Other(anyhow::Error),
}

impl Failure {
    fn code(&self) -> u8 {
        match self {
            Failure::BadInput(_) => 2,
            Failure::Other(_) => 1,
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Other(e.into())
    }
}

/// What a command produced: complete (exit 0) or partial (exit 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything asked for was produced.
    Complete,
    /// Only part of the result could be produced (and it was written).
    Partial,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // clap repeats the offending value, which may hold control
            // characters; plain text, escaped, like every other message.
            let text = e.render().to_string();
            let _ = std::io::stderr().write_all(io::escape(text.as_bytes(), true).as_bytes());
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
        // Help and version, on standard output.
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Qr(a) => cmd::qr::run(&a),
        Command::Encode(a) => cmd::encode::run(&a),
        Command::Decode(a) => cmd::decode::run(&a),
        Command::Screen(a) => cmd::screen::run(&a),
        Command::Serve(a) => cmd::serve::run(&a),
        Command::Scan(a) => cmd::scan::run(&a),
        Command::Intake(a) => cmd::intake::run(&a),
        Command::Submit(a) => cmd::submit::run(&a),
    };
    match result {
        Ok(Outcome::Complete) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(3),
        Err(f) => {
            let (Failure::BadInput(e) | Failure::Other(e)) = &f;
            let broken_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            note!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::from(f.code())
        }
    }
}
