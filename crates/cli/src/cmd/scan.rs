//! `panicqr scan`: photos and screenshots of a crashed screen to the log.

use std::io::Write;
use std::path::{Path, PathBuf};

use panicqr_report::decode::{decode, DecodeError};

use crate::args::ScanArgs;
use crate::cmd::decode::{esc, json};
use crate::{Failure, Outcome};

/// How one image went, from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Result1 {
    Complete,
    Partial,
    Failed,
}

pub fn run(args: &ScanArgs) -> Result<Outcome, Failure> {
    let paths = expand(&args.images);
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
    for path in &paths {
        match one(path, args.json, many, &mut out)? {
            Ok(r) => worst = worst.max(r),
            Err(msg) if !many && !args.json => {
                return Err(Failure::BadInput(anyhow::anyhow!("{msg}")))
            }
            Err(msg) => {
                if !args.json {
                    eprintln!("panicqr: {msg}");
                }
                failed += 1;
                worst = Result1::Failed;
            }
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

/// Arguments as files: directories give their PNG/JPEG files, patterns with
/// `*` or `?` are matched in their directory; sorted, each once.
fn expand(args: &[String]) -> Vec<PathBuf> {
    let is_image = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
    };
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
        } else if a.contains(['*', '?']) {
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let pattern = p.file_name().and_then(|f| f.to_str()).unwrap_or("");
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|f| {
                    f.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| glob_match(pattern, n))
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.to_path_buf());
        }
    }
    out.dedup();
    out
}

/// `*` and `?` wildcards.
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Reads one image; `Ok(Err(message))` when it yields nothing (the message
/// names the image), `Err` only for output errors.
fn one(
    path: &Path,
    as_json: bool,
    many: bool,
    out: &mut dyn Write,
) -> Result<Result<Result1, String>, Failure> {
    let shown = path.display().to_string();
    let fail = |out: &mut dyn Write, msg: String| -> Result<Result<Result1, String>, Failure> {
        if as_json {
            writeln!(
                out,
                "{{\"image\":{},\"ok\":false,\"error\":{}}}",
                esc(&shown),
                esc(&msg)
            )?;
        }
        Ok(Err(format!("{shown}: {msg}")))
    };
    let img = match image::ImageReader::open(path).and_then(|r| r.with_guessed_format()) {
        Err(e) => return fail(out, format!("cannot open: {e}")),
        Ok(r) => match r.decode() {
            Ok(i) => i,
            Err(e) => return fail(out, format!("not a readable PNG or JPEG image: {e}")),
        },
    };
    let found = match panicqr_scan::scan(&img) {
        Ok(f) => f,
        Err(e) => return fail(out, e.to_string()),
    };
    let text = String::from_utf8_lossy(&found.text).into_owned();
    let is_report = text.contains("z=") || text.contains("zl=");
    if !is_report {
        // Not a panic report: print what the code says.
        if as_json {
            writeln!(
                out,
                "{{\"image\":{},\"ok\":true,\"report\":false,\"text\":{}}}",
                esc(&shown),
                esc(&text)
            )?;
        } else {
            if many {
                writeln!(out, "==> {shown} <==")?;
            }
            writeln!(out, "{text}")?;
            eprintln!("panicqr: {shown}: the QR code is not a panic report; printed its text");
        }
        return Ok(Ok(Result1::Complete));
    }
    match decode(&text) {
        Ok(d) => {
            if as_json {
                let j = json(&d);
                writeln!(
                    out,
                    "{{\"image\":{},\"ok\":true,\"report\":true,{}",
                    esc(&shown),
                    &j.trim_end()[1..]
                )?;
            } else {
                if many {
                    writeln!(out, "==> {shown} <==")?;
                }
                out.write_all(&d.log)?;
                eprintln!(
                    "panicqr: {shown}: arch {}, release {}, {} bytes of log{}",
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
        Err(e @ (DecodeError::NoData | DecodeError::Unreadable(_))) => {
            fail(out, format!("report unreadable: {e}"))
        }
    }
}

fn problems(d: &panicqr_report::decode::Decoded) -> String {
    d.problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
