//! A small blocking HTTP/1.1 client for the intake's API: what
//! `panicqr submit` and the tests use. `http://` and `https://` (rustls
//! over the TCP stream: the system's trust roots, plus those of
//! [`Server::with_ca_file`]); one request per connection.

use std::fmt;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{CertificateError, ClientConfig, ClientConnection, StreamOwned};

use crate::tls::{self, TlsError};

/// Largest answer read (a signature's details with 1000 logs fit).
const MAX_RESPONSE: u64 = 64 << 20;

/// Why a request got no answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The server address is not `http(s)://host[:port]`.
    BadAddress(String),
    /// The server could not be reached (refused, unknown host, timeout).
    Connect(String, std::io::Error),
    /// The TLS handshake with the server failed: most often its
    /// certificate is not trusted or not for the name used.
    Tls(String, rustls::Error),
    /// The certificates of [`Server::with_ca_file`] cannot be used.
    CaFile(TlsError),
    /// The connection broke, or the answer is not HTTP.
    Protocol(String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::BadAddress(a) => write!(
                f,
                "'{a}' is not an intake address: expected https://host[:port][/path] or http://…"
            ),
            ClientError::Connect(a, e) => write!(f, "cannot reach {a}: {e}"),
            ClientError::Tls(a, e) => write!(f, "cannot reach {a}: {}", tls_problem(e)),
            ClientError::CaFile(e) => write!(f, "CA file: {e}"),
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
#[derive(Clone, Debug)]
pub struct Server {
    host: String,
    port: u16,
    /// A path prefix (an intake behind a proxy at `/crashes`), without the
    /// final `/`.
    prefix: String,
    /// For `https://`: whom to trust, and the name the certificate must
    /// carry.
    tls: Option<Tls>,
    /// Time for connecting, and for each read or write (the TLS handshake's
    /// included).
    pub timeout: Duration,
}

#[derive(Clone, Debug)]
struct Tls {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
}

impl Server {
    /// Reads `https://host[:port][/prefix]` (port 443 by default) or
    /// `http://…` (port 80). An `https://` server's certificate must be
    /// valid for `host` (a name, or an IP address) and issued by an
    /// authority of the system's trust store (`SSL_CERT_FILE` and
    /// `SSL_CERT_DIR` are honoured) or of [`Server::with_ca_file`].
    ///
    /// # Errors
    /// [`ClientError::BadAddress`].
    ///
    /// # Examples
    /// ```
    /// use panicqr_intake::client::Server;
    /// assert!(Server::new("http://127.0.0.1:8080/").is_ok());
    /// assert!(Server::new("https://crashes.example/intake").is_ok());
    /// assert!(Server::new("ftp://crashes.example").is_err());
    /// ```
    pub fn new(address: &str) -> Result<Server, ClientError> {
        let bad = || ClientError::BadAddress(address.to_string());
        let (https, rest) = match address.strip_prefix("https://") {
            Some(r) => (true, r),
            None => (false, address.strip_prefix("http://").ok_or_else(bad)?),
        };
        let (hostport, prefix) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.is_empty() && !p.contains(']') => {
                (h, p.parse::<u16>().map_err(|_| bad())?)
            }
            _ => (hostport, if https { 443 } else { 80 }),
        };
        if host.is_empty() || host.contains(['@', '?', '#', ' ']) {
            return Err(bad());
        }
        let tls = if https {
            let bare = host.trim_matches(['[', ']']);
            let name = match bare.parse::<IpAddr>() {
                Ok(ip) => ServerName::IpAddress(ip.into()),
                Err(_) => ServerName::try_from(bare.to_string()).map_err(|_| bad())?,
            };
            let config = tls::client_config(&[], Path::new("")).map_err(ClientError::CaFile)?;
            Some(Tls { config, name })
        } else {
            None
        };
        Ok(Server {
            host: host.to_string(),
            port,
            prefix: prefix.trim_end_matches('/').to_string(),
            tls,
            timeout: Duration::from_secs(30),
        })
    }

    /// Also trusts the certificates of the PEM file `path` (a private
    /// certificate authority's, or the server's own self-signed one),
    /// besides the system's. Nothing changes for an `http://` server, but
    /// the file is read all the same: a wrong path is an error either way.
    ///
    /// # Errors
    /// [`ClientError::CaFile`]: the file is unreadable or holds no
    /// certificate.
    ///
    /// # Examples
    /// ```
    /// use panicqr_intake::client::Server;
    /// let s = Server::new("https://crashes.example")?;
    /// assert!(s.with_ca_file("/nonexistent/ca.pem".as_ref()).is_err());
    /// # Ok::<(), panicqr_intake::client::ClientError>(())
    /// ```
    pub fn with_ca_file(mut self, path: &Path) -> Result<Server, ClientError> {
        let certs = tls::read_certificates(path).map_err(ClientError::CaFile)?;
        if let Some(t) = &mut self.tls {
            t.config = tls::client_config(&certs, path).map_err(ClientError::CaFile)?;
        }
        Ok(self)
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
        let hostport = format!("{}:{}", self.host, self.port);
        let name = match self.tls {
            Some(_) => format!("https://{hostport}"),
            None => format!("http://{hostport}"),
        };
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
            "{method} {}{path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.prefix,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let raw = match &self.tls {
            None => exchange(&mut s, head.as_bytes(), body).map_err(io)?,
            Some(t) => {
                let mut conn = ClientConnection::new(t.config.clone(), t.name.clone())
                    .map_err(|e| ClientError::Tls(name.clone(), e))?;
                handshake(&mut conn, &mut s).map_err(|e| match rustls_error(&e) {
                    Some(r) => ClientError::Tls(name.clone(), r),
                    None => connect(e),
                })?;
                exchange(&mut StreamOwned::new(conn, s), head.as_bytes(), body).map_err(io)?
            }
        };
        parse(&raw)
    }
}

/// Sends a request, reads the answer to the end of the stream (at most
/// [`MAX_RESPONSE`] bytes).
fn exchange(s: &mut (impl Read + Write), head: &[u8], body: &[u8]) -> std::io::Result<Vec<u8>> {
    // One write: over TLS, each write is a record of its own, and a second
    // small segment would wait for the first's acknowledgement (Nagle).
    let mut request = Vec::with_capacity(head.len() + body.len());
    request.extend_from_slice(head);
    request.extend_from_slice(body);
    s.write_all(&request)?;
    s.flush()?;
    let mut raw = Vec::new();
    match s.take(MAX_RESPONSE).read_to_end(&mut raw) {
        Ok(_) => Ok(raw),
        // A TLS server that closes without saying so (no close_notify)
        // after its answer: the answer's Content-Length or final chunk
        // tells whether it came whole, and `parse` checks that.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => Ok(raw),
        Err(e) => Err(e),
    }
}

/// The TLS handshake, on its own so that its failures (an untrusted
/// certificate above all) are told apart from those of the exchange.
fn handshake(conn: &mut ClientConnection, s: &mut TcpStream) -> std::io::Result<()> {
    while conn.is_handshaking() {
        if conn.complete_io(s)? == (0, 0) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the server closed the connection during the TLS handshake",
            ));
        }
    }
    Ok(())
}

/// The rustls error inside an I/O error of the handshake, if that is what
/// it is.
fn rustls_error(e: &std::io::Error) -> Option<rustls::Error> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .cloned()
}

/// A TLS failure, said so that the user knows what to do.
fn tls_problem(e: &rustls::Error) -> String {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "certificate not trusted (UnknownIssuer); pass --ca-file (or PANICQR_CA_FILE) with the certificate of the intake's private certificate authority".into()
        }
        rustls::Error::InvalidCertificate(
            c @ (CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }),
        ) => format!("the server's certificate is for another name: {c}"),
        // What `openssl req -x509` makes: an authority's certificate, which
        // WebPKI refuses as a server's own.
        rustls::Error::InvalidCertificate(c) if format!("{c:?}").contains("CaUsedAsEndEntity") => {
            "the server's certificate is self-signed as an authority (CaUsedAsEndEntity); pass that very certificate with --ca-file (or PANICQR_CA_FILE) to trust it as this server's".into()
        }
        rustls::Error::InvalidCertificate(c) => format!("the server's certificate is refused: {c}"),
        rustls::Error::InvalidMessage(_) => {
            format!("the TLS handshake failed ({e}); is it a plain-HTTP server? then use http://")
        }
        e => format!("the TLS handshake failed: {e}"),
    }
}

fn parse(raw: &[u8]) -> Result<Response, ClientError> {
    let bad = |m: &str| ClientError::Protocol(m.to_string());
    // A TLS record (an alert, a handshake) where HTTP was expected.
    if let [0x15 | 0x16, 0x03, ..] = raw {
        return Err(bad("the answer is TLS, not HTTP: use https://"));
    }
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
        assert_eq!((s.port, s.tls.is_none()), (80, true));
        let s = Server::new("https://intake.example/c").unwrap();
        assert_eq!((s.port, s.prefix.as_str()), (443, "/c"));
        let name = s.tls.map(|t| t.name.to_str().into_owned());
        assert_eq!(name.as_deref(), Some("intake.example"));
        let s = Server::new("https://[::1]:8443").unwrap();
        let name = s.tls.map(|t| t.name.to_str().into_owned());
        assert_eq!(name.as_deref(), Some("::1"));
        for bad in [
            "intake:80",
            "http://",
            "http://a:b",
            "http://u@h/",
            "ftp://h",
            "https://",
            "https://h:99999",
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
