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
    let s = panicqr_signature::analyse(log);
    (s.signature, s.title)
}
