//! `panicqr intake`: the crash intake service (crates/intake), with its
//! options read here.

use std::io::Write;

use anyhow::{anyhow, Context};
use panicqr_intake::server::{check_tracker_url, Config, RateLimit};
use panicqr_intake::tls::ServerTls;
use panicqr_intake::Error;

use crate::args::IntakeArgs;
use crate::{Failure, Outcome};

pub fn run(args: &IntakeArgs) -> Result<Outcome, Failure> {
    let admin_token = admin_token(args)?;
    // Clap makes each of the two options require the other.
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            ServerTls::from_pem_files(cert, key)
                .map_err(|e| Failure::BadInput(anyhow!("TLS: {e}")))?,
        ),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    if let Some(t) = &args.tracker_url {
        check_tracker_url(t).map_err(|e| Failure::BadInput(anyhow!(e)))?;
    }
    let config = Config {
        max_body: args.max_body,
        rate_limit: RateLimit {
            per_minute: args.rate_limit,
            burst: args.rate_burst,
        },
        read_rate_limit: RateLimit {
            per_minute: args.read_rate_limit,
            burst: args.read_rate_limit,
        },
        admin_token,
        tracker_url: args.tracker_url.clone(),
        retention_days: args.retention_days,
        allow_origins: args.allow_origin.clone(),
        trusted_proxies: args.trusted_proxy.clone(),
        ..Config::default()
    };
    let deletion = if config.admin_token.is_some() {
        "deletion with the admin token"
    } else {
        "deletion disabled (no admin token)"
    };
    let retention = match config.retention_days {
        0 => "reports kept forever".to_string(),
        d => format!("reports deleted after {d} days"),
    };
    panicqr_intake::server::run_with(&args.db, &args.listen, config, tls, |addr| {
        // The address is for whoever started us (a test, a script); a
        // closed standard output does not stop the service.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{scheme}://{addr}/").and_then(|()| out.flush());
        note!("crash intake on {scheme}://{addr}/: {retention}, {deletion}");
    })
    .map_err(|e| match e {
        Error::BadDatabaseUrl(_) => Failure::BadInput(anyhow!("{e}")),
        e => Failure::Other(anyhow!("{e}")),
    })?;
    Ok(Outcome::Complete)
}

/// The token from `--admin-token-file`, else `PANICQR_ADMIN_TOKEN`; its
/// surrounding whitespace (a file's final newline) is not part of it.
fn admin_token(args: &IntakeArgs) -> Result<Option<String>, Failure> {
    let (token, from) = match &args.admin_token_file {
        Some(p) => (
            std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the admin token file {}", p.display()))
                .map_err(Failure::BadInput)?,
            p.display().to_string(),
        ),
        None => match std::env::var("PANICQR_ADMIN_TOKEN") {
            Ok(t) => (t, "PANICQR_ADMIN_TOKEN".to_string()),
            Err(_) => return Ok(None),
        },
    };
    let token = token.trim();
    if token.len() < 16 {
        return Err(Failure::BadInput(anyhow!(
            "the admin token in {from} is shorter than 16 characters: too easy to guess"
        )));
    }
    Ok(Some(token.to_string()))
}
