//! Submission throughput on loopback: 32 concurrent submitters (and one,
//! for the latency of a single commit) send distinct reports to an
//! in-process server on SQLite and on PostgreSQL (a server of its own from
//! Debian's package, fsync on, as in production). Prints reports/s.
//!
//! Then the slowest reports to take: a log of 4 MiB (the decoder's bound)
//! in shapes that cost the analysis most, each sent as one request well
//! under the body limit (a zlib stream, not a QR code), and the parts of a
//! report over several codes that together reach the bound; prints the
//! time of each request and of its analysis alone.
//!
//! Last, reading a signature of many large logs (what a stranger can fill
//! one with): its API page far past the end, its first page and its
//! dashboard page.
//!
//! `cargo bench -p panicqr-intake` (`INTAKE_BENCH_REPORTS`, default 5000).
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    missing_docs
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use panicqr_intake::client::Server;
use panicqr_intake::server::{serve, Config, RateLimit};
use panicqr_intake::store::Store;
use panicqr_intake::testing::{corpus_urls, pg_bin_dir, zlib_url, PgCluster};

fn main() {
    // `cargo test --all-targets` runs benches once with `--bench` absent.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("INTAKE_BENCH_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let urls = corpus_urls(2 * n + 400);
    // The analysis alone, for the share of a submission it takes.
    let logs: Vec<String> = urls[..n]
        .iter()
        .map(|u| {
            let d = panicqr_report::decode::decode(u).unwrap();
            panicqr_intake::ingest::log_text(&d.log)
        })
        .collect();
    let t = Instant::now();
    for l in &logs {
        std::hint::black_box(panicqr_intake::classify::classify(l));
    }
    println!(
        "analysis: {:.0} µs a report ({n} corpus windows, {} bytes on average)",
        t.elapsed().as_secs_f64() * 1e6 / n as f64,
        logs.iter().map(String::len).sum::<usize>() / n.max(1)
    );
    let dir = std::env::temp_dir().join(format!("panicqr-intake-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = dir.join("bench.sqlite").to_str().unwrap().to_string();
    run("sqlite (WAL, synchronous=FULL)", &sqlite, &urls, n);
    worst_cases(dir.join("worst.sqlite").to_str().unwrap());
    heavy_signature("sqlite", dir.join("heavy.sqlite").to_str().unwrap());
    match pg_bin_dir() {
        Some(bin) => {
            let pg = PgCluster::start(&bin, true);
            run("postgresql (fsync on)", &pg.database(), &urls, n);
            heavy_signature("postgresql", &pg.database());
        }
        None => println!("postgresql: not installed, not measured"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn run(name: &str, db: &str, urls: &[String], n: usize) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = Arc::new(rt.block_on(Store::open(db, 16)).unwrap());
    let client = unlimited_server(&rt, store.clone());
    for threads in [32, 1] {
        let batch = if threads == 1 {
            &urls[2 * n..2 * n + 400]
        } else {
            &urls[..n]
        };
        let next = AtomicUsize::new(0);
        let t = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(u) = batch.get(k) else { break };
                    let r = client.submit(u).unwrap();
                    assert_eq!(r.status, 200, "{}", r.text());
                });
            }
        });
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{name}: {threads:2} submitters, {} new reports in {secs:.2} s: {:.0} reports/s",
            batch.len(),
            batch.len() as f64 / secs
        );
    }
    // Duplicates: the same n reports again (nothing written).
    let next = AtomicUsize::new(0);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..32 {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(u) = urls[..n].get(k) else { break };
                let r = client.submit(u).unwrap();
                assert_eq!(r.status, 200);
            });
        }
    });
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{name}: 32 submitters, {n} duplicates in {secs:.2} s: {:.0} reports/s",
        n as f64 / secs
    );
    let t = Instant::now();
    let r = client.request("GET", "/api/signatures", &[], b"").unwrap();
    assert_eq!(r.status, 200);
    println!(
        "{name}: GET /api/signatures over {} reports: {:.1} ms",
        rt.block_on(store.report_count()).unwrap(),
        t.elapsed().as_secs_f64() * 1000.0
    );
}

/// A log of `unit` repeated to at most 4 MiB (`MAX_LOG_BYTES`).
fn fill(unit: &str) -> String {
    unit.repeat(panicqr_report::decode::MAX_LOG_BYTES / unit.len())
}

fn worst_cases(db: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = Arc::new(rt.block_on(Store::open(db, 4)).unwrap());
    let client = unlimited_server(&rt, store);
    let max_body = Config::default().max_body;
    let shapes = [
        ("empty lines", fill("\n")),
        ("one-letter lines", fill("a\n")),
        ("one line", fill("a")),
        ("`Call Trace:` lines", fill("[ 1.0] Call Trace:\n")),
        ("frame lines", fill("[ 1.0][ T1]  f+0x1/0x2\n")),
        ("`? ` lines", fill("? \n")),
    ];
    for (name, log) in &shapes {
        // miniz_oxide packs some shapes less tightly than a hand-made stream
        // could: those are sent as the longest prefix that fits.
        let mut log = log.as_str();
        let mut url = zlib_url(log.as_bytes(), "x86_64", "6.1", None);
        while url.len() > max_body {
            log = log.get(..log.len() * 3 / 4).unwrap();
            url = zlib_url(log.as_bytes(), "x86_64", "6.1", None);
        }
        let t = Instant::now();
        let (_, title) = panicqr_intake::classify::classify(log);
        let analysis = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let r = client.submit(&url).unwrap();
        let request = t.elapsed().as_secs_f64();
        assert_eq!(r.status, 200, "{name}: {}", r.text());
        println!(
            "worst case, {:.1} MiB of {name} ({} KB request): analysis {:.0} ms, request {:.0} ms ({title})",
            log.len() as f64 / f64::from(1 << 20),
            url.len() / 1000,
            analysis * 1000.0,
            request * 1000.0
        );
    }
    // Two parts of 2 MiB: the second request decodes both again and
    // analyses the bounded tail of their merge.
    let half = "\n".repeat(panicqr_report::decode::MAX_LOG_BYTES / 2 - 1);
    for index in [1, 2] {
        let url = zlib_url(half.as_bytes(), "x86_64", "6.1", Some((index, 2, 0x5eed)));
        let t = Instant::now();
        let r = client.submit(&url).unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        println!(
            "worst case, part {index} of 2 (2 MiB of empty lines each): request {:.0} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
}

/// 200 reports of one signature with logs of 1 MB each (200 MB), then the
/// reads a stranger can ask for, each timed once after one warm-up.
fn heavy_signature(name: &str, db: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = Arc::new(rt.block_on(Store::open(db, 4)).unwrap());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let mut sig = String::new();
    for k in 0..200 {
        let mut log = format!(
            "[ 1.0] BUG: heavy bench crash\n[ 1.1] RIP: 0010:heavy_bench+0x1/0x2\n[ 1.2] {k}\n"
        )
        .into_bytes();
        log.extend(std::iter::repeat_n(b'x', 1_000_000 - log.len() - 1));
        log.push(b'\n');
        let url = zlib_url(&log, "x86_64", "6.1", None);
        sig = rt.block_on(store.submit(&url, now + k)).unwrap().signature;
    }
    let client = unlimited_server(&rt, store);
    for path in [
        format!("/api/signatures/{sig}?offset=1000000000"),
        format!("/api/signatures/{sig}"),
        format!("/s/{sig}"),
    ] {
        let _ = client.request("GET", &path, &[], b"").unwrap();
        let t = Instant::now();
        let r = client.request("GET", &path, &[], b"").unwrap();
        assert_eq!(r.status, 200, "{path}");
        println!(
            "{name}: GET {path} (200 logs of 1 MB): {:.1} ms, {} bytes",
            t.elapsed().as_secs_f64() * 1000.0,
            r.body.len()
        );
    }
}

/// An intake on a loopback port of `rt`, without rate limits, and a client
/// of it.
fn unlimited_server(rt: &tokio::runtime::Runtime, store: Arc<Store>) -> Server {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let off = RateLimit {
        per_minute: 0,
        burst: 0,
    };
    let config = Config {
        rate_limit: off,
        read_rate_limit: off,
        ..Config::default()
    };
    rt.spawn(serve(listener, store, config, std::future::pending()));
    Server::new(&format!("http://{addr}")).unwrap()
}
