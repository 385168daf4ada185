//! Standard input and output with `-`, and files; bounded reading, fallible
//! writing and escaping of untrusted text for a terminal.

use std::fmt::Write as _;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use anyhow::{anyhow, Context};

use crate::Failure;

/// Most text `decode` reads: a version 40 report URL is under 8 KB, so a
/// megabyte holds it with any mail or page pasted around it.
pub const DECODE_INPUT_LIMIT: u64 = 1 << 20;
/// Most text `qr` reads: a QR code holds at most 7089 characters, so input
/// this long is a mistake, not a payload.
pub const QR_INPUT_LIMIT: u64 = 64 << 10;
/// Most log `screen` reads: the kernel's largest log buffer
/// (`CONFIG_LOG_BUF_SHIFT=25`).
pub const LOG_INPUT_LIMIT: u64 = 32 << 20;
/// What `encode` keeps of its input: the fitter only considers the newest
/// `MAX_INPUT` bytes, and one byte more tells it whether the oldest of them
/// starts a line.
pub const ENCODE_TAIL: usize = panicqr_report::deflate::MAX_INPUT + 1;

fn is_stdin(path: Option<&Path>) -> bool {
    path.is_none_or(|p| p == Path::new("-"))
}

fn name(path: Option<&Path>) -> String {
    match path {
        Some(p) if !is_stdin(path) => p.display().to_string(),
        _ => "standard input".to_string(),
    }
}

fn open(path: Option<&Path>) -> anyhow::Result<Box<dyn Read>> {
    Ok(match path {
        Some(p) if !is_stdin(path) => Box::new(
            std::fs::File::open(p).with_context(|| format!("cannot read {}", p.display()))?,
        ),
        _ => Box::new(std::io::stdin().lock()),
    })
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

/// Reads a file, or standard input for `-` / `None`, refusing (as bad input)
/// more than `limit` bytes.
pub fn read_input(path: Option<&Path>, limit: u64) -> Result<Vec<u8>, Failure> {
    let mut data = Vec::new();
    open(path)?
        .take(limit + 1)
        .read_to_end(&mut data)
        .with_context(|| format!("cannot read {}", name(path)))?;
    if data.len() as u64 > limit {
        return Err(Failure::BadInput(anyhow!(
            "{} is larger than the {} limit",
            name(path),
            human(limit)
        )));
    }
    Ok(data)
}

/// The newest `keep` bytes of a file or standard input, however long it is.
pub struct Tail {
    /// The kept bytes.
    pub data: Vec<u8>,
    /// Bytes read in all.
    pub total: u64,
    /// Non-empty lines read in all.
    pub lines: u64,
}

/// Reads all of a file or standard input, keeping only the newest `keep`
/// bytes in memory.
pub fn read_tail(path: Option<&Path>, keep: usize) -> Result<Tail, Failure> {
    let mut input = open(path)?;
    let mut chunk = vec![0u8; 64 << 10];
    let mut data = Vec::with_capacity(2 * keep + chunk.len());
    let (mut total, mut lines, mut in_line) = (0u64, 0u64, false);
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(anyhow!(e)
                    .context(format!("cannot read {}", name(path)))
                    .into())
            }
        };
        let read = chunk.get(..n).unwrap_or(&[]);
        for &b in read {
            if b == b'\n' {
                in_line = false;
            } else if !in_line {
                in_line = true;
                lines += 1;
            }
        }
        total += n as u64;
        data.extend_from_slice(read);
        // Dropping the front only when twice the size keeps copying linear.
        if data.len() > 2 * keep {
            data.drain(..data.len() - keep);
        }
    }
    if data.len() > keep {
        data.drain(..data.len() - keep);
    }
    Ok(Tail { data, total, lines })
}

/// Writes `bytes` to a file, or to standard output for `-` / `None`.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(p) if !is_stdin(path) => {
            std::fs::write(p, bytes).with_context(|| format!("cannot write {}", p.display()))
        }
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .context("cannot write standard output")
        }
    }
}

/// Writes text that came from outside (a decoded log, a QR code's text):
/// exactly to a file or a pipe, escaped on a terminal, where it could
/// otherwise retitle, clear or rewrite the screen.
pub fn write_untrusted(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    if is_stdin(path) && std::io::stdout().is_terminal() {
        write_output(None, escape(bytes, true).as_bytes())
    } else {
        write_output(path, bytes)
    }
}

/// `bytes` with every control character, invalid UTF-8 byte and bidi control
/// shown as an escape (`\x1b`, `\xff`, `\u{202e}`); line feeds and tabs are
/// kept when `keep_lines` is set.
pub fn escape(bytes: &[u8], keep_lines: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' | '\t' if keep_lines => out.push(c),
                c if c.is_ascii_control() => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                // C1 controls (U+0080..U+009F, e.g. CSI) act on terminals
                // too, and bidi controls reorder what is shown.
                c if c.is_control() || json_unsafe(c) => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Whether a terminal could act on `c` although JSON lets it stand raw in a
/// string: DEL, the C1 controls and the bidi controls.
fn json_unsafe(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// One line of JSON: serde_json's output, with the characters it leaves raw
/// that a terminal could act on written as `\uXXXX` (the same JSON value;
/// such characters only occur inside strings).
pub fn json_line(m: serde_json::Map<String, serde_json::Value>) -> String {
    let raw = serde_json::Value::Object(m).to_string();
    let mut out = String::with_capacity(raw.len() + 1);
    for c in raw.chars() {
        if json_unsafe(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    out
}

/// Writes one diagnostic line, `panicqr: ` and `msg` escaped, to standard
/// error. Diagnostics are best effort: a closed or full standard error must
/// not stop the work, and there is nowhere left to report it.
pub fn note(msg: &str) {
    let line = format!("panicqr: {}\n", escape(msg.as_bytes(), false));
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// `note` with `format!` arguments.
macro_rules! note {
    ($($t:tt)*) => {
        $crate::io::note(&format!($($t)*))
    };
}
