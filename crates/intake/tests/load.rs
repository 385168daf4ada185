//! Load on loopback, on both backends: 32 concurrent submitters send 5,000
//! reports (4,500 distinct, 500 sent again); every acknowledged report is
//! stored, the database holds exactly the distinct reports acknowledged,
//! and the duplicates fold (answered `duplicate: true`, counted once).
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{unlimited, TestServer};
use panicqr_intake::testing::load_plan;

both_backends!(thirty_two_submitters_five_thousand_reports);

fn thirty_two_submitters_five_thousand_reports(db: &str) {
    let (urls, plan) = load_plan(4500, 500);
    assert_eq!(plan.len(), 5000);
    let s = TestServer::start(db, unlimited());
    let next = AtomicUsize::new(0);
    // Index of the URL → ids answered, and how many answers said duplicate.
    let acked: Mutex<BTreeMap<usize, BTreeSet<String>>> = Mutex::new(BTreeMap::new());
    let duplicates = AtomicUsize::new(0);
    let deadline = Instant::now() + Duration::from_secs(240);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..32 {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = plan.get(k) else { break };
                assert!(Instant::now() < deadline, "load did not finish in time");
                let r = s.client.submit(&urls[i]).unwrap();
                assert_eq!(r.status, 200, "{}", r.text());
                let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                if v["duplicate"] == true {
                    duplicates.fetch_add(1, Ordering::Relaxed);
                }
                acked
                    .lock()
                    .unwrap()
                    .entry(i)
                    .or_default()
                    .insert(v["id"].as_str().unwrap().to_string());
            });
        }
    });
    let took = started.elapsed();
    let acked = acked.into_inner().unwrap();
    // Every URL was acknowledged, each always with the same id.
    assert_eq!(acked.len(), 4500);
    assert!(acked.values().all(|ids| ids.len() == 1));
    let ids: BTreeSet<String> = acked.into_values().flatten().collect();
    assert_eq!(ids.len(), 4500);
    assert_eq!(duplicates.load(Ordering::Relaxed), 500);
    let stored: BTreeSet<String> =
        s.rt.block_on(s.store.report_ids())
            .unwrap()
            .into_iter()
            .collect();
    assert_eq!(
        stored, ids,
        "the database holds exactly the reports acknowledged"
    );
    let total: i64 = s
        .json("/api/signatures")
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 4500, "signature counts add up to the reports");
    eprintln!(
        "{}: 5000 submissions in {:.1} s ({:.0}/s)",
        s.store.backend_name(),
        took.as_secs_f64(),
        5000.0 / took.as_secs_f64()
    );
}
