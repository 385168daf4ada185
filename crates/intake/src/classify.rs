//! The one place a log becomes a crash signature and a title.
//!
//! Everything else in the crate calls [`classify`] and nothing else: the
//! real rules live in the `panicqr-signature` crate, which replaces the body
//! below when it merges.

use sha2::{Digest, Sha256};

/// The signature (a stable lowercase hex id) and the readable title of the
/// crash in `log`.
///
/// # Examples
/// ```
/// let (sig, title) = panicqr_intake::classify::classify("[ 1.0] BUG: kernel NULL pointer dereference\n");
/// assert_eq!(title, "BUG: kernel NULL pointer dereference");
/// assert_eq!(sig.len(), 16);
/// ```
pub fn classify(log: &str) -> (String, String) {
    // PLACEHOLDER until panicqr-signature merges: the first line that names
    // a crash, without its timestamp, hashed. The timestamp goes first, so
    // that a line that is only a bracket never counts as naming
    // a crash (the server's own `[panicqr: part 2 of 3 missing here]` gap
    // lines, all bracket, name none).
    let title = log
        .lines()
        .map(|l| strip_timestamp(l).trim())
        .find(|l| {
            ["BUG", "WARNING", "Oops", "panic"]
                .iter()
                .any(|k| l.contains(k))
        })
        .map_or_else(|| "unrecognised crash".to_string(), str::to_string);
    let digest = Sha256::digest(title.as_bytes());
    let signature = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    (signature, title)
}

/// `[  12.345678] text` → `text`.
fn strip_timestamp(line: &str) -> &str {
    match line.trim_start().strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(line, |(_, t)| t),
        None => line,
    }
}
