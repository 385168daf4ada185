//! The real `panicqr intake --tls-cert --tls-key` and `panicqr submit` over
//! HTTPS, with a throw-away certificate authority
//! (`panicqr_intake::testing::test_pki`): trusted through `--ca-file`,
//! `PANICQR_CA_FILE` or the system store's `SSL_CERT_FILE`, refused
//! without (exit 1, one line naming the problem), refused for the wrong
//! name; unusable certificate files refused at startup (exit 2, one line).
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use panicqr_intake::client::Server;
use panicqr_intake::testing::{report_url, test_pki};

/// A running `panicqr intake`; killed when dropped.
struct Intake {
    child: Child,
    addr: String,
}

impl Intake {
    fn start(name: &str, tls: Option<(&Path, &Path)>) -> Intake {
        let mut c = Command::new(env!("CARGO_BIN_EXE_panicqr"));
        c.args(["intake", "--db", &temp_db(name), "--listen", "127.0.0.1:0"]);
        if let Some((cert, key)) = tls {
            c.arg("--tls-cert").arg(cert).arg("--tls-key").arg(key);
        }
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line.trim().trim_end_matches('/').to_string();
        let scheme = if tls.is_some() { "https" } else { "http" };
        assert!(
            addr.starts_with(&format!("{scheme}://127.0.0.1:")),
            "{line:?}"
        );
        Intake { child, addr }
    }

    fn port(&self) -> &str {
        self.addr.rsplit(':').next().unwrap()
    }
}

impl Drop for Intake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_db(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!(
        "panicqr-cli-intake-tls-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("crashes.sqlite").to_str().unwrap().to_string()
}

fn panicqr(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_panicqr"));
    c.args(args)
        .env_remove("PANICQR_INTAKE")
        .env_remove("PANICQR_CA_FILE")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit code 1 or 2 with exactly one line on stderr containing `needle`.
fn assert_fails(o: &Output, code: i32, needle: &str) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(code), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains(needle), "{needle:?} not in {e}");
}

fn crash(f: &str) -> String {
    let log = format!(
        "[   1.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n[   1.000001] RIP: 0010:{f}+0x1/0x2\n"
    );
    report_url(log.as_bytes(), "x86_64", "6.1", 10)
}

#[test]
fn submit_over_https() {
    let pki = test_pki();
    let ca = pki.ca.to_str().unwrap();
    let s = Intake::start("https", Some((&pki.cert, &pki.key)));
    let by_name = format!("https://localhost:{}", s.port());
    let (one, two) = (crash("tls_cli_one"), crash("tls_cli_two"));

    let o = panicqr(&["submit", &one, "--to", &by_name, "--ca-file", ca], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["duplicate"], false);
    // The same trust from the environment, and from the system store's
    // own variable; by IP address.
    let o = panicqr(
        &["submit", &two, "--to", &s.addr],
        &[("PANICQR_CA_FILE", &pki.ca)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = panicqr(
        &["submit", &one, "--to", &s.addr],
        &[("SSL_CERT_FILE", &pki.ca)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["duplicate"], true);

    // Not trusted: unreachable (exit 1), and the line says why and what
    // to do.
    let o = panicqr(&["submit", &one, "--to", &by_name], &[]);
    assert_fails(&o, 1, "certificate not trusted (UnknownIssuer)");
    assert!(stderr(&o).contains("--ca-file"), "{}", stderr(&o));
    // Plain HTTP at the HTTPS port.
    let o = panicqr(
        &[
            "submit",
            &one,
            "--to",
            &format!("http://127.0.0.1:{}", s.port()),
        ],
        &[],
    );
    assert_fails(&o, 1, "use https://");
    // A CA file that holds no certificate is a wrong option (exit 2).
    let key = pki.key.to_str().unwrap();
    let o = panicqr(&["submit", &one, "--to", &by_name, "--ca-file", key], &[]);
    assert_fails(&o, 2, "no usable PEM certificate");

    // What was stored, read over HTTPS.
    let api = Server::new(&by_name)
        .unwrap()
        .with_ca_file(&pki.ca)
        .unwrap();
    let r = api.request("GET", "/api/signatures", &[], b"").unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let sigs: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let counts: Vec<i64> = sigs
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_i64().unwrap())
        .collect();
    // Two reports, one of them sent twice (a duplicate is no new report).
    assert_eq!(counts, [1, 1]);

    // A certificate from the trusted authority for other names.
    let wrong = Intake::start(
        "wrong-name",
        Some((&pki.wrong_name_cert, &pki.wrong_name_key)),
    );
    let o = panicqr(&["submit", &one, "--to", &wrong.addr, "--ca-file", ca], &[]);
    assert_fails(&o, 1, "certificate is for another name");

    // Plain HTTP still works (a CA file changes nothing there).
    let plain = Intake::start("http", None);
    let o = panicqr(&["submit", &one, "--to", &plain.addr, "--ca-file", ca], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn intake_refuses_unusable_tls_files() {
    let pki = test_pki();
    let missing = pki.ca.with_file_name("missing.pem");
    let db = temp_db("bad-tls");
    let cases: [(&Path, &Path, &str); 3] = [
        (
            &pki.cert,
            &pki.wrong_name_key,
            "is not the key of the certificate",
        ),
        (&pki.cert, &missing, "cannot read"),
        (&pki.key, &pki.key, "no usable PEM certificate"),
    ];
    for (cert, key, needle) in cases {
        let o = panicqr(
            &[
                "intake",
                "--db",
                &db,
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                cert.to_str().unwrap(),
                "--tls-key",
                key.to_str().unwrap(),
            ],
            &[],
        );
        assert_fails(&o, 2, needle);
    }
    // One without the other is a usage error.
    let o = panicqr(
        &[
            "intake",
            "--db",
            &db,
            "--tls-cert",
            pki.cert.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--tls-key"), "{}", stderr(&o));
}
