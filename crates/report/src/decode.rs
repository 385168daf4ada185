//! Reading a report back: a full URL, a fragment (`#?a=…`), a query or bare
//! digits, `z=` or `zl=`; damaged or cut data is reported precisely and the
//! longest prefix of the log that inflates is recovered.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::digits::{decode_z, decode_zl, decode_zl_groups, DigitError};

pub use crate::url::Packing;

/// Something wrong with the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The digits are damaged or cut.
    Digits(DigitError),
    /// The zlib stream ends before its end marker and checksum.
    StreamCut,
    /// The zlib stream is invalid from some point on.
    StreamCorrupt,
    /// The data inflated completely but its Adler-32 checksum is wrong.
    ChecksumMismatch,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Digits(e) => write!(f, "digits: {e}"),
            Problem::StreamCut => f.write_str("zlib stream cut short (truncated data)"),
            Problem::StreamCorrupt => f.write_str("zlib stream corrupt"),
            Problem::ChecksumMismatch => f.write_str("zlib checksum mismatch (data damaged)"),
        }
    }
}

/// A decoded report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// `a=`: the machine (e.g. `x86_64`).
    pub arch: Option<String>,
    /// `v=`: the kernel release.
    pub release: Option<String>,
    /// `d=`: the distribution, when given.
    pub distribution: Option<String>,
    /// Which packing carried the data.
    pub packing: Packing,
    /// Bytes of compressed data recovered from the digits.
    pub compressed_len: usize,
    /// The log (complete, or the longest prefix that inflated).
    pub log: Vec<u8>,
    /// What went wrong; empty when the log is complete.
    pub problems: Vec<Problem>,
}

impl Decoded {
    /// Whether the whole log was recovered.
    pub fn is_complete(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Why nothing could be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Neither `z=` nor `zl=` nor bare digits were found.
    NoData,
    /// There is data but not one byte of log could be recovered.
    Unreadable(Vec<Problem>),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::NoData => {
                f.write_str("no report data: expected a URL with z= or zl=, or bare digits")
            }
            DecodeError::Unreadable(p) => {
                f.write_str("nothing recoverable")?;
                for x in p {
                    write!(f, "; {x}")?;
                }
                Ok(())
            }
        }
    }
}

/// Decodes a report from pasted text.
///
/// # Errors
/// [`DecodeError::NoData`] when there is no report data;
/// [`DecodeError::Unreadable`] when no byte of log could be recovered.
///
/// # Examples
/// ```
/// let d = panicqr_report::decode::decode("https://x/#?a=arm64&v=6.12+x&z=00281474976710656000000000000255");
/// // Those 13 bytes are not a zlib stream: nothing inflates.
/// assert!(d.is_err());
/// ```
pub fn decode(text: &str) -> Result<Decoded, DecodeError> {
    let text = text.trim();
    let mut arch = None;
    let mut release = None;
    let mut distribution = None;
    let mut data: Option<(Packing, Vec<u8>)> = None;
    let is_bare = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_whitespace());
    if is_bare {
        data = Some((Packing::Z, clean_digits(text)));
    } else {
        // Parameters follow the last '?' (a fragment `#?a=…` or a query);
        // a bare `a=…&z=…` has none.
        let params = text.rsplit_once('?').map_or(text, |(_, p)| p);
        for pair in params.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k.trim() {
                "a" => arch = Some(percent_decode(v)),
                "v" => release = Some(percent_decode(v)),
                "d" => distribution = Some(percent_decode(v)),
                "z" => data = Some((Packing::Z, clean_digits(v))),
                "zl" => data = Some((Packing::Legacy, clean_digits(v))),
                _ => {}
            }
        }
    }
    let Some((packing, digits)) = data else {
        return Err(DecodeError::NoData);
    };
    if digits.is_empty() {
        return Err(DecodeError::NoData);
    }
    let mut problems = Vec::new();
    let mut bytes = vec![0u8; digits.len() / 2 + 8];
    let (n, err) = match packing {
        Packing::Z => decode_z(&digits, &mut bytes),
        Packing::Legacy => decode_zl(&digits, &mut bytes),
    };
    let (mut log, mut inflate_problem) = inflate_partial(bytes.get(..n).unwrap_or(&[]));
    let mut used = n;
    if inflate_problem.is_some() && err.is_none() {
        // The stream is incomplete, so the digits were cut; a cut can leave a
        // last group of a valid length that is really the start of a longer
        // one. Trust whole groups only.
        let whole = match packing {
            Packing::Z => digits
                .get(..digits.len() / 17 * 17)
                .map(|d| decode_z(d, &mut bytes).0),
            Packing::Legacy => digits
                .get(..digits.len() / 4 * 4)
                .map(|d| decode_zl_groups(d, &mut bytes).0),
        };
        if let Some(w) = whole.filter(|&w| w < n) {
            let (l, p) = inflate_partial(bytes.get(..w).unwrap_or(&[]));
            log = l;
            inflate_problem = p;
            used = w;
        }
    }
    bytes.truncate(used);
    if let Some(e) = err {
        problems.push(Problem::Digits(e));
    }
    if let Some(p) = inflate_problem {
        // A cut digit string necessarily cuts the stream: say it once.
        if p != Problem::StreamCut || problems.is_empty() {
            problems.push(p);
        }
    }
    if log.is_empty() && !problems.is_empty() {
        return Err(DecodeError::Unreadable(problems));
    }
    Ok(Decoded {
        arch,
        release,
        distribution,
        packing,
        compressed_len: bytes.len(),
        log,
        problems,
    })
}

/// Inflates a zlib stream, returning everything produced before any error
/// (streaming, so only bytes the inflater has finished are kept).
pub fn inflate_partial(data: &[u8]) -> (Vec<u8>, Option<Problem>) {
    use miniz_oxide::inflate::stream::{inflate, InflateState};
    use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
    // CMF/FLG: deflate method and a header checksum (RFC 1950 §2.2).
    match data {
        [cmf, flg, ..] if cmf & 0x0F == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0 => {
        }
        _ => return (Vec::new(), Some(Problem::StreamCorrupt)),
    }
    let mut state = InflateState::new_boxed(DataFormat::Zlib);
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    let mut input = data;
    loop {
        let r = inflate(&mut state, input, &mut chunk, MZFlush::None);
        out.extend_from_slice(chunk.get(..r.bytes_written).unwrap_or(&[]));
        input = input.get(r.bytes_consumed..).unwrap_or(&[]);
        match r.status {
            Ok(MZStatus::StreamEnd) => return (out, None),
            Ok(_) if r.bytes_written > 0 || r.bytes_consumed > 0 => {}
            Ok(_) | Err(MZError::Buf) => return (out, Some(Problem::StreamCut)),
            Err(MZError::Data)
                if state.last_status() == miniz_oxide::inflate::TINFLStatus::Adler32Mismatch =>
            {
                return (out, Some(Problem::ChecksumMismatch))
            }
            Err(_) => return (out, Some(Problem::StreamCorrupt)),
        }
        if out.len() > 64 << 20 {
            return (out, Some(Problem::StreamCorrupt));
        }
    }
}

/// Digits from a pasted value: whitespace, line breaks and `+` (a form's
/// space) are dropped, `%XX` escapes decoded; anything else is kept, so a bad
/// character is reported at its position.
fn clean_digits(v: &str) -> Vec<u8> {
    percent_decode(v)
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'+')
        .collect()
}

/// `%XX` escapes decoded; `+` kept as `+` (the kernel sends it literally).
fn percent_decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or(0);
        if c == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| core::str::from_utf8(h).ok());
            if let Some(x) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}
