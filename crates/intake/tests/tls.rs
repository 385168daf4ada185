//! HTTPS: the intake serving TLS with a certificate from a throw-away
//! authority (`testing::test_pki`), the client trusting it through
//! `with_ca_file` only; untrusted and wrong-name certificates refused with
//! a message that says so; handshakes bounded by the header timeout and the
//! connection cap; unusable certificate and key files refused. SQLite
//! only: the database plays no part.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{closed_within, receipt, unlimited, TestServer};
use panicqr_intake::client::{ClientError, Server};
use panicqr_intake::server::Config;
use panicqr_intake::testing::{report_url, self_signed, test_pki, TestPki};
use panicqr_intake::tls::{ServerTls, TlsError};
use rustls::CertificateError;

fn crash_url(n: usize) -> String {
    let log = format!(
        "[   1.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n[   1.000001] RIP: 0010:tls_test_{}+0x1/0x2\n",
        ["a", "b", "c", "d"][n % 4]
    );
    report_url(log.as_bytes(), "x86_64", "6.1", 10)
}

fn tls_server(pki: &TestPki, config: Config) -> TestServer {
    let tls = ServerTls::from_pem_files(&pki.cert, &pki.key).unwrap();
    TestServer::start_tls(&common::sqlite_db(), config, tls, &pki.ca)
}

/// The certificate problem a request ran into.
fn tls_failure(
    r: Result<panicqr_intake::client::Response, ClientError>,
) -> (rustls::Error, String) {
    match r {
        Err(e @ ClientError::Tls(_, _)) => {
            let message = e.to_string();
            let ClientError::Tls(_, inner) = e else {
                unreachable!()
            };
            (inner, message)
        }
        Err(e) => panic!("not a TLS failure: {e}"),
        Ok(r) => panic!("answered {}: {}", r.status, r.text()),
    }
}

/// Submitted and read back over HTTPS, by name and by IP address; an
/// `https://` client at a plain-HTTP server is told so.
#[test]
fn reports_over_https() {
    let pki = test_pki();
    let s = tls_server(&pki, unlimited());
    let url = crash_url(0);
    let r = receipt(&s.submit(&url));
    assert_eq!(r["duplicate"], false);
    let sigs = s.json("/api/signatures");
    assert_eq!(sigs.as_array().unwrap().len(), 1);
    assert_eq!(sigs[0]["count"], 1);
    // The certificate names 127.0.0.1 too (an IP address SAN).
    let by_ip = Server::new(&format!("https://127.0.0.1:{}", s.addr.port()))
        .unwrap()
        .with_ca_file(&pki.ca)
        .unwrap();
    assert_eq!(receipt(&by_ip.submit(&url).unwrap())["duplicate"], true);
    assert_eq!(s.count(), 1);

    let plain = TestServer::start(&common::sqlite_db(), unlimited());
    let wrong = Server::new(&format!("https://127.0.0.1:{}", plain.addr.port()))
        .unwrap()
        .with_ca_file(&pki.ca)
        .unwrap();
    let (e, message) = tls_failure(wrong.submit(&url));
    assert!(matches!(e, rustls::Error::InvalidMessage(_)), "{e:?}");
    assert!(message.contains("use http://"), "{message}");
    assert_eq!(plain.count(), 0);
    // And the other way round: an http:// client at the HTTPS server.
    let wrong = Server::new(&format!("http://127.0.0.1:{}", s.addr.port())).unwrap();
    match wrong.submit(&url) {
        Err(e @ ClientError::Protocol(_)) => {
            assert!(e.to_string().contains("use https://"), "{e}")
        }
        r => panic!("{r:?}"),
    }
    assert_eq!(s.count(), 1);
}

/// Without the authority's certificate the server is not trusted: one
/// line that names the problem and the remedy; nothing stored.
#[test]
fn untrusted_certificate_is_refused() {
    let pki = test_pki();
    let s = tls_server(&pki, unlimited());
    let client = Server::new(&format!("https://localhost:{}", s.addr.port())).unwrap();
    let (e, message) = tls_failure(client.submit(&crash_url(1)));
    assert_eq!(
        e,
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
    );
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.starts_with(&format!(
            "cannot reach https://localhost:{}: certificate not trusted",
            s.addr.port()
        )),
        "{message}"
    );
    assert!(message.contains("--ca-file"), "{message}");
    assert_eq!(s.count(), 0);
}

/// A self-signed server certificate (CA:TRUE, as `openssl req -x509`
/// makes) is refused with a message that says what to do, and trusted as
/// this server's when that very certificate is the `--ca-file`; its names
/// are still checked, and another self-signed certificate or the test
/// authority does not stand in for it.
#[test]
fn self_signed_certificate_given_is_trusted() {
    let (cert, key) = self_signed(&["localhost", "127.0.0.1"], false);
    let tls = ServerTls::from_pem_files(&cert, &key).unwrap();
    let s = TestServer::start_tls(&common::sqlite_db(), unlimited(), tls, &cert);
    let port = s.addr.port();
    let (e, message) = tls_failure(
        Server::new(&format!("https://localhost:{port}"))
            .unwrap()
            .submit(&crash_url(5)),
    );
    assert!(format!("{e:?}").contains("CaUsedAsEndEntity"), "{e:?}");
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.contains("self-signed") && message.contains("--ca-file"),
        "{message}"
    );
    for host in ["localhost", "127.0.0.1"] {
        let client = Server::new(&format!("https://{host}:{port}"))
            .unwrap()
            .with_ca_file(&cert)
            .unwrap();
        receipt(&client.submit(&crash_url(5)).unwrap());
    }
    assert_eq!(s.count(), 1);
    // Another certificate for the same names, or an authority that did
    // not sign this one: refused.
    let (other, _) = self_signed(&["localhost", "127.0.0.1"], false);
    let pki = test_pki();
    for ca in [&other, &pki.ca] {
        let client = Server::new(&format!("https://localhost:{port}"))
            .unwrap()
            .with_ca_file(ca)
            .unwrap();
        assert!(client.submit(&crash_url(6)).is_err());
    }
    // The certificate given, but the server's name is not in it.
    let (elsewhere_cert, elsewhere_key) = self_signed(&["intake.example"], false);
    let tls = ServerTls::from_pem_files(&elsewhere_cert, &elsewhere_key).unwrap();
    let s2 = TestServer::start_tls(&common::sqlite_db(), unlimited(), tls, &elsewhere_cert);
    let client = Server::new(&format!("https://localhost:{}", s2.addr.port()))
        .unwrap()
        .with_ca_file(&elsewhere_cert)
        .unwrap();
    let (e, message) = tls_failure(client.submit(&crash_url(6)));
    assert_eq!(
        e,
        rustls::Error::InvalidCertificate(CertificateError::NotValidForName)
    );
    assert!(message.contains("for another name"), "{message}");
    // Given, but expired: refused as expired (the pin is no way around
    // WebPKI's other checks).
    let (old_cert, old_key) = self_signed(&["localhost", "127.0.0.1"], true);
    let tls = ServerTls::from_pem_files(&old_cert, &old_key).unwrap();
    let s3 = TestServer::start_tls(&common::sqlite_db(), unlimited(), tls, &old_cert);
    let client = Server::new(&format!("https://localhost:{}", s3.addr.port()))
        .unwrap()
        .with_ca_file(&old_cert)
        .unwrap();
    let (e, _) = tls_failure(client.submit(&crash_url(7)));
    assert!(
        matches!(
            e,
            rustls::Error::InvalidCertificate(CertificateError::ExpiredContext { .. })
                | rustls::Error::InvalidCertificate(CertificateError::Expired)
        ),
        "{e:?}"
    );
    assert_eq!(s.count() + s2.count() + s3.count(), 1);
}

/// A certificate from the trusted authority, but for other names, is
/// refused, by name and by IP address.
#[test]
fn wrong_name_is_refused() {
    let pki = test_pki();
    let tls = ServerTls::from_pem_files(&pki.wrong_name_cert, &pki.wrong_name_key).unwrap();
    let s = TestServer::start_tls(&common::sqlite_db(), unlimited(), tls, &pki.ca);
    for host in ["localhost", "127.0.0.1"] {
        let client = Server::new(&format!("https://{host}:{}", s.addr.port()))
            .unwrap()
            .with_ca_file(&pki.ca)
            .unwrap();
        let (e, message) = tls_failure(client.submit(&crash_url(2)));
        assert!(
            matches!(
                e,
                rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. }
                )
            ),
            "{host}: {e:?}"
        );
        assert!(message.contains("for another name"), "{message}");
        assert!(message.contains("intake.example"), "{message}");
    }
    assert_eq!(s.count(), 0);
}

/// The first bytes of a TLS record (a handshake record of 512 bytes),
/// then nothing: a handshake never finished.
fn stalled_handshake(s: &TestServer) -> TcpStream {
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01]).unwrap();
    c
}

/// A client that starts the TLS handshake and stalls is dropped after the
/// header timeout, and others are served meanwhile; stalled handshakes
/// count against the connection cap.
#[test]
fn unfinished_handshakes_are_dropped() {
    let pki = test_pki();
    let timeout = Duration::from_millis(1500);
    let s = tls_server(
        &pki,
        Config {
            header_timeout: timeout,
            body_timeout: timeout,
            max_connections: 3,
            ..unlimited()
        },
    );
    let url = crash_url(3);
    let start = Instant::now();
    let mut stalled = stalled_handshake(&s);
    // Connected, and nothing sent at all.
    let mut silent = TcpStream::connect(s.addr).unwrap();
    for _ in 0..3 {
        assert_eq!(s.submit(&url).status, 200);
        assert_eq!(s.get("/api/signatures").status, 200);
    }
    assert!(!closed_within(&mut stalled, Duration::from_millis(10)));
    for c in [&mut stalled, &mut silent] {
        assert!(closed_within(c, timeout + Duration::from_secs(10)));
    }
    let held = start.elapsed();
    assert!(held >= timeout, "dropped after {held:?}");

    // Three stalled handshakes take every connection: the next request
    // waits until the first of them is dropped.
    let start = Instant::now();
    let mut stalled: Vec<TcpStream> = (0..3).map(|_| stalled_handshake(&s)).collect();
    assert_eq!(s.get("/api/signatures").status, 200);
    let waited = start.elapsed();
    assert!(
        waited >= timeout / 2,
        "served after {waited:?}, past the cap"
    );
    for c in &mut stalled {
        assert!(closed_within(c, Duration::from_secs(10)));
    }
    assert_eq!(s.count(), 1);
}

/// Shutting down does not wait for a handshake in progress (the header
/// timeout here is far longer than the test).
#[test]
fn shutdown_does_not_wait_for_handshakes() {
    let pki = test_pki();
    let s = tls_server(
        &pki,
        Config {
            header_timeout: Duration::from_secs(120),
            ..unlimited()
        },
    );
    let mut c = stalled_handshake(&s);
    // Served once: the stalled connection is in the server's hands.
    assert_eq!(s.get("/api/signatures").status, 200);
    let start = Instant::now();
    drop(s);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(30), "shutdown took {took:?}");
    assert!(closed_within(&mut c, Duration::from_secs(5)));
}

/// Certificate and key files the server cannot use, each refused with an
/// error naming the file or the mismatch.
#[test]
fn unusable_files_are_refused() {
    let pki = test_pki();
    let missing = pki.ca.with_file_name("missing.pem");
    let cases: [(&std::path::Path, &std::path::Path, &str); 5] = [
        (&pki.cert, &pki.wrong_name_key, "KeyMismatch"),
        (&missing, &pki.key, "Read"),
        (&pki.cert, &missing, "Read"),
        (&pki.key, &pki.key, "NoCertificate"),
        (&pki.cert, &pki.cert, "NoKey"),
    ];
    for (cert, key, want) in cases {
        let e = ServerTls::from_pem_files(cert, key).unwrap_err();
        let got = match &e {
            TlsError::KeyMismatch { cert: c, key: k } => {
                assert_eq!((c, k), (&cert.to_path_buf(), &key.to_path_buf()));
                "KeyMismatch"
            }
            TlsError::Read(p, _) => {
                assert_eq!(p, &missing);
                "Read"
            }
            TlsError::NoCertificate(p, _) => {
                assert_eq!(p, cert);
                "NoCertificate"
            }
            TlsError::NoKey(p, _) => {
                assert_eq!(p, key);
                "NoKey"
            }
            e => panic!("{e}"),
        };
        assert_eq!(got, want, "{}, {}: {e}", cert.display(), key.display());
        assert_eq!(e.to_string().lines().count(), 1, "{e}");
    }
    // The client's CA file likewise.
    let client = Server::new("https://localhost:1").unwrap();
    for (file, want) in [(&missing, "Read"), (&pki.key, "NoCertificate")] {
        match client.clone().with_ca_file(file) {
            Err(ClientError::CaFile(TlsError::Read(..))) => assert_eq!(want, "Read"),
            Err(ClientError::CaFile(TlsError::NoCertificate(..))) => {
                assert_eq!(want, "NoCertificate")
            }
            r => panic!("{}: {r:?}", file.display()),
        }
    }
}
