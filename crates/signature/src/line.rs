//! Console lines: the printk prefix (`[  12.345678][ T1234] `) split off the
//! text, and which task or CPU printed the line.

/// Who printed a line, from its printk prefix. Lines from one crash report
/// share it, so it tells a report's own lines from interleaved output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    /// No printk prefix: program output, or a log without timestamps.
    None,
    /// A timestamp but no caller id (`CONFIG_PRINTK_CALLER=n`).
    Console,
    /// `[ T1234]`: printed by task 1234.
    Task(u32),
    /// `[ C1]`: printed in interrupt context on CPU 1.
    Cpu(u32),
}

/// One line of the log with its prefix removed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line<'a> {
    pub(crate) text: &'a str,
    pub(crate) context: Context,
    /// An unreliable stack entry (`? foo+0x1/0x2`): the unwinder found the
    /// address on the stack but could not prove it is a return address.
    pub(crate) questionable: bool,
}

/// Splits a log into lines without their printk prefixes.
pub(crate) fn split(log: &str) -> Vec<Line<'_>> {
    log.lines().map(parse).collect()
}

fn parse(raw: &str) -> Line<'_> {
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    let (text, context) = match strip_prefix(raw) {
        Some((text, context)) => (text, context),
        None => (raw, Context::None),
    };
    let questionable = is_questionable(text);
    Line {
        text,
        context,
        questionable,
    }
}

/// `** N printk messages dropped ** `, `… login: ` and `<N>` may precede
/// the timestamp; the caller id is optional; one space ends the prefix.
fn strip_prefix(raw: &str) -> Option<(&str, Context)> {
    let mut s = raw;
    if let Some(rest) = s.strip_prefix("** ") {
        if let Some(i) = rest.find(" printk messages dropped ** ") {
            s = rest.get(i + " printk messages dropped ** ".len()..)?;
        }
    }
    if let Some(found) = timestamp(s) {
        return Some(found);
    }
    // Console login prompts get printed in the middle of kernel lines.
    let at = s.rfind(" login: ")?;
    timestamp(s.get(at + " login: ".len()..)?)
}

fn timestamp(s: &str) -> Option<(&str, Context)> {
    let mut s = s;
    if let Some(rest) = s.strip_prefix('<') {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        s = rest.get(digits..)?.strip_prefix('>')?;
    }
    let s = s.strip_prefix('[')?.trim_start_matches(' ');
    let s = skip_digits(s, 1)?.strip_prefix('.')?;
    let s = skip_digits(s, 1)?.strip_prefix(']')?;
    let (s, context) = match caller(s) {
        Some((rest, context)) => (rest, context),
        None => (s, Context::Console),
    };
    Some((s.strip_prefix(' ')?, context))
}

/// `[ T1234]` or `[ C1]`.
fn caller(s: &str) -> Option<(&str, Context)> {
    let s = s.strip_prefix('[')?.trim_start_matches(' ');
    let task = s.starts_with('T');
    let s = s.strip_prefix(['T', 'C'])?;
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let n: u32 = s.get(..digits)?.parse().ok()?;
    let rest = s.get(digits..)?.strip_prefix(']')?;
    Some((
        rest,
        if task {
            Context::Task(n)
        } else {
            Context::Cpu(n)
        },
    ))
}

fn skip_digits(s: &str, min: usize) -> Option<&str> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    s.get(n..)
}

/// ` ? foo+0x1/0x2` or ` [<ffffffff81000000>] ? foo+0x1/0x2`.
fn is_questionable(text: &str) -> bool {
    let t = text.trim_start_matches([' ', '\t']);
    let t = match crate::frame::skip_pc(t) {
        Some(rest) => rest.trim_start_matches(' '),
        None => t,
    };
    t.starts_with("? ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let l = parse("[  204.021600][    C1] rcu: INFO: stall");
        assert_eq!(l.text, "rcu: INFO: stall");
        assert_eq!(l.context, Context::Cpu(1));
        let l = parse("[   55.967976] WARNING: CPU: 1 PID: 8377 at x.c:1 f+0x1/0x2");
        assert_eq!(l.context, Context::Console);
        assert!(l.text.starts_with("WARNING: CPU"));
        let l = parse("<4>[  1.5][ T123] Call Trace:\r");
        assert_eq!((l.text, l.context), ("Call Trace:", Context::Task(123)));
        let l = parse("syzkaller login: [   10.1] BUG: x");
        assert_eq!(l.text, "BUG: x");
        let l = parse("** 3 printk messages dropped ** [ 1.0] hi");
        assert_eq!(l.text, "hi");
        let l = parse("plain text");
        assert_eq!((l.text, l.context), ("plain text", Context::None));
    }

    #[test]
    fn questionable_frames() {
        assert!(parse("[ 1.0]  ? foo+0x1/0x2").questionable);
        assert!(parse(" [<ffffffff81000000>] ? foo+0x1/0x2").questionable);
        assert!(!parse("[ 1.0]  foo+0x1/0x2").questionable);
    }
}
