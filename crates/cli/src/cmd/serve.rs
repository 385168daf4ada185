//! `panicqr serve`: the decoder page on 127.0.0.1, from files built into the
//! binary, so it works offline and without a checkout.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

use anyhow::Context;

use crate::args::ServeArgs;
use crate::{Failure, Outcome};

/// The page's files, embedded at build time.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "/index.html",
        "text/html; charset=utf-8",
        include_bytes!("../../../../web/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../../web/app.js"),
    ),
    (
        "/decode.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../../web/decode.js"),
    ),
    (
        "/inflate.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../../web/inflate.js"),
    ),
    (
        "/config.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../../web/config.js"),
    ),
    (
        "/style.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../../web/style.css"),
    ),
];

/// The same policy as the page's meta tag, also sent as a header.
const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; \
                   form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

pub fn run(args: &ServeArgs) -> Result<Outcome, Failure> {
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    let addr = listener.local_addr()?;
    println!("http://{addr}/");
    std::io::stdout().flush()?;
    eprintln!("panicqr: serving the decoder page on http://{addr}/ (Ctrl-C to stop)");
    for stream in listener.incoming() {
        match stream {
            Ok(s) => {
                if let Err(e) = handle(s) {
                    log_error(&e);
                }
            }
            Err(e) => log_error(&e.into()),
        }
    }
    Ok(Outcome::Complete)
}

fn log_error(e: &anyhow::Error) {
    eprintln!("panicqr: serve: {e:#}");
}

fn handle(stream: TcpStream) -> anyhow::Result<()> {
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // Drain the headers.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split(['?', '#']).next().unwrap_or("");
    let path = if path == "/" { "/index.html" } else { path };
    let mut out = stream;
    let found = FILES.iter().find(|(p, _, _)| *p == path);
    let (status, ctype, body): (&str, &str, &[u8]) = match (method, found) {
        ("GET" | "HEAD", Some((_, t, b))) => ("200 OK", t, b),
        // Browsers ask for an icon on their own; there is none.
        ("GET" | "HEAD", None) if path == "/favicon.ico" => ("204 No Content", "image/x-icon", b""),
        ("GET" | "HEAD", None) => ("404 Not Found", "text/plain; charset=utf-8", b"not found\n"),
        _ => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"method not allowed\n",
        ),
    };
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nContent-Security-Policy: {CSP}\r\n\
         X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        out.write_all(body)?;
    }
    out.flush()?;
    Ok(())
}
