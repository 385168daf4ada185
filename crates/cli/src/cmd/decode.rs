//! `panicqr decode`: a report URL (or its digits) back to the log.

use std::fmt::Write as _;
use std::io::Read;

use anyhow::anyhow;
use panicqr_report::decode::{decode, Condition, DecodeError, Decoded, Packing};

use crate::args::DecodeArgs;
use crate::{io, Failure, Outcome};

pub fn run(args: &DecodeArgs) -> Result<Outcome, Failure> {
    let text = match args.input.as_deref() {
        Some("-") | None => {
            let mut s = Vec::new();
            std::io::stdin().lock().read_to_end(&mut s)?;
            String::from_utf8_lossy(&s).into_owned()
        }
        Some(t) => t.to_string(),
    };
    let d = match decode(&text) {
        Ok(d) => d,
        Err(e @ (DecodeError::NoData | DecodeError::Unreadable(_))) => {
            return Err(Failure::BadInput(anyhow!("{e}")))
        }
    };
    if args.json {
        io::write_output(None, json(&d).as_bytes())?;
    } else {
        eprintln!(
            "panicqr: arch {}, release {}{}, {} bytes of log",
            d.arch.as_deref().unwrap_or("?"),
            d.release.as_deref().unwrap_or("?"),
            d.distribution
                .as_deref()
                .map(|x| format!(", distribution {x}"))
                .unwrap_or_default(),
            d.log.len()
        );
        for p in &d.problems {
            eprintln!("panicqr: partial: {p}");
        }
        if let Some(line) = condition_line(&d) {
            eprintln!("panicqr: {line}");
        }
        io::write_output(None, &d.log)?;
    }
    Ok(if d.is_complete() {
        Outcome::Complete
    } else {
        Outcome::Partial
    })
}

/// What the problems amount to, and where trust in the printed log ends
/// (docs/format.md §7).
fn condition_line(d: &Decoded) -> Option<String> {
    let what = match d.condition {
        Condition::Truncated => "truncated: the report was cut short",
        Condition::EndsEarly => "ends early: the report was cut short, or damaged",
        Condition::Damaged => "damaged",
        Condition::OutputLimit => "too large: not a kernel report",
        _ => return None,
    };
    Some(if d.trusted < d.log.len() {
        format!(
            "{what}; only the first {} of {} bytes of log below can be trusted, the rest may be wrong",
            d.trusted,
            d.log.len()
        )
    } else {
        format!("{what}; the log below can be trusted as far as it goes")
    })
}

pub fn json(d: &Decoded) -> String {
    let s = |v: &Option<String>| v.as_deref().map_or("null".to_string(), esc);
    let problems: Vec<String> = d.problems.iter().map(|p| esc(&p.to_string())).collect();
    format!(
        "{{\"complete\":{},\"condition\":\"{}\",\"trusted_bytes\":{},\"arch\":{},\"release\":{},\"distribution\":{},\"packing\":\"{}\",\"compressed_bytes\":{},\"log_bytes\":{},\"problems\":[{}],\"log\":{}}}\n",
        d.is_complete(),
        d.condition.name(),
        d.trusted,
        s(&d.arch),
        s(&d.release),
        s(&d.distribution),
        if d.packing == Packing::Z { "z" } else { "zl" },
        d.compressed_len,
        d.log.len(),
        problems.join(","),
        esc(&String::from_utf8_lossy(&d.log))
    )
}

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}
