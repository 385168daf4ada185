//! Submission throughput on loopback: 32 concurrent submitters (and one,
//! for the latency of a single commit) send distinct reports to an
//! in-process server on SQLite and on PostgreSQL (a server of its own from
//! Debian's package, fsync on, as in production). Prints reports/s.
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
use panicqr_intake::testing::{corpus_urls, pg_bin_dir, PgCluster};

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
    let dir = std::env::temp_dir().join(format!("panicqr-intake-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = dir.join("bench.sqlite").to_str().unwrap().to_string();
    run("sqlite (WAL, synchronous=FULL)", &sqlite, &urls, n);
    match pg_bin_dir() {
        Some(bin) => {
            let pg = PgCluster::start(&bin, true);
            run("postgresql (fsync on)", &pg.database(), &urls, n);
        }
        None => println!("postgresql: not installed, not measured"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn run(name: &str, db: &str, urls: &[String], n: usize) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = Arc::new(rt.block_on(Store::open(db, 16)).unwrap());
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config {
        rate_limit: RateLimit {
            per_minute: 0,
            burst: 0,
        },
        ..Config::default()
    };
    rt.spawn(serve(
        listener,
        store.clone(),
        config,
        std::future::pending(),
    ));
    let client = Server::new(&format!("http://{addr}")).unwrap();
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
