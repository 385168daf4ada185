//! The real `panicqr intake` and `panicqr submit` binaries: exit codes,
//! `kill -9` of the server in the middle of a load (no acknowledged report
//! lost), two servers on one PostgreSQL at once; and HTTPS with a throw-away
//! certificate authority (`panicqr_intake::testing::test_pki`): trusted
//! through `--ca-file`, `PANICQR_CA_FILE` or the system store's
//! `SSL_CERT_FILE`, refused without (exit 1, one line naming the problem),
//! refused for the wrong name; unusable certificate files refused at
//! startup (exit 2, one line).
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use panicqr_intake::client::Server;
use panicqr_intake::testing::{load_plan, part_urls, postgres, report_url, stored_ids, test_pki};

mod common;
use common::{panicqr, panicqr_env};

/// A running `panicqr intake`; killed (SIGKILL) when dropped.
struct Intake {
    child: Child,
    addr: String,
}

impl Intake {
    fn start(db: &str, listen: &str, extra: &[&str]) -> Intake {
        let mut child = Command::new(env!("CARGO_BIN_EXE_panicqr"))
            .args(["intake", "--db", db, "--listen", listen])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line.trim().trim_end_matches('/').to_string();
        let scheme = if extra.contains(&"--tls-cert") {
            "https"
        } else {
            "http"
        };
        assert!(
            addr.starts_with(&format!("{scheme}://127.0.0.1:")),
            "{line:?}"
        );
        Intake { child, addr }
    }

    fn port(&self) -> &str {
        self.addr.rsplit(':').next().unwrap()
    }

    fn kill9(&mut self) {
        // Child::kill is SIGKILL: no shutdown code runs.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Intake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_db(name: &str) -> String {
    let dir =
        std::env::temp_dir().join(format!("panicqr-cli-intake-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("crashes.sqlite").to_str().unwrap().to_string()
}

/// A function name of its own for each `n` (in letters: a signature's
/// title keeps no numbers).
fn function(n: usize) -> String {
    let mut name = String::from("test_crash_");
    let mut n = n;
    loop {
        name.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return name;
        }
    }
}

/// A crash of its own for each `n`, and its title.
fn crash(n: usize) -> Vec<u8> {
    format!(
        "[   1.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n[   1.000001] RIP: 0010:{}+0x1/0x2\n",
        function(n)
    )
    .into_bytes()
}

fn crash_title(n: usize) -> String {
    format!(
        "BUG: unable to handle kernel NULL pointer dereference in {}",
        function(n)
    )
}

#[test]
fn submit_exit_codes() {
    let db = temp_db("codes");
    let s = Intake::start(
        &db,
        "127.0.0.1:0",
        &[
            "--rate-limit",
            "60",
            "--rate-burst",
            "4",
            "--max-body",
            "2000",
            "--read-rate-limit",
            "3",
        ],
    );
    let url = report_url(&crash(1), "x86_64", "6.1", 10);
    let o = panicqr(&["submit", &url, "--to", &s.addr], b"");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["duplicate"].as_bool(), v["title"].as_str()),
        (Some(false), Some(crash_title(1).as_str()))
    );
    assert_eq!(v["count"], 1);
    // Two reports from standard input, one a duplicate: one answer line each.
    let two = format!("{url}\n\n{}\n", report_url(&crash(2), "x86_64", "6.1", 10));
    let o = panicqr(&["submit", "-", "--to", &s.addr], two.as_bytes());
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = o
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["duplicate"], true);
    assert_eq!(lines[1]["duplicate"], false);
    // Not a report: refused here, nothing sent (exit 2, one line).
    let o = panicqr(&["submit", "hello", "--to", &s.addr], b"");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1);
    // A report the server refuses (over its body limit): exit 2.
    let long = format!("{url}&x={}", "1".repeat(2100));
    let o = panicqr(&["submit", &long, "--to", &s.addr], b"");
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("2000 bytes"));
    // Rate limited: exit 1 (burst 4 spent by the four requests above).
    let o = panicqr(&["submit", &url, "--to", &s.addr], b"");
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("try again in"));
    // No server there, no address, a bad address.
    let port = panicqr_intake::testing::free_port();
    let o = panicqr(
        &["submit", &url, "--to", &format!("http://127.0.0.1:{port}")],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1);
    assert_eq!(panicqr(&["submit", &url], b"").status.code(), Some(2));
    assert_eq!(
        panicqr(&["submit", &url, "--to", "ftp://x"], b"")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(stored_ids(&db).len(), 2);
    // Reads have a limit of their own (3 a minute here), which the
    // submissions above did not spend.
    let client = Server::new(&s.addr).unwrap();
    for path in ["/", "/api/signatures", "/style.css"] {
        assert_eq!(client.request("GET", path, &[], b"").unwrap().status, 200);
    }
    let r = client.request("GET", "/", &[], b"").unwrap();
    assert_eq!(r.status, 429, "{}", r.text());
}

#[test]
fn intake_refuses_bad_options() {
    let dir = std::env::temp_dir().join(format!("panicqr-cli-intake-{}-opts", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let short = dir.join("short-token");
    std::fs::write(&short, "abc\n").unwrap();
    for args in [
        vec!["intake", "--db", "mysql://x/y", "--listen", "127.0.0.1:0"],
        vec!["intake", "--tracker-url", "javascript:alert(1)//{title}"],
        vec!["intake", "--admin-token-file", short.to_str().unwrap()],
        vec!["intake", "--admin-token-file", "/nonexistent/token"],
    ] {
        let o = panicqr(&args, b"");
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&o.stderr).lines().count(),
            1,
            "{args:?}"
        );
    }
}

/// 2,000 submissions (1,800 distinct) by 32 submitters; the server is
/// killed with SIGKILL once 600 are acknowledged, and restarted on the
/// same address. Every report acknowledged before the kill is in the
/// database right after it; submitters whose request failed send again;
/// at the end the database holds exactly the distinct reports.
fn kill_9_mid_load(db: &str) {
    let (urls, plan) = load_plan(1800, 200);
    let mut server = Intake::start(db, "127.0.0.1:0", &["--rate-limit", "0"]);
    let addr = server.addr.clone();
    let client = Server::new(&addr).unwrap();
    let next = AtomicUsize::new(0);
    let acked: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let failures = AtomicUsize::new(0);
    let deadline = Instant::now() + Duration::from_secs(180);
    // Set when the check after the kill failed: the submitters stop, so
    // that the test fails at once rather than at the deadline.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut lost: Vec<String> = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..32 {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = plan.get(k) else { break };
                // Until acknowledged: a refused connection (the server is
                // down) or a broken one is tried again.
                loop {
                    assert!(Instant::now() < deadline, "load did not finish in time");
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match client.submit(&urls[i]) {
                        Ok(r) if r.status == 200 => {
                            let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                            acked
                                .lock()
                                .unwrap()
                                .insert(v["id"].as_str().unwrap().to_string());
                            break;
                        }
                        Ok(r) => panic!("{}: {}", r.status, r.text()),
                        Err(_) => {
                            failures.fetch_add(1, Ordering::Relaxed);
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                }
            });
        }
        while acked.lock().unwrap().len() < 600 {
            assert!(Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(2));
        }
        server.kill9();
        // Answers already on their way are recorded by now.
        std::thread::sleep(Duration::from_millis(50));
        let before: BTreeSet<String> = acked.lock().unwrap().clone();
        let stored: BTreeSet<String> = stored_ids(db).into_iter().collect();
        lost = before.difference(&stored).cloned().collect();
        if !lost.is_empty() || before.len() >= 1800 {
            stop.store(true, Ordering::Relaxed);
            return;
        }
        server = Intake::start(
            db,
            addr.trim_start_matches("http://"),
            &["--rate-limit", "0"],
        );
    });
    assert!(
        lost.is_empty(),
        "{} acknowledged reports lost: {lost:?}",
        lost.len()
    );
    assert!(
        !stop.load(Ordering::Relaxed),
        "the kill came after the load"
    );
    assert!(
        failures.load(Ordering::Relaxed) > 0,
        "no request met the killed server"
    );
    let acked = acked.into_inner().unwrap();
    assert_eq!(acked.len(), 1800);
    let stored: BTreeSet<String> = stored_ids(db).into_iter().collect();
    assert_eq!(stored, acked);
    drop(server);
}

#[test]
fn kill_9_mid_load_sqlite() {
    kill_9_mid_load(&temp_db("kill"));
}

#[test]
fn kill_9_mid_load_postgres() {
    if let Some(pg) = postgres() {
        kill_9_mid_load(&pg.database());
    }
}

/// Two servers on one database: 32 submitters alternate between them
/// (1,000 reports, 100 sent again, and the parts of 20 reports over
/// several codes, each part sent to either server at once); the counts
/// add up and every report's parts merge whole.
#[test]
fn two_servers_on_one_postgres() {
    let Some(pg) = postgres() else { return };
    let db = pg.database();
    let a = Intake::start(&db, "127.0.0.1:0", &["--rate-limit", "0"]);
    let b = Intake::start(&db, "127.0.0.1:0", &["--rate-limit", "0"]);
    let servers = [Server::new(&a.addr).unwrap(), Server::new(&b.addr).unwrap()];
    let (urls, plan) = load_plan(1000, 100);
    let mut work: Vec<String> = plan.iter().map(|&i| urls[i].clone()).collect();
    let mut multi = 0;
    for r in 0..20 {
        let mut log = Vec::new();
        for i in 0..300 {
            log.extend_from_slice(
                format!("[{i:5}.{r:06}] report {r} line {i} {}\n", i * 7919 % 10007).as_bytes(),
            );
        }
        log.extend_from_slice(&crash(1000 + r));
        let parts = part_urls(&log, "x86_64", "6.9", 8, 16);
        assert!(parts.len() >= 2);
        multi += 1;
        // Each part at a different place in the load, so parts of one
        // report meet at the two servers.
        for (k, p) in parts.into_iter().enumerate() {
            let at = (r * 53 + k * 17) % work.len();
            work.insert(at, p);
        }
    }
    let next = AtomicUsize::new(0);
    let ids: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let served = [AtomicUsize::new(0), AtomicUsize::new(0)];
    std::thread::scope(|scope| {
        for t in 0..32 {
            let (work, next, ids, servers, served) = (&work, &next, &ids, &servers, &served);
            scope.spawn(move || loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(u) = work.get(k) else { break };
                let which = (k + t) % 2;
                let r = servers[which].submit(u).unwrap();
                assert_eq!(r.status, 200, "{}", r.text());
                served[which].fetch_add(1, Ordering::Relaxed);
                let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                ids.lock()
                    .unwrap()
                    .insert(v["id"].as_str().unwrap().to_string());
            });
        }
    });
    assert!(served.iter().all(|n| n.load(Ordering::Relaxed) > 400));
    let ids = ids.into_inner().unwrap();
    assert_eq!(ids.len(), 1000 + multi);
    let stored: BTreeSet<String> = stored_ids(&db).into_iter().collect();
    assert_eq!(stored, ids);
    let list: serde_json::Value = serde_json::from_slice(
        &servers[0]
            .request("GET", "/api/signatures", &[], b"")
            .unwrap()
            .body,
    )
    .unwrap();
    let total: i64 = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, i64::try_from(1000 + multi).unwrap());
    // Every report over several codes merged whole, whichever server got
    // which part.
    for r in 0..20 {
        let title = crash_title(1000 + r);
        let e = list
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["title"] == title.as_str())
            .unwrap();
        assert_eq!(e["count"], 1, "{title}");
        let d: serde_json::Value = serde_json::from_slice(
            &servers[1]
                .request(
                    "GET",
                    &format!("/api/signatures/{}", e["signature"].as_str().unwrap()),
                    &[],
                    b"",
                )
                .unwrap()
                .body,
        )
        .unwrap();
        let rep = &d["reports"][0];
        assert_eq!(rep["parts_received"], rep["part_count"], "{title}");
        assert_eq!(rep["condition"], "complete", "{title}");
    }
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

fn null_deref(f: &str) -> String {
    let log = format!(
        "[   1.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n[   1.000001] RIP: 0010:{f}+0x1/0x2\n"
    );
    report_url(log.as_bytes(), "x86_64", "6.1", 10)
}

/// An intake over HTTPS with that certificate and key.
fn tls_intake(name: &str, cert: &Path, key: &Path) -> Intake {
    Intake::start(
        &temp_db(name),
        "127.0.0.1:0",
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    )
}

#[test]
fn submit_over_https() {
    let pki = test_pki();
    let ca = pki.ca.to_str().unwrap();
    let s = tls_intake("https", &pki.cert, &pki.key);
    let by_name = format!("https://localhost:{}", s.port());
    let (one, two) = (null_deref("tls_cli_one"), null_deref("tls_cli_two"));

    let o = panicqr(&["submit", &one, "--to", &by_name, "--ca-file", ca], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["duplicate"], false);
    // The same trust from the environment, and from the system store's
    // own variable; by IP address.
    let o = panicqr_env(
        &["submit", &two, "--to", &s.addr],
        b"",
        &[("PANICQR_CA_FILE", &pki.ca)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = panicqr_env(
        &["submit", &one, "--to", &s.addr],
        b"",
        &[("SSL_CERT_FILE", &pki.ca)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["duplicate"], true);

    // Not trusted: unreachable (exit 1), and the line says why and what
    // to do.
    let o = panicqr(&["submit", &one, "--to", &by_name], b"");
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
        b"",
    );
    assert_fails(&o, 1, "use https://");
    // A CA file that holds no certificate is a wrong option (exit 2).
    let key = pki.key.to_str().unwrap();
    let o = panicqr(&["submit", &one, "--to", &by_name, "--ca-file", key], b"");
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
    let wrong = tls_intake("wrong-name", &pki.wrong_name_cert, &pki.wrong_name_key);
    let o = panicqr(&["submit", &one, "--to", &wrong.addr, "--ca-file", ca], b"");
    assert_fails(&o, 1, "certificate is for another name");

    // Plain HTTP still works (a CA file changes nothing there).
    let plain = Intake::start(&temp_db("http"), "127.0.0.1:0", &[]);
    let o = panicqr(&["submit", &one, "--to", &plain.addr, "--ca-file", ca], b"");
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
            b"",
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
        b"",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--tls-key"), "{}", stderr(&o));
}
