//! `panicqr decode`: a report URL (or its digits) back to the log.

use anyhow::anyhow;
use base64::Engine as _;
use panicqr_report::decode::{decode, Condition, Decoded, Packing};

use crate::args::DecodeArgs;
use crate::{io, Failure, Outcome};

pub fn run(args: &DecodeArgs) -> Result<Outcome, Failure> {
    let text = match args.input.as_slice() {
        [] => read_stdin()?,
        [one] if one == "-" => read_stdin()?,
        [one] => one.clone(),
        many => return run_parts(args, many.to_vec()),
    };
    // Several lines that are each a part of a report: merge them.
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() > 1
        && lines
            .iter()
            .all(|l| decode(l).is_ok_and(|d| d.part.is_some()))
    {
        return run_parts(args, lines.iter().map(|l| (*l).to_string()).collect());
    }
    let d = match decode(&text) {
        Ok(d) => d,
        Err(e) => return Err(Failure::BadInput(anyhow!("{e}"))),
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

fn read_stdin() -> Result<String, Failure> {
    let s = io::read_input(None, io::DECODE_INPUT_LIMIT)?;
    Ok(String::from_utf8_lossy(&s).into_owned())
}

/// Several codes: the parts of each report merged (docs/format.md §9),
/// oldest lines first; a missing part leaves a marked gap.
fn run_parts(args: &DecodeArgs, inputs: Vec<String>) -> Result<Outcome, Failure> {
    let mut decoded = Vec::new();
    let mut partial = false;
    for (i, text) in inputs.iter().enumerate() {
        match decode(text) {
            Ok(d) => decoded.push(d),
            Err(e) => {
                note!("code {}: {e}", i + 1);
                partial = true;
            }
        }
    }
    if decoded.is_empty() {
        return Err(Failure::BadInput(anyhow!(
            "none of the {} codes is a report",
            inputs.len()
        )));
    }
    let alone: Vec<&Decoded> = decoded.iter().filter(|d| d.part.is_none()).collect();
    let alone_logs: Vec<Vec<u8>> = alone.iter().map(|d| d.log.clone()).collect();
    partial |= alone.iter().any(|d| !d.is_complete());
    let merged = panicqr_report::decode::merge(decoded.clone());
    let (mut out, mut objects, merged_partial) = merged_output(&merged, args.json);
    partial |= merged_partial;
    for (d, log) in alone.iter().zip(&alone_logs) {
        note!(
            "a code that is a whole report of its own: {} bytes of log",
            log.len()
        );
        if args.json {
            objects.push(serde_json::Value::Object(json(d)));
        } else {
            out.extend_from_slice(log);
        }
    }
    let output = args.output.as_deref();
    if args.json {
        let mut m = serde_json::Map::new();
        m.insert("reports".into(), objects.into());
        io::write_output(output, io::json_line(m).as_bytes())?;
    } else {
        io::write_untrusted(output, &out)?;
    }
    Ok(if partial {
        Outcome::Partial
    } else {
        Outcome::Complete
    })
}

/// The merged reports' logs (oldest first, gaps marked) for standard
/// output, or their JSON objects, and whether any is incomplete; what each
/// has and lacks goes to stderr.
pub fn merged_output(
    merged: &[panicqr_report::decode::Merged],
    as_json: bool,
) -> (Vec<u8>, Vec<serde_json::Value>, bool) {
    let mut out = Vec::new();
    let mut objects = Vec::new();
    let mut partial = false;
    for m in merged {
        let missing = m.missing();
        let found: Vec<String> = (1..=m.count)
            .filter(|i| !missing.contains(i))
            .map(|i| i.to_string())
            .collect();
        let whole = m.is_complete();
        partial |= !whole;
        note!(
            "report {:08x}: arch {}, release {}; parts {} of {}{}{}",
            m.id,
            m.arch().unwrap_or("?"),
            m.release().unwrap_or("?"),
            found.join(", "),
            m.count,
            if missing.is_empty() {
                String::new()
            } else {
                format!(": scan part {} too", list(&missing))
            },
            match m.id_matches() {
                Some(false) =>
                    "; the parts do not belong to one report (the log does not match its id)",
                _ => "",
            }
        );
        for i in &m.conflicts {
            note!("report {:08x}: part {i} was given twice, with different contents (the first is used)", m.id);
        }
        // Oldest first; a run of missing parts leaves a marked gap, the
        // parts after the newest one given included.
        let log = m.text_with_gaps();
        if as_json {
            let mut o = serde_json::Map::new();
            o.insert("id".into(), format!("{:08x}", m.id).into());
            o.insert("parts".into(), m.count.into());
            o.insert("missing".into(), missing.clone().into());
            o.insert("conflicts".into(), m.conflicts.clone().into());
            o.insert("complete".into(), whole.into());
            o.insert("arch".into(), m.arch().into());
            o.insert("release".into(), m.release().into());
            insert_text(&mut o, "log", &log);
            objects.push(serde_json::Value::Object(o));
        } else {
            out.extend_from_slice(&log);
        }
    }
    (out, objects, partial)
}

/// "2", "2 and 3", "2, 3 and 5".
fn list(v: &[usize]) -> String {
    match v {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!(
            "{} and {last}",
            init.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
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
