//! `panicqr scan`: photos and screenshots of a crashed screen to the log.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use panicqr_report::decode::{decode, merge, parse_params, Decoded};
use serde_json::{Map, Value};

use crate::args::ScanArgs;
use crate::cmd::decode::{insert_text, json, merged_output};
use crate::io::{escape, json_line};
use crate::{Failure, Outcome};

/// How one image went, from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Result1 {
    Complete,
    Partial,
    Failed,
}

pub fn run(args: &ScanArgs) -> Result<Outcome, Failure> {
    let paths = expand(&args.images)?;
    if paths.is_empty() {
        return Err(Failure::BadInput(anyhow::anyhow!(
            "no image matches {}",
            args.images.join(" ")
        )));
    }
    let many = paths.len() > 1;
    let mut worst = Result1::Complete;
    let mut failed = 0;
    let mut out = std::io::stdout().lock();
    let mut parts = Vec::new();
    let to_terminal = std::io::IsTerminal::is_terminal(&out);
    for path in &paths {
        let shown = path.display().to_string();
        match one(path, args.json, many, to_terminal, &mut out, &mut parts)
            .context("cannot write standard output")?
        {
            Ok(r) => worst = worst.max(r),
            Err(msg) if !many && !args.json => {
                return Err(Failure::BadInput(anyhow::anyhow!("{shown}: {msg}")))
            }
            Err(msg) => {
                if !args.json {
                    note!("{shown}: {msg}");
                }
                failed += 1;
                worst = Result1::Failed;
            }
        }
    }
    if !parts.is_empty() {
        let merged = merge(parts);
        let (log, objects, partial) = merged_output(&merged, args.json);
        if args.json {
            let mut m = Map::new();
            m.insert("reports".into(), objects.into());
            out.write_all(json_line(m).as_bytes())
        } else if to_terminal {
            out.write_all(escape(&log, true).as_bytes())
        } else {
            out.write_all(&log)
        }
        .context("cannot write standard output")?;
        if partial {
            worst = worst.max(Result1::Partial);
        }
    }
    match worst {
        Result1::Complete => Ok(Outcome::Complete),
        Result1::Partial => Ok(Outcome::Partial),
        Result1::Failed => Err(Failure::BadInput(anyhow::anyhow!(
            "{failed} of {} images could not be read",
            paths.len()
        ))),
    }
}

/// Whether the codes read so far suffice: any code that is not a report
/// part (a photo of one code), or every part of each report seen.
fn parts_done(found: &[panicqr_scan::Found]) -> bool {
    let mut tags = Vec::new();
    for f in found {
        match std::str::from_utf8(&f.text)
            .ok()
            .and_then(parse_params)
            .and_then(|p| p.part)
        {
            Some(t) => tags.push(t),
            None => return true,
        }
    }
    tags.iter().all(|t| {
        (1..=t.count).all(|i| {
            tags.iter()
                .any(|u| u.id == t.id && u.count == t.count && u.index == i)
        })
    })
}

fn is_image(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
}

/// Arguments as files: directories give their PNG/JPEG files, glob patterns
/// (`*`, `?`, `[…]`, in any path component) their matches; each in order, once.
fn expand(args: &[String]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for a in args {
        let p = Path::new(a);
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| is_image(p))
                .collect();
            files.sort();
            out.extend(files);
        } else if !p.exists() && a.contains(['*', '?', '[']) {
            let matches = glob::glob(a)
                .map_err(|e| Failure::BadInput(anyhow::anyhow!("bad pattern {a}: {e}")))?;
            let mut files: Vec<PathBuf> = matches.flatten().filter(|f| f.is_file()).collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.to_path_buf());
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

/// Whether a code's text is a panic report: a `z` or `zl` parameter after
/// the last `?` (or in a bare `a=…&z=…`), or nothing but digits. A `z=`
/// inside another parameter (`?tz=UTC`) is not one.
fn is_report(text: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(text) else {
        return false;
    };
    let text = text.trim();
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_whitespace())
    {
        return true;
    }
    let params = text.rsplit_once('?').map_or(text, |(_, p)| p);
    params
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .any(|(k, _)| matches!(k.trim(), "z" | "zl"))
}

/// Reads one image and writes its result; `Ok(Err(message))` when it yields
/// nothing, `Err` only for output errors.
fn one(
    path: &Path,
    as_json: bool,
    many: bool,
    to_terminal: bool,
    out: &mut dyn Write,
    parts: &mut Vec<Decoded>,
) -> std::io::Result<Result<Result1, String>> {
    let shown = path.display().to_string();
    let mut obj = Map::new();
    obj.insert("image".into(), shown.clone().into());
    let fail = |out: &mut dyn Write, mut obj: Map<String, Value>, msg: String| {
        if as_json {
            obj.insert("ok".into(), false.into());
            obj.insert("error".into(), msg.clone().into());
            out.write_all(json_line(obj).as_bytes())?;
        }
        Ok(Err(msg))
    };
    let img = match panicqr_scan::open(path) {
        // Grey is all the scan uses: the colour image goes at once.
        Ok(i) => image::DynamicImage::ImageLuma8(i.into_luma8()),
        Err(e) => return fail(out, obj, e.to_string()),
    };
    let codes = match panicqr_scan::scan_all(&img, parts_done) {
        Ok(f) => f,
        Err(e) => return fail(out, obj, e.to_string()),
    };
    // Parts of reports over several codes wait for the last image, to be
    // merged with the parts other photos hold.
    let mut rest = Vec::new();
    let mut n_parts = 0;
    for f in codes {
        match std::str::from_utf8(&f.text).ok().map(decode) {
            Some(Ok(d)) if d.part.is_some() => {
                parts.push(d);
                n_parts += 1;
            }
            _ => rest.push(f),
        }
    }
    if n_parts > 0 {
        note!("{shown}: {n_parts} codes that are parts of a report");
    }
    if rest.is_empty() {
        return Ok(Ok(Result1::Complete));
    }
    if rest.len() > 1 {
        note!(
            "{shown}: {} more codes that are not report parts were not printed",
            rest.len() - 1
        );
    }
    let found = rest.swap_remove(0);
    // What comes from the code goes to a terminal escaped, anywhere else exactly.
    let write_untrusted = |out: &mut dyn Write, bytes: &[u8]| -> std::io::Result<()> {
        if many {
            writeln!(out, "==> {} <==", escape(shown.as_bytes(), false))?;
        }
        if to_terminal {
            out.write_all(escape(bytes, true).as_bytes())
        } else {
            out.write_all(bytes)
        }
    };
    if !is_report(&found.text) {
        if as_json {
            obj.insert("ok".into(), true.into());
            obj.insert("report".into(), false.into());
            insert_text(&mut obj, "text", &found.text);
            out.write_all(json_line(obj).as_bytes())?;
        } else {
            write_untrusted(out, &found.text)?;
            writeln!(out)?;
            note!("{shown}: the QR code is not a panic report; printed its text");
        }
        return Ok(Ok(Result1::Complete));
    }
    let text = String::from_utf8_lossy(&found.text);
    match decode(&text) {
        Ok(d) => {
            if as_json {
                obj.insert("ok".into(), true.into());
                obj.insert("report".into(), true.into());
                obj.extend(json(&d));
                out.write_all(json_line(obj).as_bytes())?;
            } else {
                write_untrusted(out, &d.log)?;
                note!(
                    "{shown}: arch {}, release {}, {} bytes of log{}",
                    d.arch.as_deref().unwrap_or("?"),
                    d.release.as_deref().unwrap_or("?"),
                    d.log.len(),
                    if d.is_complete() {
                        String::new()
                    } else {
                        format!(" (partial: {})", problems(&d))
                    }
                );
            }
            Ok(Ok(if d.is_complete() {
                Result1::Complete
            } else {
                Result1::Partial
            }))
        }
        Err(e) => fail(out, obj, format!("report unreadable: {e}")),
    }
}

fn problems(d: &panicqr_report::decode::Decoded) -> String {
    d.problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::is_report;

    #[test]
    fn a_report_is_told_by_its_parameters_not_a_substring() {
        for yes in [
            "https://x/#?a=x86_64&v=6.1&z=123",
            "https://x/?zl=1234",
            "a=arm64&z=1",
            "12345 67890",
            "https://x/#?z=",
        ] {
            assert!(is_report(yes.as_bytes()), "{yes}");
        }
        for no in [
            "https://example.com/?tz=UTC",
            "https://x/?a=1&xz=5",
            "https://x/?z",
            "hello z= world",
            "",
            "https://x/?a=z=1",
        ] {
            assert!(!is_report(no.as_bytes()), "{no}");
        }
    }
}
