//! The one place a log becomes a crash signature and a title: the
//! `panicqr-signature` crate's [`analyse`](panicqr_signature::analyse).
//!
//! A log without any crash report (no header, no call trace: a boot log
//! sent by mistake, or the parts of a report without the crash received so
//! far) is still stored: it gets the title
//! [`NO_CRASH`](panicqr_signature::NO_CRASH) (`no crash report`) and that
//! title's signature, so all such logs sit in one bucket on the dashboard
//! rather than one row each, and a report over several codes leaves it once
//! the part with the crash arrives.

/// The signature (16 lowercase hex digits, FNV-1a of the title) and the
/// readable title of the crash in `log`.
///
/// A report over several codes is classified on its parts joined without
/// the gap lines the stored log carries ([`Merged::joined`]): a log whose
/// oldest parts are missing then still starts inside its first report, as
/// the signature rules expect of a cut log, rather than with a line of the
/// server's own.
///
/// [`Merged::joined`]: panicqr_report::decode::Merged::joined
///
/// # Examples
/// ```
/// use panicqr_intake::classify::classify;
/// let (sig, title) = classify("[ 1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\n[ 1.0] RIP: 0010:tcp_close+0x1a/0x2b\n");
/// assert_eq!(title, "BUG: unable to handle kernel NULL pointer dereference in tcp_close");
/// assert_eq!(sig, panicqr_signature::signature_of(&title));
///
/// let (_, title) = classify("[ 0.0] Linux version 6.12.9\n");
/// assert_eq!(title, panicqr_signature::NO_CRASH);
/// ```
pub fn classify(log: &str) -> (String, String) {
    let s = panicqr_signature::analyse(analysed(log));
    (s.signature, s.title)
}

/// The most of a log [`classify`] reads: its newest lines, at most this
/// many bytes…
///
/// A report's log is up to 4 MiB (the decoder's bound, reached by a zlib
/// stream well under the body limit), and the analysis costs about 2 µs a
/// line and 85 ns a byte: 4 MiB of empty lines would take ~10 s. A real
/// report is far smaller: one version 40 code carries at most ~30 KB of
/// log, 16 parts (the most panicqr writes) ~500 KB of the most compressible
/// kernel log, and the crash itself is in the newest lines.
pub const MAX_ANALYSED_BYTES: usize = 256 << 10;

/// …and at most this many lines.
pub const MAX_ANALYSED_LINES: usize = 16_384;

/// The newest lines of `log` within [`MAX_ANALYSED_BYTES`] and
/// [`MAX_ANALYSED_LINES`], from a line start (or, for one line longer than
/// the byte bound, its end).
///
/// # Examples
/// ```
/// use panicqr_intake::classify::{analysed, MAX_ANALYSED_LINES};
/// let log = "old\n".repeat(MAX_ANALYSED_LINES) + "new\n";
/// assert!(analysed(&log).starts_with("old\n"));
/// assert_eq!(analysed(&log).lines().count(), MAX_ANALYSED_LINES);
/// assert!(analysed(&log).ends_with("new\n"));
/// assert_eq!(analysed("short\n"), "short\n");
/// ```
pub fn analysed(log: &str) -> &str {
    let floor = log.len().saturating_sub(MAX_ANALYSED_BYTES);
    // Line starts, newest first (a final newline starts no line).
    let body = log.strip_suffix('\n').unwrap_or(log);
    let starts = body
        .bytes()
        .enumerate()
        .rev()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i + 1)
        .chain(std::iter::once(0));
    let mut start = None;
    for (n, s) in starts.enumerate() {
        if s < floor || n == MAX_ANALYSED_LINES {
            break;
        }
        start = Some(s);
    }
    // None: one line longer than the bound; its newest bytes.
    let start = start.unwrap_or_else(|| {
        (floor..log.len())
            .find(|&i| log.is_char_boundary(i))
            .unwrap_or(log.len())
    });
    log.get(start..).unwrap_or(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crash header followed by `filler`: the header is read only while
    /// it is within the bounds.
    fn header_then(filler: &str) -> String {
        format!("[ 1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\n[ 1.0] RIP: 0010:tcp_close+0x1/0x2\n{filler}")
    }

    #[test]
    fn the_newest_lines_are_analysed() {
        let title = "BUG: unable to handle kernel NULL pointer dereference in tcp_close";
        let within = header_then(&"[ 2.0] x\n".repeat(MAX_ANALYSED_LINES - 2));
        assert!(analysed(&within) == within);
        assert_eq!(classify(&within).1, title);
        // One line more: the header is out.
        let lines = header_then(&"[ 2.0] x\n".repeat(MAX_ANALYSED_LINES - 1));
        assert_eq!(panicqr_signature::analyse(&lines).title, title);
        assert_eq!(analysed(&lines).lines().count(), MAX_ANALYSED_LINES);
        assert!(analysed(&lines).starts_with("[ 1.0] RIP:"));
        // Long lines: the byte bound.
        let bytes = header_then(&format!("[ 2.0] {}\n", "y".repeat(MAX_ANALYSED_BYTES)));
        assert_eq!(panicqr_signature::analyse(&bytes).title, title);
        let tail = analysed(&bytes);
        assert_eq!(tail.len(), MAX_ANALYSED_BYTES);
        assert!(tail.bytes().all(|b| b == b'y' || b == b'\n'));
        assert_eq!(classify(&bytes).1, panicqr_signature::NO_CRASH);
        // A line start within the bound is where the text starts.
        let two = format!("{}\n{}\n", "a".repeat(MAX_ANALYSED_BYTES), "b".repeat(100));
        assert!(analysed(&two) == format!("{}\n", "b".repeat(100)));
        // A multi-byte character across the bound is not split.
        let wide = "é".repeat(MAX_ANALYSED_BYTES);
        assert!(analysed(&wide).len() <= MAX_ANALYSED_BYTES);
        assert!(analysed(&wide).len() >= MAX_ANALYSED_BYTES - 1);
    }
}
