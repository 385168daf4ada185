//! Removing what changes from one occurrence of a crash to the next:
//! timestamps, addresses, offsets, PIDs, CPU numbers, register values.

/// The longest title kept; a garbled header line can run on for a long time.
const MAX_TITLE: usize = 120;

/// Text with everything that varies between two occurrences of one crash
/// replaced by a fixed word, in the same way syzkaller normalises its crash
/// titles, so the two give the same text:
///
/// - printk timestamps and caller ids (`[  12.345678]`, `[ T123]`) go;
/// - `func+0x1a/0x2b` becomes `func`;
/// - hex values of 6 digits or more (addresses, registers) become `ADDR`;
/// - `file.c:123` becomes `file.c:LINE`;
/// - `CPU#3` becomes `CPU`, other numbers (PIDs, sizes…) `NUM`;
/// - IPv4 addresses become `IP`, `syz-executor.3` becomes `syz-executor`;
/// - control characters go and runs of spaces become one.
///
/// ```
/// use panicqr_signature::normalise;
///
/// assert_eq!(
///     normalise("[  55.9][ T8377] WARNING: CPU: 1 PID: 8377 at arch/x86/kvm/x86.c:7209 kvm_run+0x1f7/0x5a00"),
///     "WARNING: CPU: NUM PID: NUM at arch/x86/kvm/x86.c:LINE kvm_run"
/// );
/// assert_eq!(normalise("RAX: ffff8801c8baa000 RBX: 0000000000000001"), "RAX: ADDR RBX: ADDR");
/// ```
pub fn normalise(text: &str) -> String {
    let s = strip_printk_stamps(text);
    let s = syz_names(&s);
    let s = until_stable(&s, addresses);
    let s = ipv4(&s);
    let s = line_numbers(&s);
    let s = offsets(&s);
    let s = cpu_numbers(&s);
    let s = until_stable(&s, numbers);
    let s = long_numbers(&s);
    tidy(&s, usize::MAX)
}

/// A crash title: [`normalise`]d and at most 120 characters long.
pub(crate) fn title(text: &str) -> String {
    tidy(&normalise(text), MAX_TITLE)
}

/// `CPU#12` → `CPU`.
fn cpu_numbers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("CPU#") {
        let after = rest.get(i + 4..).unwrap_or("");
        let n = after.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(rest.get(..i + 3).unwrap_or(""));
        if n == 0 {
            out.push('#');
        }
        rest = after.get(n..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn until_stable(s: &str, f: fn(&str) -> String) -> String {
    let mut cur = s.to_string();
    loop {
        let next = f(&cur);
        if next == cur {
            return cur;
        }
        cur = next;
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

/// `[  12.345678]` and `[ T123]` / `[ C1]` anywhere in the text: a second
/// printk prefix in the middle of a line is interleaved output.
fn strip_printk_stamps(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('[') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let tail = rest.get(i..).unwrap_or("");
        match stamp_len(tail) {
            Some(n) => {
                rest = tail.get(n..).unwrap_or("");
                // The space that followed the prefix goes with it.
                if out.is_empty() || out.ends_with(' ') {
                    rest = rest.strip_prefix(' ').unwrap_or(rest);
                }
            }
            None => {
                out.push('[');
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

fn stamp_len(s: &str) -> Option<usize> {
    let inner = s.strip_prefix('[')?.trim_start_matches(' ');
    let b = inner.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let rest = if digits > 0 && b.get(digits) == Some(&b'.') {
        let frac = inner.get(digits + 1..)?;
        let f = frac.bytes().take_while(u8::is_ascii_digit).count();
        if f == 0 {
            return None;
        }
        frac.get(f..)?
    } else {
        let t = inner.strip_prefix(['T', 'C'])?;
        let n = t.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        t.get(n..)?
    };
    let rest = rest.strip_prefix(']')?;
    Some(s.len() - rest.len())
}

/// `syz-executor.3`, `syz-executor3:123`, `syzkaller012345` → the bare name.
fn syz_names(s: &str) -> String {
    let mut out = s.to_string();
    for (name, dot) in [("syz-executor", true), ("syzkaller", false)] {
        let mut res = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(name) {
            res.push_str(rest.get(..i + name.len()).unwrap_or(""));
            let mut t = rest.get(i + name.len()..).unwrap_or("");
            let with_dot = if dot { t.strip_prefix('.') } else { None };
            let cand = with_dot.unwrap_or(t);
            let n = cand.bytes().take_while(u8::is_ascii_digit).count();
            if n > 0 {
                t = cand.get(n..).unwrap_or("");
                if let Some(r) = t.strip_prefix(['/', ':']) {
                    let m = r.bytes().take_while(u8::is_ascii_digit).count();
                    if m > 0 {
                        t = r.get(m..).unwrap_or("");
                    }
                }
            }
            rest = t;
        }
        res.push_str(rest);
        out = res;
    }
    out
}

/// A non-alphanumeric character then `0x`? and 6 or more hex digits.
fn addresses(s: &str) -> String {
    substitute(s, |b, i| {
        if b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            return None;
        }
        let start = i + 1;
        let prefixed = b.get(start..start + 2) == Some(b"0x");
        let n = if prefixed { hex_run(b, start + 2) } else { 0 };
        let end = if n >= 6 {
            start + 2 + n
        } else {
            start + hex_run(b, start)
        };
        (end - start >= 6).then_some((start, "ADDR", end))
    })
}

fn hex_run(b: &[u8], from: usize) -> usize {
    b.get(from..)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&c| is_lower_hex(c))
        .count()
}

fn digit_run(b: &[u8], from: usize) -> usize {
    b.get(from..)
        .unwrap_or(&[])
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

/// `10.0.2.15` → `IP`.
fn ipv4(s: &str) -> String {
    substitute(s, |b, i| ipv4_at(b, i).map(|n| (i, "IP", i + n)))
}

fn ipv4_at(b: &[u8], start: usize) -> Option<usize> {
    let mut j = start;
    for part in 0..4 {
        let n = digit_run(b, j).min(3);
        if n == 0 {
            return None;
        }
        j += n;
        if part < 3 {
            if b.get(j) != Some(&b'.') {
                return None;
            }
            j += 1;
        }
    }
    Some(j - start)
}

/// `.c:123` or `.c:123:4` → `.c:LINE`.
fn line_numbers(s: &str) -> String {
    substitute(s, |b, i| {
        if b.get(i) != Some(&b'.') {
            return None;
        }
        let w = b
            .get(i + 1..)
            .unwrap_or(&[])
            .iter()
            .take_while(|&&c| is_word(c))
            .count();
        let mut j = i + 1 + w;
        let mut groups = 0;
        while b.get(j) == Some(&b':') && digit_run(b, j + 1) > 0 {
            j += 1 + digit_run(b, j + 1);
            groups += 1;
        }
        (w > 0 && groups > 0).then_some((i + 1 + w, ":LINE", j))
    })
}

/// `func+0x1a/0x2b` → `func`.
fn offsets(s: &str) -> String {
    substitute(s, |b, i| {
        let named = i >= 2 && b.get(i - 1).is_some_and(|&c| is_word(c) || c == b'.');
        if !named || b.get(i) != Some(&b'+') || b.get(i + 1..i + 3) != Some(b"0x") {
            return None;
        }
        let alnum = |from: usize| {
            b.get(from..)
                .unwrap_or(&[])
                .iter()
                .take_while(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
                .count()
        };
        let n = alnum(i + 3);
        let j = i + 3 + n;
        (n > 0 && b.get(j..j + 3) == Some(b"/0x") && alnum(j + 3) > 0)
            .then(|| (i, "", j + 3 + alnum(j + 3)))
    })
}

/// A run of digits between non-word characters → `NUM`.
fn numbers(s: &str) -> String {
    // The scan resumes at the closing character: it may open the next number.
    substitute(s, |b, i| {
        if b.get(i).copied().is_some_and(is_word) {
            return None;
        }
        let n = digit_run(b, i + 1);
        let end = i + 1 + n;
        (n > 0 && b.get(end).is_none_or(|&d| !is_word(d))).then_some((i + 1, "NUM", end))
    })
}

/// 7 digits or more, even inside a word, are not part of a name.
fn long_numbers(s: &str) -> String {
    substitute(s, |b, i| {
        let n = digit_run(b, i);
        (n >= 7).then_some((i, "NUM", i + n))
    })
}

/// `s` with the matches of `at` replaced, found left to right without
/// overlapping. `at(bytes, i)` looks for a match at byte `i` and gives
/// `(keep, word, end)`: the text before `keep` stays, `word` replaces the
/// bytes from `keep` to `end`, and the search goes on at `end` (always past
/// `i`).
fn substitute(
    s: &str,
    at: impl Fn(&[u8], usize) -> Option<(usize, &'static str, usize)>,
) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let (mut copied, mut i) = (0, 0);
    while i < b.len() {
        match at(b, i) {
            Some((keep, word, end)) => {
                out.push_str(s.get(copied..keep).unwrap_or(""));
                out.push_str(word);
                copied = end;
                i = end;
            }
            None => i += 1,
        }
    }
    out.push_str(s.get(copied..).unwrap_or(""));
    out
}

/// Tabs become spaces, control and non-ASCII characters go, runs of spaces
/// become one, at most `max` bytes are looked at.
fn tidy(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    let mut prev = b' ';
    for &c in s.as_bytes().iter().take(max) {
        let c = if c == b'\t' { b' ' } else { c };
        if !(0x20..0x7f).contains(&c) || (c == b' ' && prev == b' ') {
            continue;
        }
        out.push(char::from(c));
        prev = c;
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_callers() {
        assert_eq!(normalise("[  12.345678] BUG: x"), "BUG: x");
        assert_eq!(normalise("[  12.345678][ T1234] BUG: x"), "BUG: x");
        assert_eq!(normalise("a [ 1.5] b"), "a b");
        assert_eq!(normalise("[abc] x"), "[abc] x");
    }

    #[test]
    fn offsets_are_stripped() {
        assert_eq!(normalise("in tcp_close+0x1a/0x2b"), "in tcp_close");
        assert_eq!(normalise("foo.isra.0+0x1a/0x2b"), "foo.isra.NUM");
        assert_eq!(normalise("x+0x1a"), "x+0x1a");
    }

    #[test]
    fn addresses_and_registers() {
        assert_eq!(normalise("at addr ffff88801c2d3e40"), "at addr ADDR");
        assert_eq!(normalise("address: 0xdead000000000100"), "address: ADDR");
        assert_eq!(normalise("RIP: 0010:ffffffff81a0c9c4"), "RIP: NUM:ADDR");
        assert_eq!(
            normalise("RDX: 0000000000000052 RSI: ffffffff810de507"),
            "RDX: ADDR RSI: ADDR"
        );
        // Short hex and names with hex-like letters stay.
        assert_eq!(normalise("Code: 0f 0b"), "Code: 0f 0b");
        assert_eq!(normalise("deadbeef_fn"), "deadbeef_fn");
    }

    #[test]
    fn pids_cpus_and_numbers() {
        assert_eq!(
            normalise("CPU: 1 PID: 8377 Comm: x"),
            "CPU: NUM PID: NUM Comm: x"
        );
        assert_eq!(
            normalise("soft lockup - CPU#3 stuck for 22s!"),
            "soft lockup - CPU stuck for 22s!"
        );
        assert_eq!(
            normalise("task syz-executor.3:1234 blocked"),
            "task syz-executor blocked"
        );
        assert_eq!(normalise("task syz-executor3 x"), "task syz-executor x");
        assert_eq!(normalise("list 0,1,2 done"), "list NUM,NUM,NUM done");
        assert_eq!(normalise("cfg80211_x nl802154"), "cfg80211_x nl802154");
        assert_eq!(normalise("id1234567"), "idNUM");
        assert_eq!(normalise("from 10.0.2.15 port"), "from IP port");
        assert_eq!(normalise("at mm/slub.c:123:4"), "at mm/slub.c:LINE");
    }

    #[test]
    fn tidying() {
        assert_eq!(normalise(" a\t\tb  c \u{1b} "), "a b c");
        let long = "x".repeat(300);
        assert_eq!(title(&long).len(), MAX_TITLE);
    }
}
