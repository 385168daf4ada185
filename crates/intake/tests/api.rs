//! The intake's API on both backends (SQLite and PostgreSQL run the same
//! functions, see `both_backends!`): answers, idempotence, duplicates
//! folding, parts merged on the server, limits, the admin token, escaping
//! and retention.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

mod common;

use std::time::{Duration, Instant};

use common::{receipt, unlimited, TestServer};
use panicqr_intake::classify::classify;
use panicqr_intake::server::{Config, RateLimit};
use panicqr_intake::testing::{corpus_urls, part_urls, report_url};
use panicqr_report::decode::decode;

both_backends!(
    api_answers,
    idempotent,
    duplicates_fold_into_one_signature,
    parts_merge_on_the_server,
    body_limit,
    rate_limit,
    admin_token,
    logs_are_text_not_html,
    retention,
);

fn crash_log(header: &str, extra: &str) -> Vec<u8> {
    format!(
        "[   10.000000] usb 1-1: new device\n[   11.100000] {header}\n[   11.100001] CPU: 0 PID: 1 Comm: init\n[   11.100002] Call Trace:\n[   11.100003]  do_thing+0x10/0x20\n[   11.100004] {extra}\n"
    )
    .into_bytes()
}

fn api_answers(db: &str) {
    let s = TestServer::start(db, unlimited());
    let url = &corpus_urls(1)[0];
    let log = String::from_utf8_lossy(&decode(url).unwrap().log).into_owned();
    let (sig, title) = classify(&log);
    let r = receipt(&s.submit(url));
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    assert_eq!(r["signature"], sig.as_str());
    assert_eq!(r["title"], title.as_str());
    assert_eq!(r["duplicate"], false);
    assert_eq!(r.as_object().unwrap().len(), 4, "{r}");

    let list = s.json("/api/signatures");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    let e = &list[0];
    assert_eq!(e["signature"], sig.as_str());
    assert_eq!(e["count"], 1);
    assert_eq!(e["releases"], serde_json::json!(["6.12.9-amd64"]));
    assert_eq!(e["arches"], serde_json::json!(["x86_64"]));
    assert!(e["first_seen"].as_i64().unwrap() > 1_700_000_000);
    assert_eq!(e["first_seen"], e["last_seen"]);

    let d = s.json(&format!("/api/signatures/{sig}"));
    assert_eq!(d["count"], 1);
    assert_eq!(d["reports"][0]["id"], id.as_str());
    assert_eq!(d["reports"][0]["log"], log.as_str());
    assert_eq!(d["reports"][0]["condition"], "complete");

    let nf = s.get("/api/signatures/0123456789abcdef");
    assert_eq!(nf.status, 404);
    for bad in [
        "",
        "hello",
        "https://x/#?a=x86_64&z=12345678901234567",
        "https://x/#?z=1x",
    ] {
        let r = s.submit(bad);
        assert_eq!(r.status, 400, "{bad:?}: {}", r.text());
        let text = r.text();
        assert_eq!(text.trim_end().lines().count(), 1, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(v["error"]
            .as_str()
            .unwrap()
            .starts_with("not a readable report"));
    }
    // Not UTF-8.
    let r = s
        .client
        .request("POST", "/api/reports", &[], b"\xff\xfe z=1")
        .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(s.count(), 1);
    let page = s.get("/").text();
    assert!(page.contains(&format!("/s/{sig}")));
}

fn idempotent(db: &str) {
    let s = TestServer::start(db, unlimited());
    let url = &corpus_urls(2)[1];
    let a = receipt(&s.submit(url));
    let b = receipt(&s.submit(url));
    assert_eq!(a["duplicate"], false);
    assert_eq!(b["duplicate"], true);
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["signature"], b["signature"]);
    // The same code from another page (query instead of fragment, other
    // base, escaped digits): the same report.
    let (_, params) = url.split_once("#?").unwrap();
    let other = format!(
        "https://elsewhere.example/decode?{}",
        params.replace("&z=", "&z=%3")
    );
    assert!(other.contains("%3"));
    let c = receipt(&s.submit(&other));
    assert_eq!(c["duplicate"], true, "{other}");
    assert_eq!(c["id"], a["id"]);
    assert_eq!(s.count(), 1);
    let list = s.json("/api/signatures");
    assert_eq!(list[0]["count"], 1);
}

fn duplicates_fold_into_one_signature(db: &str) {
    let s = TestServer::start(db, unlimited());
    let mut ids = std::collections::BTreeSet::new();
    let mut sig = None;
    for i in 0..5 {
        let log = crash_log(
            "BUG: unable to handle page fault for address: 0000000000001234",
            &format!("report {i}"),
        );
        let url = report_url(&log, "x86_64", if i % 2 == 0 { "6.1" } else { "6.2" }, 10);
        for _ in 0..2 {
            let r = receipt(&s.submit(&url));
            ids.insert(r["id"].as_str().unwrap().to_string());
            sig.get_or_insert(r["signature"].as_str().unwrap().to_string());
            assert_eq!(sig.as_deref(), r["signature"].as_str());
        }
    }
    let other = receipt(&s.submit(&report_url(
        &crash_log("WARNING: CPU: 1 PID: 2 at fs/x.c:1", "w"),
        "aarch64",
        "6.1",
        10,
    )));
    assert_ne!(other["signature"].as_str(), sig.as_deref());
    assert_eq!(ids.len(), 5);
    assert_eq!(s.count(), 6);
    let list = s.json("/api/signatures");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    // Most reports first.
    assert_eq!(list[0]["signature"].as_str(), sig.as_deref());
    assert_eq!(list[0]["count"], 5);
    assert_eq!(list[0]["releases"], serde_json::json!(["6.1", "6.2"]));
    assert_eq!(list[1]["count"], 1);
    assert_eq!(list[1]["arches"], serde_json::json!(["aarch64"]));
}

/// A log long enough for three version 8 codes whose crash header is in
/// the newest part only.
fn three_part_log() -> Vec<u8> {
    let mut log = Vec::new();
    for i in 0..400 {
        log.extend_from_slice(
            format!(
                "[{:5}.{:06}] filler line {i} {}\n",
                i,
                i * 7919 % 999_983,
                i * 104_729 % 1_000_003
            )
            .as_bytes(),
        );
    }
    log.extend_from_slice(b"[  500.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n[  500.000001] Call Trace:\n[  500.000002]  tcp_close+0x1/0x2\n");
    log
}

fn parts_merge_on_the_server(db: &str) {
    let s = TestServer::start(db, unlimited());
    let log = three_part_log();
    let parts = part_urls(&log, "x86_64", "6.9", 8, 16);
    assert!(parts.len() >= 3, "{} parts", parts.len());
    let n = parts.len();
    // The oldest part first: its lines name no crash.
    let first = receipt(&s.submit(&parts[n - 1]));
    let id = first["id"].as_str().unwrap().to_string();
    assert_eq!(first["title"], "unrecognised crash");
    let old_sig = first["signature"].as_str().unwrap().to_string();
    let r = s.json(&format!("/api/signatures/{old_sig}"));
    assert_eq!(r["reports"][0]["parts_received"], 1);
    assert_eq!(r["reports"][0]["part_count"], n);
    assert_eq!(r["reports"][0]["condition"], "incomplete");
    let gap = format!("[panicqr: parts 1-{} of {n} missing here]", n - 1);
    assert!(r["reports"][0]["log"]
        .as_str()
        .unwrap()
        .ends_with(&format!("{gap}\n")));
    // The newest part: now the crash has its real signature, and the old
    // one is gone with its only report.
    let newest = receipt(&s.submit(&parts[0]));
    assert_eq!(newest["id"].as_str(), Some(id.as_str()));
    assert_eq!(newest["duplicate"], false);
    assert_eq!(
        newest["title"],
        "BUG: kernel NULL pointer dereference, address: 0000000000000008"
    );
    let sig = newest["signature"].as_str().unwrap().to_string();
    assert_ne!(sig, old_sig);
    // Parts n and 1 so far: the parts between are a marked gap, in place.
    let log_now = s.json(&format!("/api/signatures/{sig}"))["reports"][0]["log"]
        .as_str()
        .unwrap()
        .to_string();
    let middle = if n == 3 {
        "[panicqr: part 2 of 3 missing here]\n".to_string()
    } else {
        format!("[panicqr: parts 2-{} of {n} missing here]\n", n - 1)
    };
    let at = log_now.find(&middle).unwrap();
    assert!(log_now[at + middle.len()..].contains("BUG: kernel NULL pointer"));
    assert!(!log_now[..at].contains("BUG: kernel NULL pointer"));
    assert_eq!(s.get(&format!("/api/signatures/{old_sig}")).status, 404);
    // The same part again: stored once.
    assert_eq!(receipt(&s.submit(&parts[0]))["duplicate"], true);
    for p in &parts[1..n - 1] {
        let r = receipt(&s.submit(p));
        assert_eq!(r["id"].as_str(), Some(id.as_str()));
        assert_eq!(r["signature"].as_str(), Some(sig.as_str()));
    }
    assert_eq!(s.count(), 1);
    let d = s.json(&format!("/api/signatures/{sig}"));
    assert_eq!(d["count"], 1);
    let rep = &d["reports"][0];
    assert_eq!(rep["parts_received"], n);
    assert_eq!(rep["condition"], "complete");
    // The merged log is the newest lines of the original, byte for byte.
    let merged = rep["log"].as_str().unwrap();
    assert!(merged.len() > 2000, "{}", merged.len());
    assert!(String::from_utf8(log.clone()).unwrap().ends_with(merged));
    // A part with the same report id and index but another log is refused
    // and changes nothing.
    let mut other = three_part_log();
    other.extend_from_slice(b"[  500.000003] one more line\n");
    let forged = part_urls(&other, "x86_64", "6.9", 8, 16);
    let r_of = |u: &str| u.split("&r=").nth(1).unwrap()[..8].to_string();
    let forged1 = forged[0].replace(&r_of(&forged[0]), &r_of(&parts[0]));
    let forged1 = forged1.replace(&format!("p=1/{}", forged.len()), &format!("p=1/{n}"));
    let c = s.submit(&forged1);
    assert_eq!(c.status, 409, "{}", c.text());
    assert!(c.error_message().contains("different log"));
    assert_eq!(
        s.json(&format!("/api/signatures/{sig}"))["reports"][0]["log"],
        merged
    );
}

fn body_limit(db: &str) {
    let s = TestServer::start(
        db,
        Config {
            max_body: 1000,
            ..unlimited()
        },
    );
    let url = report_url(&crash_log("BUG: x", "y"), "x86_64", "6.1", 5);
    assert!(url.len() < 1000);
    assert_eq!(s.submit(&url).status, 200);
    let big = format!("{url}&pad={}", "0".repeat(1200));
    let r = s.submit(&big);
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.error_message().contains("1000 bytes"));
    assert_eq!(s.count(), 1);
}

fn rate_limit(db: &str) {
    let s = TestServer::start(
        db,
        Config {
            rate_limit: RateLimit {
                per_minute: 2,
                burst: 3,
            },
            ..Config::default()
        },
    );
    let urls = corpus_urls(5);
    for u in &urls[..3] {
        assert_eq!(s.submit(u).status, 200);
    }
    let r = s.submit(&urls[3]);
    assert_eq!(r.status, 429, "{}", r.text());
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    // Only submissions are limited: reading still works.
    assert_eq!(s.get("/api/signatures").status, 200);
    assert_eq!(s.count(), 3);
}

fn admin_token(db: &str) {
    let url = report_url(&crash_log("BUG: admin test", "a"), "x86_64", "6.1", 6);
    // No token configured: nothing deletes.
    {
        let s = TestServer::start(db, unlimited());
        let r = receipt(&s.submit(&url));
        let id = r["id"].as_str().unwrap();
        for token in [None, Some(""), Some("anything")] {
            let d = s.delete(&format!("/api/reports/{id}"), token);
            assert_eq!(d.status, 403, "{}", d.text());
            let d = s.delete(
                &format!("/api/signatures/{}", r["signature"].as_str().unwrap()),
                token,
            );
            assert_eq!(d.status, 403);
        }
        assert_eq!(s.count(), 1);
    }
    let s = TestServer::start(
        db,
        Config {
            admin_token: Some("s3cret-token".into()),
            ..unlimited()
        },
    );
    let r = receipt(&s.submit(&url));
    assert_eq!(r["duplicate"], true, "the report survived");
    let id = r["id"].as_str().unwrap();
    let sig = r["signature"].as_str().unwrap();
    let other = receipt(&s.submit(&report_url(
        &crash_log("BUG: admin test", "b"),
        "x86_64",
        "6.1",
        6,
    )));
    for token in [
        None,
        Some("wrong"),
        Some("s3cret-token2"),
        Some("s3cret-toke"),
    ] {
        let d = s.delete(&format!("/api/reports/{id}"), token);
        assert_eq!(d.status, 401, "{token:?}");
        assert_eq!(d.header("www-authenticate"), Some("Bearer"));
        assert_eq!(
            s.delete(&format!("/api/signatures/{sig}"), token).status,
            401
        );
    }
    assert_eq!(s.count(), 2);
    let d = s.delete(&format!("/api/reports/{id}"), Some("s3cret-token"));
    assert_eq!(d.status, 200, "{}", d.text());
    assert_eq!(
        s.delete(&format!("/api/reports/{id}"), Some("s3cret-token"))
            .status,
        404
    );
    assert_eq!(s.count(), 1);
    assert_eq!(s.json(&format!("/api/signatures/{sig}"))["count"], 1);
    let d = s.delete(&format!("/api/signatures/{sig}"), Some("s3cret-token"));
    assert_eq!(d.status, 200);
    assert_eq!(s.count(), 0);
    assert_eq!(s.json("/api/signatures"), serde_json::json!([]));
    assert_ne!(other["id"], r["id"]);
}

fn logs_are_text_not_html(db: &str) {
    let s = TestServer::start(
        db,
        Config {
            tracker_url: Some("https://bugs.example/new?title={title}&body={body}".into()),
            ..unlimited()
        },
    );
    let log = crash_log(
        "BUG: <img src=x onerror=alert(1)> in \"quoted\" & 'single'",
        "<script>alert(document.cookie)</script></pre><b>bold</b>",
    );
    let r = receipt(&s.submit(&report_url(
        &log,
        "<svg onload=alert(2)>",
        "6.1\"><script>",
        10,
    )));
    let sig = r["signature"].as_str().unwrap();
    for path in ["/".to_string(), format!("/s/{sig}")] {
        let page = s.get(&path);
        assert_eq!(page.status, 200);
        let csp = page.header("content-security-policy").unwrap();
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("script-src"),
            "{csp}"
        );
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        let html = page.text();
        for raw in ["<script", "<img", "<svg onload", "<b>", "onerror=alert(1)>"] {
            assert!(!html.contains(raw), "{path}: raw {raw:?} in the page");
        }
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{path}"
        );
        assert!(html.contains("&lt;svg onload=alert(2)&gt;"), "{path}");
    }
    let page = s.get(&format!("/s/{sig}")).text();
    assert!(page.contains("&lt;script&gt;alert(document.cookie)&lt;/script&gt;&lt;/pre&gt;"));
    // The bug link: the tracker's URL with the text percent-encoded, and
    // the whole href escaped.
    let href = page
        .split("href=\"https://bugs.example/new?")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(
        href.starts_with("title=BUG%3A%20%3Cimg%20src%3Dx"),
        "{href}"
    );
    assert!(href.contains("&amp;body="), "{href}");
    assert!(href.contains("%3Cscript%3Ealert"), "{href}");
}

fn retention(db: &str) {
    let day = 86_400;
    let now = panicqr_intake_now();
    let urls = corpus_urls(3);
    // Two reports from 100 and 95 days ago, one from 10 days ago, stored
    // before the server starts.
    {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let store = rt
            .block_on(panicqr_intake::store::Store::open(db, 2))
            .unwrap();
        for (u, age) in urls.iter().zip([100, 95, 10]) {
            rt.block_on(store.submit(u, now - age * day)).unwrap();
        }
        assert_eq!(rt.block_on(store.report_count()).unwrap(), 3);
        rt.block_on(store.close());
    }
    let s = TestServer::start(
        db,
        Config {
            retention_days: 90,
            retention_interval: Duration::from_millis(50),
            ..unlimited()
        },
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.count() != 1 {
        assert!(
            Instant::now() < deadline,
            "retention did not run: {} reports",
            s.count()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let list = s.json("/api/signatures");
    let total: i64 = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 1);
    let first = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["first_seen"].as_i64().unwrap())
        .min()
        .unwrap();
    assert_eq!(first, now - 10 * day);
    // Resubmitting an expired report stores it anew (it was deleted).
    assert_eq!(receipt(&s.submit(&urls[0]))["duplicate"], false);
}

fn panicqr_intake_now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}
