//! Helpers for the intake's tests and bench (feature `testing`): a
//! throw-away PostgreSQL server from Debian's `postgresql` package, and
//! report URLs made by panicqr's own encoder from the corpus logs, and a
//! throw-away certificate authority for the TLS tests.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed setup is a failed test"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use panicqr_qr::Version;
use panicqr_report::build::Target;
use panicqr_report::url::Packing;
use panicqr_report::{deflate, digits, fit, parts, url};

/// The decoder page the generated URLs point at.
pub const BASE: &[u8] = b"https://panic.example/#";

/// A PostgreSQL server of its own in a temporary directory, on a free
/// loopback port; it stops when this is dropped or the test process ends
/// (a shell beside it waits on a pipe from this process).
#[derive(Debug)]
pub struct PgCluster {
    port: u16,
    dir: PathBuf,
    keeper: Mutex<Option<(Child, ChildStdin)>>,
    databases: AtomicUsize,
}

/// PostgreSQL's programs (Debian: `/usr/lib/postgresql/<major>/bin`), the
/// newest installed.
pub fn pg_bin_dir() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((major, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b)
}

/// The shared cluster of this test process, started on first use; `None`
/// (after saying so on stderr) when PostgreSQL is not installed, except in
/// CI (`CI=true`), where a missing PostgreSQL fails the test instead of
/// skipping half the suite.
pub fn postgres() -> Option<&'static PgCluster> {
    static CLUSTER: OnceLock<Option<PgCluster>> = OnceLock::new();
    CLUSTER
        .get_or_init(|| match pg_bin_dir() {
            Some(bin) => Some(PgCluster::start(&bin, false)),
            None if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
                "PostgreSQL is not installed, and CI must test it: apt-get install postgresql (ci/test.sh does)"
            ),
            None => None,
        })
        .as_ref()
        .or_else(|| {
            eprintln!("SKIPPED: PostgreSQL is not installed (apt-get install postgresql); only SQLite was tested");
            None
        })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// `program args…`, as the `postgres` user when we are root (PostgreSQL
/// refuses to run as root).
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl PgCluster {
    /// initdb and start a server in a new directory under the temporary
    /// directory. `fsync` off trades crash safety of the database files
    /// for speed (the server process is never killed by the tests).
    pub fn start(bin: &Path, fsync: bool) -> PgCluster {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "panicqr-pg-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown postgres {}", dir.display());
        }
        let data = dir.join("data");
        let out = as_server_user(&bin.join("initdb"))
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let script = format!(
            "'{}' -D '{}' -p {port} -k '{}' -c listen_addresses=127.0.0.1 -c fsync={} \
             -c max_connections=200 -c shared_buffers=64MB >'{}/log' 2>&1 & pid=$!; \
             read _; kill -INT $pid; wait $pid; rm -rf '{}'",
            bin.join("postgres").display(),
            data.display(),
            dir.display(),
            if fsync { "on" } else { "off" },
            dir.display(),
            dir.display(),
        );
        let mut child = as_server_user(Path::new("/bin/sh"))
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let c = PgCluster {
            port,
            dir,
            keeper: Mutex::new(Some((child, stdin))),
            databases: AtomicUsize::new(0),
        };
        c.wait_ready();
        c
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ok = Command::new(self.dir_bin("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "PostgreSQL did not start: {}",
                std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn dir_bin(&self, name: &str) -> PathBuf {
        pg_bin_dir().unwrap().join(name)
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new empty database; its URL.
    pub fn database(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            self.databases.fetch_add(1, Ordering::Relaxed)
        );
        let out = Command::new(self.dir_bin("psql"))
            .args([
                "-q",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-p",
                &self.port.to_string(),
            ])
            .args(["-d", "postgres", "-c", &format!("CREATE DATABASE {name}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "CREATE DATABASE: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Stops the server now (fast shutdown) and removes its directory.
    pub fn stop(&self) {
        let kept = self.keeper.lock().unwrap().take();
        if let Some((mut child, stdin)) = kept {
            drop(stdin);
            let _ = child.wait();
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port free now on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The report URL (`z=`) panicqr's encoder makes for `log`: the newest
/// lines that fit a version `version` code.
pub fn report_url(log: &[u8], arch: &str, release: &str, version: u8) -> String {
    let v = Version::new(version).unwrap();
    let mut prefix = vec![0u8; 512];
    let plen = url::write_prefix(
        BASE,
        arch.as_bytes(),
        release.as_bytes(),
        Packing::Z,
        &mut prefix,
    )
    .unwrap();
    let cap = fit::capacity(plen, v, Packing::Z).unwrap();
    let mut ws = vec![0u8; deflate::WORKSPACE_LEN];
    let mut z = vec![0u8; cap];
    let f = fit::fit(log, cap, &mut ws, &mut z).unwrap();
    let mut d = vec![0u8; digits::decimal_digits(f.compressed)];
    let n = digits::encode_z(&z[..f.compressed], &mut d);
    let mut url = prefix[..plen].to_vec();
    url.extend_from_slice(&d[..n]);
    String::from_utf8(url).unwrap()
}

/// A report URL whose `z=` is all of `log`, zlib-compressed (miniz_oxide,
/// best level) with no regard to what a QR code holds, as part `tag`
/// (index, count, id) if given: how a client makes the largest log the
/// body limit lets through (a zlib stream inflates to up to 1,032 times
/// its size).
pub fn zlib_url(log: &[u8], arch: &str, release: &str, tag: Option<(u8, u8, u32)>) -> String {
    let z = miniz_oxide::deflate::compress_to_vec_zlib(log, 10);
    let mut d = vec![0u8; digits::decimal_digits(z.len())];
    let n = digits::encode_z(&z, &mut d);
    let mut url = format!(
        "{}?a={arch}&v={release}",
        std::str::from_utf8(BASE).unwrap()
    );
    if let Some((index, count, id)) = tag {
        url.push_str(&format!("&p={index}/{count}&r={id:08x}"));
    }
    url.push_str("&z=");
    url.push_str(std::str::from_utf8(&d[..n]).unwrap());
    url
}

/// The URLs of a report over several codes (part 1, the newest lines,
/// first), each code at most version `version`.
pub fn part_urls(
    log: &[u8],
    arch: &str,
    release: &str,
    version: u8,
    max_parts: usize,
) -> Vec<String> {
    let target = Target {
        max_version: Version::new(version).unwrap(),
        ..Target::new(BASE, arch.as_bytes(), release.as_bytes())
    };
    let mut ws = vec![0u8; parts::workspace_len(target.max_version, max_parts)];
    let mut out = vec![0u8; target.max_version.symbol_len()];
    let s = parts::split(log, &target, max_parts, &mut ws).unwrap();
    (1..=s.count())
        .map(|i| {
            let b = parts::build_part(&target, &s, i, &mut ws, &mut out).unwrap();
            let mut d = vec![0u8; digits::decimal_digits(b.payload.len())];
            let n = digits::encode_z(b.payload, &mut d);
            let mut u = b.prefix.to_vec();
            u.extend_from_slice(&d[..n]);
            String::from_utf8(u).unwrap()
        })
        .collect()
}

/// `n` distinct report URLs from the corpus logs (`testdata/corpus`): log
/// `i % corpus` with a line of its own added as its newest, on one of a
/// few releases and arches, fitted to a version 15 code. The same `i`
/// always gives the same URL.
pub fn corpus_urls(n: usize) -> Vec<String> {
    // Made once per test process: fitting thousands of logs takes seconds
    // in a debug build.
    static MADE: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut made = MADE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if made.len() < n {
        let more: Vec<String> = (made.len()..n).map(corpus_url).collect();
        made.extend(more);
    }
    made[..n].to_vec()
}

fn corpus_url(i: usize) -> String {
    static CORPUS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    let corpus = CORPUS.get_or_init(panicqr_testkit::corpus);
    assert!(!corpus.is_empty(), "testdata/corpus is empty");
    let releases = ["6.12.9-amd64", "6.13.1-1", "6.14.0-rc2+"];
    let arches = ["x86_64", "aarch64", "riscv64"];
    let (_, log) = &corpus[i % corpus.len()];
    // The newest 3 KB (from a line start) is all a version 15 code
    // keeps anyway, and keeps the fitting fast.
    let mut from = log.len().saturating_sub(3000);
    while from > 0 && from < log.len() && log[from - 1] != b'\n' {
        from += 1;
    }
    let mut l = log[from.min(log.len())..].to_vec();
    if !l.ends_with(b"\n") {
        l.push(b'\n');
    }
    writeln!(l, "[99999.{i:06}] intake test report {i}").unwrap();
    report_url(&l, arches[i / 7 % 3], releases[i / 11 % 3], 15)
}

/// The corpus log `name` (`testdata/corpus`, e.g. `syzkaller-0004.log`)
/// as one report URL: its newest lines that fit a version `version` code.
pub fn corpus_log_url(name: &str, arch: &str, release: &str, version: u8) -> String {
    let log = std::fs::read(panicqr_testkit::testdata().join("corpus").join(name))
        .unwrap_or_else(|e| panic!("testdata/corpus/{name}: {e}"));
    report_url(&log, arch, release, version)
}

/// syzkaller's crash title of each corpus log (`testdata/corpus/titles.tsv`,
/// its report parser's title; empty when it finds no crash), in file order.
pub fn syzkaller_titles() -> Vec<(String, String)> {
    let path = panicqr_testkit::testdata().join("corpus/titles.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (file, title) = l.split_once('\t').unwrap();
            (file.to_string(), title.to_string())
        })
        .collect()
}

/// A load: `distinct` corpus URLs, and an order of submission sending each
/// once and `again` of them a second time (spread through the load, so a
/// repeat may race its first).
pub fn load_plan(distinct: usize, again: usize) -> (Vec<String>, Vec<usize>) {
    let urls = corpus_urls(distinct);
    let mut plan: Vec<usize> = (0..distinct).collect();
    plan.extend((0..again).map(|k| k * 7 % distinct.max(1)));
    // A fixed shuffle (xorshift), the same every run.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for i in (1..plan.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let j = usize::try_from(x % (i as u64 + 1)).unwrap();
        plan.swap(i, j);
    }
    (urls, plan)
}

/// Every report id stored in `db`, sorted (a blocking call for tests that
/// have no runtime of their own).
pub fn stored_ids(db: &str) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = crate::store::Store::open(db, 1).await.unwrap();
        let ids = store.report_ids().await.unwrap();
        store.close().await;
        ids
    })
}

/// PEM files of a certificate authority made for one test process (rcgen,
/// a new ECDSA P-256 key each time), in a directory of their own.
#[derive(Debug)]
pub struct TestPki {
    /// The authority's certificate: what a client passes as `--ca-file`.
    pub ca: PathBuf,
    /// A server certificate for `localhost` and `127.0.0.1`, signed by the
    /// authority.
    pub cert: PathBuf,
    /// Its private key (PKCS#8).
    pub key: PathBuf,
    /// A server certificate for `intake.example` and `10.0.0.1` only,
    /// signed by the same authority: valid, but for other names.
    pub wrong_name_cert: PathBuf,
    /// Its private key.
    pub wrong_name_key: PathBuf,
}

/// A new directory for certificates under the temporary directory (left
/// for the OS to clean; they are a few KB).
fn pki_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "panicqr-pki-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A self-signed certificate for `names`, marked as an authority (CA:TRUE)
/// as `openssl req -x509` makes by default, and its key: PEM files in a
/// new directory. `expired`: valid only in 2020.
pub fn self_signed(names: &[&str], expired: bool) -> (PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let dir = pki_dir();
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_string()).collect::<Vec<_>>()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "panicqr self-signed intake");
    if expired {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2020, 12, 31);
    }
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let (c, k) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&c, cert.pem()).unwrap();
    std::fs::write(&k, key.serialize_pem()).unwrap();
    (c, k)
}

/// A new [`TestPki`] in a new directory under the temporary directory
/// (left for the OS to clean; it is a few KB).
pub fn test_pki() -> TestPki {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    let dir = pki_dir();
    let write = |name: &str, pem: String| {
        let p = dir.join(name);
        std::fs::write(&p, pem).unwrap();
        p
    };
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "panicqr test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let ca = write("ca.pem", ca_cert.pem());
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf = |names: &[&str], stem: &str| {
        let names: Vec<String> = names.iter().map(|n| (*n).to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "panicqr test intake");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();
        (
            write(&format!("{stem}.pem"), cert.pem()),
            write(&format!("{stem}-key.pem"), key.serialize_pem()),
        )
    };
    let (cert, key) = leaf(&["localhost", "127.0.0.1"], "server");
    let (wrong_name_cert, wrong_name_key) = leaf(&["intake.example", "10.0.0.1"], "wrong-name");
    TestPki {
        ca,
        cert,
        key,
        wrong_name_cert,
        wrong_name_key,
    }
}
