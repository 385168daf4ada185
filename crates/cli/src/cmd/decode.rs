//! `panicqr decode`: a report URL (or its digits) back to the log.

use anyhow::anyhow;
use base64::Engine as _;
use panicqr_report::decode::{decode, Condition, DecodeError, Decoded, Packing};

use crate::args::DecodeArgs;
use crate::{io, Failure, Outcome};

pub fn run(args: &DecodeArgs) -> Result<Outcome, Failure> {
    let text = match args.input.as_deref() {
        Some("-") | None => {
            let s = io::read_input(None, io::DECODE_INPUT_LIMIT)?;
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
    let output = args.output.as_deref();
    if args.json {
        io::write_output(output, io::json_line(json(&d)).as_bytes())?;
    } else {
        note!(
            "arch {}, release {}{}, {} bytes of log",
            d.arch.as_deref().unwrap_or("?"),
            d.release.as_deref().unwrap_or("?"),
            d.distribution
                .as_deref()
                .map(|x| format!(", distribution {x}"))
                .unwrap_or_default(),
            d.log.len()
        );
        for p in &d.problems {
            note!("partial: {p}");
        }
        if let Some(line) = condition_line(&d) {
            note!("{line}");
        }
        io::write_untrusted(output, &d.log)?;
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

/// Every field of a decoded report. `log` is the text (invalid UTF-8
/// replaced); `log_base64` is added with the exact bytes when they are not
/// UTF-8.
pub fn json(d: &Decoded) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("complete".into(), d.is_complete().into());
    m.insert("condition".into(), d.condition.name().into());
    m.insert("trusted_bytes".into(), d.trusted.into());
    m.insert("arch".into(), d.arch.clone().into());
    m.insert("release".into(), d.release.clone().into());
    m.insert("distribution".into(), d.distribution.clone().into());
    let packing = if d.packing == Packing::Z { "z" } else { "zl" };
    m.insert("packing".into(), packing.into());
    m.insert("compressed_bytes".into(), d.compressed_len.into());
    m.insert("log_bytes".into(), d.log.len().into());
    let problems: Vec<String> = d.problems.iter().map(ToString::to_string).collect();
    m.insert("problems".into(), problems.into());
    insert_text(&mut m, "log", &d.log);
    m
}

/// `bytes` under `key` as text, and also under `key_base64` when they are
/// not UTF-8 (the text then has replacement characters).
pub fn insert_text(m: &mut serde_json::Map<String, serde_json::Value>, key: &str, bytes: &[u8]) {
    m.insert(key.into(), String::from_utf8_lossy(bytes).into());
    if std::str::from_utf8(bytes).is_err() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        m.insert(format!("{key}_base64"), b64.into());
    }
}
