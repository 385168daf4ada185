//! Reading a report back: a full URL, a fragment (`#?a=…`), a query or bare
//! digits, `z=` or `zl=` (the reading rules: docs/format.md §6). Damaged or
//! cut data is reported precisely, told apart (damage is never called a cut,
//! docs/format.md §7), and what can be trusted of the log is marked; the
//! log never exceeds [`MAX_LOG_BYTES`].

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::digits::{decode_z, decode_zl, decode_zl_groups, DigitError};
use crate::url::PartTag;

pub use crate::url::Packing;

/// The most log one decode produces: 4 MiB.
///
/// Deflate's densest code spends 2 bits on a 258-byte match (1,032 bytes of
/// output per byte of input), so the largest QR payload (2,956 bytes at
/// version 40, level L) inflates to at most about 3.05 MB. Anything longer is
/// not a kernel report but a decompression bomb: decoding stops here with
/// [`Problem::OutputLimit`] and keeps what came before.
pub const MAX_LOG_BYTES: usize = 4 << 20;

/// Something wrong with the report.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The digits are damaged (a non-digit, a group out of range) or cut
    /// (a last group of a length no packing makes).
    Digits(DigitError),
    /// The zlib stream ends before its end marker and checksum.
    StreamCut,
    /// The deflate data is invalid from some point on.
    StreamCorrupt,
    /// The data inflated completely but its Adler-32 checksum is wrong.
    ChecksumMismatch,
    /// The log reached [`MAX_LOG_BYTES`]; the rest was not inflated.
    OutputLimit,
}

impl Problem {
    /// Whether this problem proves the data damaged (as opposed to cut).
    pub fn is_damage(&self) -> bool {
        match self {
            Problem::Digits(DigitError::BadTailLength { .. }) => false,
            Problem::Digits(_) | Problem::StreamCorrupt | Problem::ChecksumMismatch => true,
            Problem::StreamCut | Problem::OutputLimit => false,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Digits(e) => write!(f, "digits: {e}"),
            Problem::StreamCut => f.write_str(
                "zlib stream ends early (cut short at a digit group boundary, or damaged)",
            ),
            Problem::StreamCorrupt => f.write_str("invalid deflate data (data damaged)"),
            Problem::ChecksumMismatch => {
                f.write_str("zlib checksum mismatch (data damaged at an unknown place)")
            }
            Problem::OutputLimit => write!(
                f,
                "output limit reached: the log stops at {} MiB, no report is that long",
                MAX_LOG_BYTES >> 20
            ),
        }
    }
}

/// What a decode amounts to, from the problems found (docs/format.md §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Condition {
    /// The whole log, checksum verified.
    Complete,
    /// The digit count is one no report has: the text was cut. The log is a
    /// trusted prefix.
    Truncated,
    /// The data ends early but its digit count is possible: cut at a group
    /// boundary, or damaged so that the inflater never found the end (a
    /// changed digit can do that from anywhere, e.g. in a block's code
    /// lengths). The two cannot be told apart, so the log is not trusted
    /// unless the damage, if any, is known to be in the last group.
    EndsEarly,
    /// A check failed: a non-digit, a group out of range, invalid deflate
    /// data or a checksum mismatch. Only [`Decoded::trusted`] bytes are
    /// trusted.
    Damaged,
    /// Inflating stopped at [`MAX_LOG_BYTES`]; what was produced is kept.
    OutputLimit,
}

impl Condition {
    /// A stable lowercase name, the same as the web page's status.
    pub fn name(self) -> &'static str {
        match self {
            Condition::Complete => "complete",
            Condition::Truncated => "truncated",
            Condition::EndsEarly => "ends-early",
            Condition::Damaged => "damaged",
            Condition::OutputLimit => "output-limit",
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
    /// `p=` and `r=`: which part of a report over several codes this is
    /// (docs/format.md §9), when the URL says so.
    pub part: Option<PartTag>,
    /// Which packing carried the data.
    pub packing: Packing,
    /// Bytes of compressed data recovered from the digits.
    pub compressed_len: usize,
    /// The log (complete, or what inflated before the data ended or broke).
    pub log: Vec<u8>,
    /// How many leading bytes of `log` can be trusted; the rest is shown
    /// for what it is worth but may be wrong. Equal to `log.len()` unless
    /// the data is damaged or ends early.
    pub trusted: usize,
    /// What the problems amount to.
    pub condition: Condition,
    /// What went wrong; empty when the log is complete.
    pub problems: Vec<Problem>,
}

impl Decoded {
    /// Whether the whole log was recovered.
    pub fn is_complete(&self) -> bool {
        self.problems.is_empty()
    }

    /// The part of the log that can be trusted.
    pub fn trusted_log(&self) -> &[u8] {
        self.log.get(..self.trusted).unwrap_or(&self.log)
    }
}

/// Why nothing could be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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

/// The report parameters found in a pasted text (docs/format.md §6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// `a=`, percent-decoded.
    pub arch: Option<String>,
    /// `v=`, percent-decoded; a `+` stays a `+`.
    pub release: Option<String>,
    /// `d=`, percent-decoded.
    pub distribution: Option<String>,
    /// `p=<i>/<n>` and `r=<id>` together, when both are well formed.
    pub part: Option<PartTag>,
    /// `z` (or bare digits) or `zl`.
    pub packing: Packing,
    /// The digits with whitespace and `+` removed and `%XX` decoded; any
    /// other character is kept so that it is reported at its position.
    pub digits: String,
}

/// Reads the report parameters from a URL, a fragment, a query, a bare
/// `a=…&z=…` or bare digits, by the rules of docs/format.md §6 (the web page
/// applies the same rules, and `testdata/url-cases.json` holds both to them).
/// `None` when there is no `z=`, `zl=` or bare digits.
///
/// # Examples
/// ```
/// use panicqr_report::decode::{parse_params, Packing};
/// let p = parse_params("https://x/#?a=arm64&v=6.1+rc&z=123&d=a?b").unwrap();
/// assert_eq!(p.release.as_deref(), Some("6.1+rc"));
/// assert_eq!(p.distribution.as_deref(), Some("a?b"));
/// assert_eq!((p.packing, p.digits.as_str()), (Packing::Z, "123"));
/// ```
pub fn parse_params(text: &str) -> Option<Params> {
    let text = text.trim_matches(is_space);
    if text.bytes().any(|b| b.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_digit() || is_space(c))
    {
        return Some(Params {
            arch: None,
            release: None,
            distribution: None,
            part: None,
            packing: Packing::Z,
            digits: clean_digits(text),
        });
    }
    // The fragment first (where distributions put the report; the kernel
    // starts it with `?`), then the query, then the whole text (a bare
    // `a=…&z=…`): the first that carries data is read. Each part starts at
    // the first `#` or `?`, so one inside a later value never moves the
    // start, and parameters of two parts are never mixed.
    let (before, fragment) = match text.split_once('#') {
        Some((b, f)) => (b, Some(f.strip_prefix('?').unwrap_or(f))),
        None => (text, None),
    };
    let query = before.split_once('?').map(|(_, q)| q);
    [fragment, query, Some(text)]
        .into_iter()
        .flatten()
        .find_map(params_of)
}

/// Reads one `k=v&k=v` string; `None` when it has neither `z` nor `zl`.
fn params_of(s: &str) -> Option<Params> {
    let mut found: [Option<&str>; 7] = [None; 7];
    for pair in s.split('&') {
        // A piece without `=` is not a parameter (`?z=1&z` keeps `z=1`).
        let Some((k, v)) = pair.split_once('=') else {
            continue;
        };
        let slot = match k.trim_matches(is_space) {
            "a" => 0,
            "v" => 1,
            "d" => 2,
            "z" => 3,
            "zl" => 4,
            "p" => 5,
            "r" => 6,
            _ => continue,
        };
        // The first of each key counts; a repeat cannot change the reading.
        if let Some(f @ None) = found.get_mut(slot) {
            *f = Some(v);
        }
    }
    let [a, v, d, z, zl, p, r] = found;
    // `z` (current) wins over `zl` (Linux 6.12–6.14), whatever the order.
    let (packing, digits) = match (z, zl) {
        (Some(z), _) => (Packing::Z, z),
        (None, Some(zl)) => (Packing::Legacy, zl),
        (None, None) => return None,
    };
    let text = |v: Option<&str>| v.map(|v| percent_decode(v.trim_matches(is_space)));
    Some(Params {
        arch: text(a),
        release: text(v),
        distribution: text(d),
        part: part_tag(p, r),
        packing,
        digits: clean_digits(digits),
    })
}

/// `p=<i>/<n>` and `r=<8 hex digits>` (docs/format.md §9): both, well
/// formed, with 1 ≤ i ≤ n ≤ 255, or none (the code is then read as a
/// report on its own).
fn part_tag(p: Option<&str>, r: Option<&str>) -> Option<PartTag> {
    let (i, n) = p?.split_once('/')?;
    let num = |s: &str| -> Option<u8> {
        (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (index, count) = (num(i)?, num(n)?);
    let r = r?;
    if index == 0 || index > count || r.len() != 8 || !r.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let id = u32::from_str_radix(r, 16).ok()?;
    Some(PartTag { index, count, id })
}

/// The whitespace the parser drops: ASCII only, so that both readers agree
/// (JavaScript's `\s` and `trim` also take Unicode spaces).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
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
    let Some(params) = parse_params(text) else {
        return Err(DecodeError::NoData);
    };
    // One byte per character, so that positions and group lengths count
    // characters as the web page does, whatever the encoding of a stray one.
    let digits: Vec<u8> = params
        .digits
        .chars()
        .map(|c| u8::try_from(c).ok().filter(u8::is_ascii).unwrap_or(b'?'))
        .collect();
    let digits = digits.as_slice();
    if digits.is_empty() {
        return Err(DecodeError::NoData);
    }
    let packing = params.packing;
    let mut bytes = vec![0u8; digits.len() / 2 + 8];
    let (n, err) = unpack(packing, digits, &mut bytes, false);
    let mut used = n;
    let (mut log, mut inflate_problem) = inflate_partial(bytes.get(..n).unwrap_or(&[]));
    if err.is_none()
        && matches!(
            inflate_problem,
            Some(Problem::StreamCut | Problem::StreamCorrupt)
        )
    {
        // A cut can leave a last group of a valid length that is really the
        // start of a longer one, read as wrong bytes. Whole groups only: if
        // they end early without any invalid data, the failure was in the
        // last group, which a cut and damage explain alike.
        let (w, _) = unpack(packing, digits, &mut bytes, true);
        if w < n {
            let (l, p) = inflate_partial(bytes.get(..w).unwrap_or(&[]));
            if p == Some(Problem::StreamCut) {
                (log, inflate_problem, used) = (l, p, w);
            }
        }
    }
    let mut problems = Vec::new();
    if let Some(e) = err {
        problems.push(Problem::Digits(e));
    }
    if let Some(p) = inflate_problem {
        // Bad digits stop the bytes, so the stream necessarily ends early:
        // the digit problem already says why.
        if p != Problem::StreamCut || problems.is_empty() {
            problems.push(p);
        }
    }
    if log.is_empty() && !problems.is_empty() {
        return Err(DecodeError::Unreadable(problems));
    }
    // A value too large for the last, shorter group is what a cut inside a
    // 17-digit group often leaves, as well as damage there.
    let last_group = match packing {
        Packing::Z if digits.len() % 17 != 0 => Some(digits.len() / 17),
        Packing::Z => None,
        Packing::Legacy => Some(digits.len().saturating_sub(1) / 4),
    };
    let has = |f: fn(&Problem) -> bool| problems.iter().any(f);
    let (condition, trusted) = if problems.is_empty() {
        (Condition::Complete, log.len())
    } else if has(|p| matches!(p, Problem::StreamCorrupt | Problem::ChecksumMismatch)) {
        // The inflater read damaged data somewhere before it noticed; where
        // cannot be known.
        (Condition::Damaged, 0)
    } else if matches!(err, Some(DigitError::GroupOutOfRange { group }) if Some(group) == last_group)
    {
        // The bytes stop before that group either way.
        (Condition::EndsEarly, log.len())
    } else if has(Problem::is_damage) {
        // A bad digit stopped the bytes before its group, so the inflater
        // never read damaged data.
        (Condition::Damaged, log.len())
    } else if has(|p| *p == Problem::OutputLimit) {
        (Condition::OutputLimit, log.len())
    } else if has(|p| matches!(p, Problem::Digits(_))) {
        (Condition::Truncated, log.len())
    } else {
        (Condition::EndsEarly, 0)
    };
    Ok(Decoded {
        arch: params.arch,
        release: params.release,
        distribution: params.distribution,
        part: params.part,
        packing,
        compressed_len: used,
        log,
        trusted,
        condition,
        problems,
    })
}

/// The parts of one report over several codes (docs/format.md §9), merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    /// The report id every part carries.
    pub id: u32,
    /// How many parts the report has.
    pub count: usize,
    /// The parts by index (`parts[0]` is part 1, the newest lines); `None`
    /// for a part not given.
    pub parts: Vec<Option<Decoded>>,
    /// Parts given twice with different contents (the first was kept): a
    /// sign of damage, or of an id shared by two crashes.
    pub conflicts: Vec<usize>,
}

impl Merged {
    /// The indices (1-based) of the parts not given.
    pub fn missing(&self) -> Vec<usize> {
        (1..=self.count)
            .filter(|&i| self.parts.get(i - 1).is_some_and(Option::is_none))
            .collect()
    }

    /// Every part given, each complete, no conflicts, and the merged log's
    /// FNV-1a equal to the id.
    pub fn is_complete(&self) -> bool {
        self.missing().is_empty()
            && self.conflicts.is_empty()
            && self.parts.iter().flatten().all(Decoded::is_complete)
            && self.id_matches() == Some(true)
    }

    /// Whether the whole log hashes to the id (`None` while parts are
    /// missing): parts of different reports that share an id do not.
    pub fn id_matches(&self) -> Option<bool> {
        if !self.missing().is_empty() {
            return None;
        }
        Some(crate::parts::fnv1a(&self.joined()) == self.id)
    }

    /// The logs of the parts given, oldest first, with nothing between:
    /// the whole log when no part is missing.
    ///
    /// # Examples
    /// ```
    /// use panicqr_report::decode::Merged;
    /// let m = Merged { id: 0, count: 2, parts: vec![None, None], conflicts: vec![] };
    /// assert!(m.joined().is_empty());
    /// ```
    pub fn joined(&self) -> Vec<u8> {
        self.pieces().flat_map(|p| p.1.iter().copied()).collect()
    }

    /// The merged log as `panicqr decode` prints it: the parts given, oldest
    /// first, and in place of each run of missing parts one line saying so
    /// ([`gap_line`]), the parts older than the oldest one given and newer
    /// than the newest one included.
    ///
    /// # Examples
    /// ```
    /// use panicqr_report::decode::Merged;
    /// let m = Merged { id: 0, count: 3, parts: vec![None, None, None], conflicts: vec![] };
    /// assert_eq!(m.text_with_gaps(), b"[panicqr: parts 1-3 of 3 missing here]\n");
    /// ```
    pub fn text_with_gaps(&self) -> Vec<u8> {
        let mut log = Vec::new();
        // The run of missing parts from `newer` to `older`, if any.
        let gap = |log: &mut Vec<u8>, newer: usize, older: usize| {
            if newer <= older {
                log.extend_from_slice(gap_line(newer, older, self.count).as_bytes());
            }
        };
        let mut older = self.count;
        for (i, piece) in self.pieces() {
            gap(&mut log, i + 1, older);
            log.extend_from_slice(piece);
            older = i - 1;
        }
        gap(&mut log, 1, older);
        log
    }

    /// The logs of the parts given, oldest first, with their indices.
    pub fn pieces(&self) -> impl Iterator<Item = (usize, &[u8])> + '_ {
        self.parts
            .iter()
            .enumerate()
            .rev()
            .filter_map(|(i, p)| p.as_ref().map(|d| (i + 1, d.log.as_slice())))
    }

    /// `a=` of the parts (the first that has one).
    pub fn arch(&self) -> Option<&str> {
        self.parts.iter().flatten().find_map(|d| d.arch.as_deref())
    }

    /// `v=` of the parts (the first that has one).
    pub fn release(&self) -> Option<&str> {
        self.parts
            .iter()
            .flatten()
            .find_map(|d| d.release.as_deref())
    }
}

/// The line that stands for parts `newer` to `older` (1-based, part 1 the
/// newest lines) of a report over `count` codes in a merged log: the one
/// place its wording is written (`panicqr decode` prints it, the crash
/// intake stores it).
///
/// # Examples
/// ```
/// use panicqr_report::decode::gap_line;
/// assert_eq!(gap_line(2, 2, 3), "[panicqr: part 2 of 3 missing here]\n");
/// assert_eq!(gap_line(2, 4, 5), "[panicqr: parts 2-4 of 5 missing here]\n");
/// ```
pub fn gap_line(newer: usize, older: usize, count: usize) -> String {
    if newer == older {
        alloc::format!("[panicqr: part {newer} of {count} missing here]\n")
    } else {
        alloc::format!("[panicqr: parts {newer}-{older} of {count} missing here]\n")
    }
}

/// Groups decoded codes into reports over several codes by their id and
/// count (never mixing two crashes), in the order each report first
/// appears. Codes without a part tag are left out: each is a report of its
/// own.
///
/// # Examples
/// ```
/// use panicqr_qr::Version;
/// use panicqr_report::{build::Target, decode::{decode, merge}, digits, parts};
/// let log: Vec<u8> = (0..300).flat_map(|i| format!("[{i:5}.000000] line {i} {}\n", i * 7919 % 10007).into_bytes()).collect();
/// let target = Target { max_version: Version::new(8).unwrap(), ..Target::new(b"https://e.org/#", b"x86_64", b"6.1") };
/// let mut ws = vec![0u8; parts::workspace_len(target.max_version, 16)];
/// let mut out = vec![0u8; target.max_version.symbol_len()];
/// let s = parts::split(&log, &target, 16, &mut ws).unwrap();
/// // Every part's URL, scanned newest last.
/// let mut scanned = Vec::new();
/// for i in (1..=s.count()).rev() {
///     let b = parts::build_part(&target, &s, i, &mut ws, &mut out).unwrap();
///     let mut d = vec![0u8; digits::decimal_digits(b.payload.len())];
///     let n = digits::encode_z(b.payload, &mut d);
///     let url = [b.prefix, &d[..n]].concat();
///     scanned.push(decode(std::str::from_utf8(&url).unwrap()).unwrap());
/// }
/// let merged = merge(scanned);
/// assert_eq!(merged.len(), 1);
/// assert!(merged[0].is_complete());
/// let whole: Vec<u8> = merged[0].pieces().flat_map(|(_, l)| l.to_vec()).collect();
/// assert_eq!(whole, &log[s.window_start()..]);
/// ```
pub fn merge(decoded: Vec<Decoded>) -> Vec<Merged> {
    let mut out: Vec<Merged> = Vec::new();
    for d in decoded {
        let Some(tag) = d.part else { continue };
        let count = usize::from(tag.count);
        let at = match out.iter().position(|m| m.id == tag.id && m.count == count) {
            Some(at) => at,
            None => {
                out.push(Merged {
                    id: tag.id,
                    count,
                    parts: vec![None; count],
                    conflicts: Vec::new(),
                });
                out.len() - 1
            }
        };
        let Some(m) = out.get_mut(at) else { continue };
        let index = usize::from(tag.index);
        match m.parts.get_mut(index - 1) {
            Some(slot @ None) => *slot = Some(d),
            Some(Some(first)) if first.log != d.log => m.conflicts.push(index),
            _ => {}
        }
    }
    out
}

/// Unpacks digits into `bytes`: all of them, or only whole groups (17
/// digits for `z=`, 4 for `zl=`) for reading a cut string.
fn unpack(
    packing: Packing,
    digits: &[u8],
    bytes: &mut [u8],
    whole: bool,
) -> (usize, Option<DigitError>) {
    match (packing, whole) {
        (Packing::Z, false) => decode_z(digits, bytes),
        (Packing::Legacy, false) => decode_zl(digits, bytes),
        (Packing::Z, true) => decode_z(digits.get(..digits.len() / 17 * 17).unwrap_or(&[]), bytes),
        (Packing::Legacy, true) => {
            decode_zl_groups(digits.get(..digits.len() / 4 * 4).unwrap_or(&[]), bytes)
        }
    }
}

/// Inflates a zlib stream, returning everything produced before any error
/// (streaming, so only bytes the inflater has finished are kept), at most
/// [`MAX_LOG_BYTES`].
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
    let mut read = 0;
    loop {
        let input = data.get(read..).unwrap_or(&[]);
        let r = inflate(&mut state, input, &mut chunk, MZFlush::None);
        out.extend_from_slice(chunk.get(..r.bytes_written).unwrap_or(&[]));
        read += r.bytes_consumed;
        if out.len() > MAX_LOG_BYTES {
            out.truncate(MAX_LOG_BYTES);
            return (out, Some(Problem::OutputLimit));
        }
        let problem = match r.status {
            Ok(MZStatus::StreamEnd) => None,
            Ok(_) if r.bytes_written > 0 || r.bytes_consumed > 0 => continue,
            Ok(_) | Err(MZError::Buf) => Some(Problem::StreamCut),
            Err(MZError::Data)
                if state.last_status() == miniz_oxide::inflate::TINFLStatus::Adler32Mismatch =>
            {
                Some(Problem::ChecksumMismatch)
            }
            Err(_) => Some(Problem::StreamCorrupt),
        };
        return (out, problem);
    }
}

/// Digits from a pasted value: whitespace, line breaks and `+` (a form's
/// space) are dropped, `%XX` escapes decoded; anything else is kept, so a bad
/// character is reported at its position.
fn clean_digits(v: &str) -> String {
    percent_decode(v)
        .chars()
        .filter(|&c| !is_space(c) && c != '+')
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
            // Two hex digits exactly: `from_str_radix` alone would take
            // `%+4` as the escape of 4.
            if let Some(&[h, l]) = b.get(i + 1..i + 3) {
                if let (Some(h), Some(l)) = (hex(h), hex(l)) {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

fn hex(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}
