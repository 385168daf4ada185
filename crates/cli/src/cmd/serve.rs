//! `panicqr serve`: the decoder page on 127.0.0.1, from files built into the
//! binary, so it works offline and without a checkout.
//!
//! Each connection gets its own thread, up to [`MAX_CONNECTIONS`] at once
//! (more are answered 503 at once); a request head is at most [`HEAD_LIMIT`]
//! bytes and must arrive, and its answer leave, within [`DEADLINE`]. So a
//! silent, slow or huge client costs one bounded slot for a bounded time.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
                   form-action 'none'; base-uri 'none'; frame-ancestors 'none'; \
                   require-trusted-types-for 'script'";

/// Connections served at once; a page load makes six requests.
pub const MAX_CONNECTIONS: usize = 32;
/// Longest request head (request line and headers).
pub const HEAD_LIMIT: usize = 8 * 1024;
/// Time for a whole request: reading the head and writing the answer.
pub const DEADLINE: Duration = Duration::from_secs(10);
/// After an error answer, how much of the rest of a request is read and
/// dropped, so that closing does not reset the connection before the client
/// has read the answer.
const DRAIN_LIMIT: usize = 256 * 1024;

pub fn run(args: &ServeArgs) -> Result<Outcome, Failure> {
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    let addr = listener.local_addr()?;
    // The address is for whoever started us; the server is the point, so a
    // closed standard output does not stop it.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "http://{addr}/").and_then(|()| stdout.flush());
    drop(stdout);
    note!("serving the decoder page on http://{addr}/ (Ctrl-C to stop)");
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                note!("serve: {e}");
                // Out of descriptors or memory: give the others time to finish.
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            let _ = respond(&stream, Status::BUSY, "GET");
            continue;
        }
        let slot = Slot(Arc::clone(&active));
        let spawned = std::thread::Builder::new()
            .name("serve".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let _slot = slot;
                if let Err(e) = handle(&stream) {
                    note!("serve: {e:#}");
                }
            });
        if let Err(e) = spawned {
            note!("serve: cannot start a thread: {e}");
        }
    }
    Ok(Outcome::Complete)
}

/// A taken connection slot, given back when dropped (also on a panic).
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A status line and its plain-text body.
#[derive(Clone, Copy)]
struct Status(&'static str, &'static [u8]);

impl Status {
    const NO_CONTENT: Status = Status("204 No Content", b"");
    const BAD_REQUEST: Status = Status("400 Bad Request", b"bad request\n");
    const NOT_FOUND: Status = Status("404 Not Found", b"not found\n");
    const NOT_ALLOWED: Status = Status("405 Method Not Allowed", b"method not allowed\n");
    const TIMEOUT: Status = Status("408 Request Timeout", b"request timeout\n");
    const TOO_LARGE: Status = Status(
        "431 Request Header Fields Too Large",
        b"request head too large\n",
    );
    const BUSY: Status = Status("503 Service Unavailable", b"too many connections\n");
}

fn handle(stream: &TcpStream) -> anyhow::Result<()> {
    let deadline = Instant::now() + DEADLINE;
    let head = match read_head(stream, deadline)? {
        Head::Complete(h) => h,
        Head::Closed => return Ok(()),
        Head::TooLarge => return refuse(stream, Status::TOO_LARGE, deadline),
        Head::TimedOut => return refuse(stream, Status::TIMEOUT, deadline),
    };
    let Some((method, path)) = parse(&head) else {
        return refuse(stream, Status::BAD_REQUEST, deadline);
    };
    let path = if path == "/" { "/index.html" } else { path };
    if !matches!(method, "GET" | "HEAD") {
        return refuse(stream, Status::NOT_ALLOWED, deadline);
    }
    set_write_deadline(stream, deadline)?;
    match FILES.iter().find(|(p, _, _)| *p == path) {
        Some((_, ctype, body)) => respond_file(stream, method, ctype, body),
        // Browsers ask for an icon on their own; there is none.
        None if path == "/favicon.ico" => respond(stream, Status::NO_CONTENT, method),
        None => respond(stream, Status::NOT_FOUND, method),
    }
}

enum Head {
    Complete(Vec<u8>),
    /// The client left before sending a whole head.
    Closed,
    TooLarge,
    TimedOut,
}

/// Reads up to the blank line that ends the head, within the limit and the deadline.
fn read_head(mut stream: &TcpStream, deadline: Instant) -> anyhow::Result<Head> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    loop {
        if let Some(end) = head_end(&head) {
            head.truncate(end);
            return Ok(Head::Complete(head));
        }
        if head.len() >= HEAD_LIMIT {
            return Ok(Head::TooLarge);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Head::TimedOut);
        }
        stream.set_read_timeout(Some(left))?;
        let want = buf.len().min(HEAD_LIMIT - head.len());
        match stream.read(buf.get_mut(..want).unwrap_or(&mut [])) {
            Ok(0) => return Ok(Head::Closed),
            Ok(n) => head.extend_from_slice(buf.get(..n).unwrap_or(&[])),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(Head::TimedOut)
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Where the head ends (before its blank line); bare `\n` line ends are accepted.
fn head_end(head: &[u8]) -> Option<usize> {
    let crlf = head.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = head.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The method and path of a well-formed HTTP/1.x request head.
fn parse(head: &[u8]) -> Option<(&str, &str)> {
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut parts = lines.next()?.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    let fine = parts.next().is_none()
        && token(method)
        && target.starts_with('/')
        && target.bytes().all(|b| b.is_ascii_graphic())
        && matches!(version, "HTTP/1.0" | "HTTP/1.1")
        && lines.all(|l| l.split_once(':').is_some_and(|(name, _)| token(name)));
    fine.then(|| (method, target.split(['?', '#']).next().unwrap_or("")))
}

fn set_write_deadline(stream: &TcpStream, deadline: Instant) -> anyhow::Result<()> {
    let left = deadline.saturating_duration_since(Instant::now());
    // A zero timeout means none: leave at least a moment.
    stream.set_write_timeout(Some(left.max(Duration::from_millis(10))))?;
    Ok(())
}

/// Answers an error, then reads and drops what the client is still sending
/// (bounded), so that it can read the answer before the connection closes.
fn refuse(stream: &TcpStream, status: Status, deadline: Instant) -> anyhow::Result<()> {
    set_write_deadline(stream, deadline)?;
    respond(stream, status, "GET")?;
    stream.shutdown(Shutdown::Write)?;
    let drain_until = Instant::now() + Duration::from_secs(1);
    let mut buf = [0u8; 4096];
    let mut drained = 0;
    let mut s = stream;
    while drained < DRAIN_LIMIT {
        let left = drain_until
            .min(deadline)
            .saturating_duration_since(Instant::now());
        if left.is_zero() || s.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
    Ok(())
}

fn headers(status: &str, ctype: &str, len: usize, extra: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len}\r\n{extra}Content-Security-Policy: {CSP}\r\n\
         X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
}

fn respond(mut out: &TcpStream, status: Status, method: &str) -> anyhow::Result<()> {
    let Status(line, body) = status;
    let extra = if line.starts_with("405") {
        "Allow: GET, HEAD\r\n"
    } else {
        ""
    };
    let ctype = "text/plain; charset=utf-8";
    out.write_all(headers(line, ctype, body.len(), extra).as_bytes())?;
    if method != "HEAD" {
        out.write_all(body)?;
    }
    out.flush()?;
    Ok(())
}

fn respond_file(mut out: &TcpStream, method: &str, ctype: &str, body: &[u8]) -> anyhow::Result<()> {
    out.write_all(headers("200 OK", ctype, body.len(), "").as_bytes())?;
    if method != "HEAD" {
        out.write_all(body)?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::CSP;

    /// The header carries every directive of the page's own policy (and
    /// `frame-ancestors`, which only a header can set).
    #[test]
    fn the_header_policy_includes_the_pages() {
        let page = std::str::from_utf8(include_bytes!("../../../../web/index.html")).unwrap();
        let meta = page
            .split("http-equiv=\"Content-Security-Policy\" content=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap();
        let header: Vec<&str> = CSP.split(';').map(str::trim).collect();
        let mut n = 0;
        for d in meta.split(';').map(str::trim).filter(|d| !d.is_empty()) {
            assert!(header.contains(&d), "the header lacks `{d}`");
            n += 1;
        }
        assert!(n >= 8, "{n} directives in the page's policy");
        assert!(header.contains(&"frame-ancestors 'none'"));
    }
}
