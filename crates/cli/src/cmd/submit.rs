//! `panicqr submit`: report URLs to a crash intake, one request each; the
//! intake's JSON answers on standard output, one line each.
//!
//! Exit codes: 0 when every report was accepted (or was there already), 2
//! when one is not a report (checked here before sending, and by the
//! intake) or the options are wrong (an unusable `--ca-file`), 1 when the
//! intake cannot be reached (its certificate refused included) or fails.

use std::path::PathBuf;

use anyhow::anyhow;
use panicqr_intake::client::Server;

use crate::args::SubmitArgs;
use crate::{io, Failure, Outcome};

pub fn run(args: &SubmitArgs) -> Result<Outcome, Failure> {
    let to = match (&args.to, std::env::var("PANICQR_INTAKE")) {
        (Some(t), _) => t.clone(),
        (None, Ok(t)) => t,
        (None, Err(_)) => {
            return Err(Failure::BadInput(anyhow!(
                "no intake given: --to https://host[:port] or PANICQR_INTAKE"
            )))
        }
    };
    let mut server = Server::new(&to).map_err(|e| Failure::BadInput(anyhow!("{e}")))?;
    let ca_file = args
        .ca_file
        .clone()
        .or_else(|| std::env::var_os("PANICQR_CA_FILE").map(PathBuf::from));
    if let Some(ca) = ca_file {
        server = server
            .with_ca_file(&ca)
            .map_err(|e| Failure::BadInput(anyhow!("{e}")))?;
    }
    let urls: Vec<String> = match args.urls.as_slice() {
        [] => stdin_lines()?,
        [one] if one == "-" => stdin_lines()?,
        many => many.to_vec(),
    };
    if urls.is_empty() {
        return Err(Failure::BadInput(anyhow!("no report URL given")));
    }
    // Every one checked before any is sent: a typo in the third does not
    // leave two sent.
    for (i, u) in urls.iter().enumerate() {
        panicqr_intake::ingest::read(u)
            .map_err(|e| Failure::BadInput(anyhow!("report {}: {e}", i + 1)))?;
    }
    let mut out = Vec::new();
    let mut failure = None;
    for (i, u) in urls.iter().enumerate() {
        let r = server
            .submit(u)
            .map_err(|e| Failure::Other(anyhow!("{e}")))?;
        match r.status {
            200 => out.extend_from_slice(&r.body),
            400 | 409 | 413 => {
                failure = Some(Failure::BadInput(anyhow!(
                    "report {}: the intake refused it: {}",
                    i + 1,
                    r.error_message()
                )));
                break;
            }
            429 => {
                failure = Some(Failure::Other(anyhow!(
                    "report {}: the intake limits reports from this address: try again in {} s",
                    i + 1,
                    r.header("retry-after").unwrap_or("?")
                )));
                break;
            }
            s => {
                failure = Some(Failure::Other(anyhow!(
                    "report {}: the intake answered {s}: {}",
                    i + 1,
                    r.error_message()
                )));
                break;
            }
        }
    }
    io::write_output(None, &out)?;
    match failure {
        Some(f) => Err(f),
        None => Ok(Outcome::Complete),
    }
}

fn stdin_lines() -> Result<Vec<String>, Failure> {
    let s = io::read_input(None, io::DECODE_INPUT_LIMIT)?;
    Ok(String::from_utf8_lossy(&s)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}
