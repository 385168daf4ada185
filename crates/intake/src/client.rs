//! A small blocking HTTP/1.1 client for the intake's API: what
//! `panicqr submit` and the tests use. Plain `http://` only (one request
//! per connection); an intake behind TLS is reached through the
//! distribution's own proxy or tools.

use std::fmt;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Largest answer read (a signature's details with 1000 logs fit).
const MAX_RESPONSE: u64 = 64 << 20;

/// Why a request got no answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The server address is not `http://host[:port]`.
    BadAddress(String),
    /// The server could not be reached (refused, unknown host, timeout).
    Connect(String, std::io::Error),
    /// The connection broke, or the answer is not HTTP.
    Protocol(String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::BadAddress(a) => write!(
                f,
                "'{a}' is not an intake address: expected http://host[:port] (https is not supported; use a plain-HTTP address or a TLS proxy)"
            ),
            ClientError::Connect(a, e) => write!(f, "cannot reach {a}: {e}"),
            ClientError::Protocol(m) => write!(f, "bad answer from the server: {m}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// An HTTP answer.
#[derive(Clone, Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of that (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `error` of a JSON error answer, or the body.
    pub fn error_message(&self) -> String {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
            .unwrap_or_else(|| self.text().trim().to_string())
    }
}

/// An intake server's address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    host: String,
    port: u16,
    /// A path prefix (an intake behind a proxy at `/crashes`), without the
    /// final `/`.
    prefix: String,
    /// Time for connecting, and for each read or write.
    pub timeout: Duration,
}

impl Server {
    /// Reads `http://host[:port][/prefix]`.
    ///
    /// # Errors
    /// [`ClientError::BadAddress`].
    ///
    /// # Examples
    /// ```
    /// use panicqr_intake::client::Server;
    /// assert!(Server::new("http://127.0.0.1:8080/").is_ok());
    /// assert!(Server::new("https://crashes.example").is_err());
    /// ```
    pub fn new(address: &str) -> Result<Server, ClientError> {
        let bad = || ClientError::BadAddress(address.to_string());
        let rest = address.strip_prefix("http://").ok_or_else(bad)?;
        let (hostport, prefix) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.is_empty() && !p.contains(']') => {
                (h, p.parse::<u16>().map_err(|_| bad())?)
            }
            _ => (hostport, 80),
        };
        if host.is_empty() || host.contains(['@', '?', '#', ' ']) {
            return Err(bad());
        }
        Ok(Server {
            host: host.to_string(),
            port,
            prefix: prefix.trim_end_matches('/').to_string(),
            timeout: Duration::from_secs(30),
        })
    }

    /// `POST /api/reports` with the report URL.
    ///
    /// # Errors
    /// [`ClientError`] when there is no answer; any HTTP status is an
    /// answer.
    pub fn submit(&self, report: &str) -> Result<Response, ClientError> {
        self.request(
            "POST",
            "/api/reports",
            &[("Content-Type", "text/plain; charset=utf-8")],
            report.as_bytes(),
        )
    }

    /// One request (`path` from the root of the API, e.g.
    /// `/api/signatures`), its answer.
    ///
    /// # Errors
    /// [`ClientError`] when there is no answer.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response, ClientError> {
        let name = format!("{}:{}", self.host, self.port);
        let connect = |e| ClientError::Connect(name.clone(), e);
        let addrs: Vec<_> = (self.host.trim_matches(['[', ']']), self.port)
            .to_socket_addrs()
            .map_err(connect)?
            .collect();
        let mut last = None;
        let mut stream = None;
        for a in addrs {
            match TcpStream::connect_timeout(&a, self.timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let mut s = stream
            .ok_or_else(|| connect(last.unwrap_or_else(|| std::io::Error::other("no address"))))?;
        let io = |e: std::io::Error| ClientError::Protocol(e.to_string());
        s.set_read_timeout(Some(self.timeout)).map_err(io)?;
        s.set_write_timeout(Some(self.timeout)).map_err(io)?;
        let mut head = format!(
            "{method} {}{path} HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.prefix,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).map_err(io)?;
        s.write_all(body).map_err(io)?;
        let mut raw = Vec::new();
        s.take(MAX_RESPONSE).read_to_end(&mut raw).map_err(io)?;
        parse(&raw)
    }
}

fn parse(raw: &[u8]) -> Result<Response, ClientError> {
    let bad = |m: &str| ClientError::Protocol(m.to_string());
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no complete header"))?;
    let (head, rest) = raw.split_at(end);
    let body = rest.get(4..).unwrap_or(&[]);
    let head = std::str::from_utf8(head).map_err(|_| bad("header is not text"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| bad("no status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(body).ok_or_else(|| bad("broken chunked body"))?
    } else {
        let len = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok());
        match len {
            Some(n) => body
                .get(..n)
                .ok_or_else(|| bad("body shorter than its Content-Length"))?
                .to_vec(),
            None => body.to_vec(),
        }
    };
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(b.get(..eol)?).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        b = b.get(eol + 2..)?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let s = Server::new("http://[::1]:9000/crashes/").unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.prefix.as_str()),
            ("[::1]", 9000, "/crashes")
        );
        let s = Server::new("http://intake.example").unwrap();
        assert_eq!(s.port, 80);
        for bad in [
            "intake:80",
            "http://",
            "http://a:b",
            "http://u@h/",
            "ftp://h",
        ] {
            assert!(Server::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers() {
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\nhiXX").unwrap();
        assert_eq!(
            (r.status, r.body.as_slice(), r.header("x-a")),
            (200, &b"hi"[..], Some("b"))
        );
        let r = parse(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.body, b"abc");
        assert!(parse(b"HTTP/1.1 200 OK\r\n").is_err());
    }
}
