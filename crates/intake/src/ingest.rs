//! A submitted text read by the server: decoded here, never taken from the
//! client's word, and reduced to a canonical form that keys idempotence.

use panicqr_report::decode::{decode, parse_params, Decoded, Packing};
use panicqr_report::url::PartTag;
use sha2::{Digest, Sha256};

use crate::error::Error;

/// One submitted code, decoded.
#[derive(Clone, Debug)]
pub struct Submission {
    /// The report's id: for a report of its own, a hash of its canonical
    /// URL; for a part (docs/format.md §9), a hash of what every part of the
    /// report shares (`r`, the part count, arch, release, distribution), so
    /// that all parts land on one row.
    pub id: String,
    /// A hash of this code's canonical URL: the same code sent twice has
    /// the same hash, whatever the page's base URL or escaping.
    pub code_hash: String,
    /// `?a=…&v=…&d=…&p=…&r=…&z=…`, values percent-encoded: what the server
    /// decodes again when it merges parts.
    pub canonical: String,
    /// `a=`, or empty.
    pub arch: String,
    /// `v=`, or empty.
    pub release: String,
    /// `d=`, or empty.
    pub distribution: String,
    /// `p=` and `r=`, for a part of a report over several codes.
    pub part: Option<PartTag>,
    /// What the code carries.
    pub decoded: Decoded,
}

/// Reads a submitted report URL (or fragment, query, bare digits: anything
/// `panicqr decode` reads).
///
/// # Errors
/// [`Error::BadReport`] when there is no report data, nothing of the log can
/// be recovered, or the log is empty.
///
/// # Examples
/// ```
/// let e = panicqr_intake::ingest::read("https://x/#?a=x86_64&z=12").unwrap_err();
/// assert!(e.to_string().starts_with("not a readable report"));
/// ```
pub fn read(text: &str) -> Result<Submission, Error> {
    let params = parse_params(text).ok_or_else(|| {
        Error::BadReport("no report data: expected a URL with z= or zl=, or bare digits".into())
    })?;
    let decoded = decode(text).map_err(|e| Error::BadReport(e.to_string()))?;
    if decoded.log.is_empty() {
        return Err(Error::BadReport("the report carries no log".into()));
    }
    let arch = params.arch.clone().unwrap_or_default();
    let release = params.release.clone().unwrap_or_default();
    let distribution = params.distribution.clone().unwrap_or_default();
    let mut canonical = format!(
        "?a={}&v={}&d={}",
        encode(&arch),
        encode(&release),
        encode(&distribution)
    );
    if let Some(p) = params.part {
        canonical.push_str(&format!("&p={}/{}&r={:08x}", p.index, p.count, p.id));
    }
    let key = match params.packing {
        Packing::Z => "z",
        Packing::Legacy => "zl",
    };
    canonical.push_str(&format!("&{key}={}", encode(&params.digits)));
    let code_hash = hex_hash(&["code", &canonical]);
    let id = match params.part {
        Some(p) => hex_hash(&[
            "parts",
            &format!("{:08x}/{}", p.id, p.count),
            &arch,
            &release,
            &distribution,
        ]),
        None => code_hash.clone(),
    };
    Ok(Submission {
        id,
        code_hash,
        canonical,
        arch,
        release,
        distribution,
        part: params.part,
        decoded,
    })
}

/// Text of a log for storage: invalid UTF-8 and NUL (which PostgreSQL's
/// `text` cannot hold) become U+FFFD, the same on both backends.
pub fn log_text(log: &[u8]) -> String {
    String::from_utf8_lossy(log).replace('\0', "\u{fffd}")
}

/// The first 128 bits of SHA-256 over the fields, each ended by a NUL so
/// that no two field lists hash alike.
fn hex_hash(fields: &[&str]) -> String {
    let mut h = Sha256::new();
    for f in fields {
        h.update(f.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so the
/// canonical URL decodes to exactly the same parameters.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
