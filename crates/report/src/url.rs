//! Building the report URL, `<base>?a=<arch>&v=<release>&z=`, without allocation.

/// Why the URL prefix could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefixTooLong {
    /// Bytes the prefix needs.
    pub needed: usize,
}

/// How the zlib stream is written as digits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Packing {
    /// `z=`: 7 bytes → 17 digits (Linux 6.15+).
    #[default]
    Z,
    /// `zl=`: 13 bits → 4 digits (Linux 6.12–6.14).
    Legacy,
}

impl Packing {
    /// The URL parameter that carries the digits.
    pub const fn param(self) -> &'static [u8] {
        match self {
            Packing::Z => b"&z=",
            Packing::Legacy => b"&zl=",
        }
    }
}

/// Which part of a report split over several QR codes a URL carries: the
/// parameters `&p=<index>/<count>&r=<id>` (docs/format.md §9), written just
/// before `&z=`. Pages that do not know them ignore them and show the part's
/// lines on their own.
///
/// # Examples
/// ```
/// use panicqr_report::url::PartTag;
/// let tag = PartTag { index: 1, count: 3, id: 0x5f2a_91c0 };
/// let mut buf = [0u8; PartTag::MAX_LEN];
/// let n = tag.write(&mut buf);
/// assert_eq!(&buf[..n], b"&p=1/3&r=5f2a91c0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartTag {
    /// 1 for the newest lines (the crash itself), up to `count`.
    pub index: u8,
    /// How many parts the report has.
    pub count: u8,
    /// The report's id, the same in every part: what keeps two crashes'
    /// parts apart.
    pub id: u32,
}

impl PartTag {
    /// The longest tag: `&p=255/255&r=` and 8 hex digits.
    pub const MAX_LEN: usize = 3 + 7 + 3 + 8;

    /// Bytes [`PartTag::write`] writes.
    pub const fn len(&self) -> usize {
        3 + decimal_len(self.index) + 1 + decimal_len(self.count) + 3 + 8
    }

    /// Never: a tag is at least 14 bytes (for clippy's `len_without_is_empty`).
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// Writes the tag into `out` and returns its length, or 0 (writing
    /// nothing) when `out` is shorter than [`PartTag::len`].
    pub fn write(&self, out: &mut [u8]) -> usize {
        if out.len() < self.len() {
            return 0;
        }
        let mut w = Writer { out, pos: 0 };
        w.raw(b"&p=");
        w.decimal(self.index);
        w.byte(b'/');
        w.decimal(self.count);
        w.raw(b"&r=");
        for shift in (0..8).rev() {
            let nibble = (self.id >> (shift * 4)) & 15;
            w.byte(HEX_LOWER.get(nibble as usize).copied().unwrap_or(b'0'));
        }
        w.pos
    }
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

const fn decimal_len(v: u8) -> usize {
    if v >= 100 {
        3
    } else if v >= 10 {
        2
    } else {
        1
    }
}

/// Writes `<base>?a=<arch>&v=<release>&z=` (or `&zl=` for
/// [`Packing::Legacy`]) into `out` and returns its length.
/// `arch` and `release` are percent-encoded outside `[A-Za-z0-9._~-]`, so a `+`
/// in a release (`6.19.11+kali-amd64`) survives every decoder page.
///
/// # Errors
/// `out` is too short; the error says how long it must be.
///
/// # Examples
/// ```
/// let mut buf = [0u8; 128];
/// use panicqr_report::url::{write_prefix, Packing};
/// let n = write_prefix(b"https://e.org/#", b"x86_64", b"6.1+x", Packing::Z, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"https://e.org/#?a=x86_64&v=6.1%2Bx&z=");
/// ```
pub fn write_prefix(
    base: &[u8],
    arch: &[u8],
    release: &[u8],
    packing: Packing,
    out: &mut [u8],
) -> Result<usize, PrefixTooLong> {
    write_part_prefix(base, arch, release, None, packing, out)
}

/// [`write_prefix`] with a part's tag before the digits' parameter:
/// `<base>?a=<arch>&v=<release>&p=<i>/<n>&r=<id>&z=`.
///
/// # Errors
/// `out` is too short; the error says how long it must be.
///
/// # Examples
/// ```
/// use panicqr_report::url::{write_part_prefix, Packing, PartTag};
/// let mut buf = [0u8; 128];
/// let tag = PartTag { index: 2, count: 2, id: 7 };
/// let n = write_part_prefix(b"https://e.org/#", b"x86_64", b"6.1", Some(&tag), Packing::Z, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"https://e.org/#?a=x86_64&v=6.1&p=2/2&r=00000007&z=");
/// ```
pub fn write_part_prefix(
    base: &[u8],
    arch: &[u8],
    release: &[u8],
    part: Option<&PartTag>,
    packing: Packing,
    out: &mut [u8],
) -> Result<usize, PrefixTooLong> {
    let needed = part_prefix_len(base, arch, release, part, packing);
    if out.len() < needed {
        return Err(PrefixTooLong { needed });
    }
    let mut w = Writer { out, pos: 0 };
    w.raw(base);
    w.raw(b"?a=");
    w.escaped(arch);
    w.raw(b"&v=");
    w.escaped(release);
    if let Some(tag) = part {
        let n = tag.write(w.out.get_mut(w.pos..).unwrap_or(&mut []));
        w.pos = w.pos.saturating_add(n);
    }
    w.raw(packing.param());
    Ok(w.pos)
}

/// The length [`write_part_prefix`] needs (saturating, as [`prefix_len`]).
pub fn part_prefix_len(
    base: &[u8],
    arch: &[u8],
    release: &[u8],
    part: Option<&PartTag>,
    packing: Packing,
) -> usize {
    prefix_len(base, arch, release, packing).saturating_add(part.map_or(0, PartTag::len))
}

/// The length [`write_prefix`] needs.
///
/// Saturates at `usize::MAX`: no buffer is that long, so [`write_prefix`]
/// then reports the error, and no sum can overflow.
pub fn prefix_len(base: &[u8], arch: &[u8], release: &[u8], packing: Packing) -> usize {
    base.len()
        .saturating_add(6 + packing.param().len())
        .saturating_add(escaped_len(arch))
        .saturating_add(escaped_len(release))
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-')
}

fn escaped_len(s: &[u8]) -> usize {
    s.iter().fold(0usize, |n, &b| {
        n.saturating_add(if unreserved(b) { 1 } else { 3 })
    })
}

struct Writer<'a> {
    out: &'a mut [u8],
    pos: usize,
}

impl Writer<'_> {
    fn raw(&mut self, s: &[u8]) {
        for &b in s {
            self.byte(b);
        }
    }
    fn escaped(&mut self, s: &[u8]) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        for &b in s {
            if unreserved(b) {
                self.byte(b);
            } else {
                self.byte(b'%');
                self.byte(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
                self.byte(HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'));
            }
        }
    }
    fn decimal(&mut self, v: u8) {
        if v >= 100 {
            self.byte(b'0' + v / 100);
        }
        if v >= 10 {
            self.byte(b'0' + v / 10 % 10);
        }
        self.byte(b'0' + v % 10);
    }
    /// Writes `b` and advances. `write_prefix` checked that everything fits,
    /// so every byte is written; counting only written bytes keeps
    /// `pos < out.len()` before the increment, which cannot overflow.
    fn byte(&mut self, b: u8) {
        if let Some(o) = self.out.get_mut(self.pos) {
            *o = b;
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_written_exactly_and_escaped() {
        let (base, arch, rel) = (&b"https://e.org/#"[..], &b"x86_64"[..], &b"6.1+x y"[..]);
        let want = b"https://e.org/#?a=x86_64&v=6.1%2Bx%20y&z=";
        let n = prefix_len(base, arch, rel, Packing::Z);
        assert_eq!(n, want.len());
        // An exact buffer is enough; the bytes after it are not touched.
        let mut buf = [0xAAu8; 64];
        let (exact, after) = buf.split_at_mut(n);
        assert_eq!(write_prefix(base, arch, rel, Packing::Z, exact), Ok(n));
        assert_eq!(exact, &want[..]);
        assert!(after.iter().all(|&b| b == 0xAA));
        // One byte short: nothing is written and the error says what is needed.
        let mut short = [0u8; 64];
        assert_eq!(
            write_prefix(base, arch, rel, Packing::Z, &mut short[..n - 1]),
            Err(PrefixTooLong { needed: n })
        );
        assert!(short.iter().all(|&b| b == 0));
        assert_eq!(prefix_len(b"", b"", b"", Packing::Z), 9);
        assert_eq!(prefix_len(b"", b"", b"", Packing::Legacy), 10);
        assert_eq!(escaped_len(b"\x00\xFFa"), 7);
    }
}
