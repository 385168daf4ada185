//! The intake's API on both backends (SQLite and PostgreSQL run the same
//! functions, see `both_backends!`): answers, idempotence, duplicates
//! folding (real crash logs that syzkaller titles alike), logs without a
//! crash, parts merged on the server (and classified without the gap
//! lines), limits, the admin token, escaping and retention; and, on SQLite
//! only (the database plays no part), the connection limits.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{closed_within, receipt, unlimited, TestServer};
use panicqr_intake::classify::classify;
use panicqr_intake::server::{Config, RateLimit, DETAILS_LOG_BUDGET};
use panicqr_intake::testing::{
    corpus_log_url, corpus_urls, part_urls, report_url, syzkaller_titles, zlib_url,
};
use panicqr_report::decode::{decode, merge, MAX_LOG_BYTES};
use panicqr_signature::{analyse, signature_of, NO_CRASH};

both_backends!(
    api_answers,
    idempotent,
    duplicates_fold_into_one_signature,
    logs_without_a_crash,
    parts_merge_on_the_server,
    gap_lines_are_not_analysed,
    parts_together_are_bounded,
    body_limit,
    rate_limit,
    admin_token,
    logs_are_text_not_html,
    retention,
    signatures_come_in_pages,
    heavy_logs_come_in_pages,
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
    assert_eq!(r["count"], 1);
    assert_eq!(r.as_object().unwrap().len(), 5, "{r}");

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
    // A duplicate is not counted again.
    assert_eq!((&a["count"], &b["count"]), (&1.into(), &1.into()));
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

/// Different logs of one crash fold into one signature: corpus logs that
/// syzkaller gives the same title (testdata/corpus/titles.tsv), each as the
/// window one version 40 code carries, from different machines; different
/// crashes stay apart.
fn duplicates_fold_into_one_signature(db: &str) {
    let s = TestServer::start(db, unlimited());
    let titles = syzkaller_titles();
    // (syzkaller's title, how many of its logs to send)
    let crashes = [
        ("INFO: rcu detected stall in kvm_vcpu_ioctl", 3),
        ("WARNING in xfrm_state_fini", 2),
        ("KASAN: slab-out-of-bounds Read in sg_remove_request", 2),
    ];
    let machines = [("x86_64", "6.1"), ("aarch64", "6.2"), ("riscv64", "6.2")];
    let mut ids = BTreeSet::new();
    let mut signatures = Vec::new();
    for (want, n) in crashes {
        let files: Vec<&str> = titles
            .iter()
            .filter(|(_, t)| t == want)
            .map(|(f, _)| f.as_str())
            .take(n)
            .collect();
        assert_eq!(files.len(), n, "{want}: logs in titles.tsv");
        let mut sig = None;
        for (k, f) in files.iter().enumerate() {
            let (arch, release) = machines[k];
            let url = corpus_log_url(f, arch, release, 40);
            for again in [false, true] {
                let r = receipt(&s.submit(&url));
                assert_eq!(r["duplicate"], again, "{f}");
                assert_eq!(r["title"], want, "{f}");
                assert_eq!(r["count"], k + 1, "{f}");
                ids.insert(r["id"].as_str().unwrap().to_string());
                let got = r["signature"].as_str().unwrap().to_string();
                assert_eq!(sig.get_or_insert_with(|| got.clone()), &got, "{f}");
            }
        }
        signatures.push((sig.unwrap(), want, n));
    }
    assert_eq!(ids.len(), 7);
    assert_eq!(s.count(), 7);
    let distinct: BTreeSet<&String> = signatures.iter().map(|(sig, _, _)| sig).collect();
    assert_eq!(distinct.len(), 3, "different crashes, different signatures");
    let list = s.json("/api/signatures");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    // Most reports first.
    assert_eq!(list[0]["signature"], signatures[0].0.as_str());
    assert_eq!(list[0]["count"], 3);
    assert_eq!(list[0]["releases"], serde_json::json!(["6.1", "6.2"]));
    assert_eq!(
        list[0]["arches"],
        serde_json::json!(["aarch64", "riscv64", "x86_64"])
    );
    for (sig, want, n) in &signatures {
        let e = list
            .iter()
            .find(|e| e["signature"] == sig.as_str())
            .unwrap();
        assert_eq!(e["count"], *n, "{want}");
        assert_eq!(e["title"], *want);
        assert_eq!(sig, &signature_of(want));
    }
}

/// A log without a crash report is stored all the same, under one
/// signature for all such logs, titled so.
fn logs_without_a_crash(db: &str) {
    let s = TestServer::start(db, unlimited());
    let boot = |n: usize| {
        let mut log = String::new();
        for i in 0..20 {
            log.push_str(&format!(
                "[    {i}.{n:06}] boot step {i} of machine {n}: ok\n"
            ));
        }
        report_url(log.as_bytes(), "x86_64", "6.1", 10)
    };
    let a = receipt(&s.submit(&boot(1)));
    let b = receipt(&s.submit(&boot(2)));
    assert_ne!(a["id"], b["id"]);
    for r in [&a, &b] {
        assert_eq!(r["title"], NO_CRASH);
        assert_eq!(r["signature"], signature_of(NO_CRASH).as_str());
    }
    assert_eq!(b["count"], 2);
    let d = s.json(&format!("/api/signatures/{}", signature_of(NO_CRASH)));
    assert_eq!(d["count"], 2);
    assert!(d["reports"][0]["log"]
        .as_str()
        .unwrap()
        .contains("boot step 19 of machine"));
    assert!(s.get("/").text().contains(NO_CRASH));
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
    log.extend_from_slice(b"[  500.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n[  500.000001] RIP: 0010:tcp_close+0x1/0x2\n");
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
    assert_eq!(first["title"], NO_CRASH);
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
        "BUG: unable to handle kernel NULL pointer dereference in tcp_close"
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

/// A cut KASAN report (its header is older than any code carries), then
/// a WARNING: the newest lines of the trace and the whole WARNING report.
fn cut_report_then_warning() -> Vec<u8> {
    let mut l = String::new();
    l += "[  100.000000][ T100] BUG: KASAN: use-after-free in alpha_release+0x1a/0x2b\n";
    l += "[  100.000001][ T100] Read of size 8 at addr ffff88801c2d3e40 by task syz/100\n";
    l += "[  100.000002][ T100] Call Trace:\n";
    let words = [
        "sock", "tcp", "inet", "net", "skb", "queue", "flush", "wake", "lock", "timer", "xmit",
        "recv",
    ];
    let nth = ["one", "two", "three", "four", "five"];
    for i in 0..260 {
        l += &format!(
            "[  100.{:06}][ T100]  {}_{}_{}+0x{:x}/0x{:x}\n",
            i + 3,
            words[i % words.len()],
            words[(i * 7 + 3) % words.len()],
            nth[i % nth.len()],
            i * 37 % 4000 + 16,
            i * 91 % 5000 + 4096
        );
    }
    l += "[  200.000000][ T200] WARNING: CPU: 0 PID: 200 at net/core/dev.c:1 beta_notify+0x1/0x2\n";
    l += "[  200.000001][ T200] RIP: 0010:beta_notify+0x1/0x2\n";
    l += "[  200.000002][ T200] Call Trace:\n[  200.000003][ T200]  beta_caller+0x1/0x2\n";
    l.into_bytes()
}

/// The function of a call-trace line (`[…][ T1]  name+0x1/0x2`).
fn frame_function(line: &str) -> &str {
    line.rsplit("  ").next().unwrap().split('+').next().unwrap()
}

/// The server's `[panicqr: …missing here]` lines are no part of the crash:
/// a report whose oldest part is missing starts, for the signature, inside
/// the cut report, as the log does, not with the server's gap line (which
/// would make the WARNING after it look like the first report).
fn gap_lines_are_not_analysed(db: &str) {
    let s = TestServer::start(db, unlimited());
    let parts = part_urls(&cut_report_then_warning(), "x86_64", "6.9", 8, 4);
    let n = parts.len();
    let logs: Vec<String> = parts
        .iter()
        .map(|p| String::from_utf8(decode(p).unwrap().log).unwrap())
        .collect();
    // What the test stands on: no code carries the KASAN header, the
    // newest carry the WARNING, the oldest two start inside the trace.
    assert_eq!(n, 4);
    assert!(logs.iter().all(|l| !l.contains("BUG: KASAN")));
    assert!(logs[..n - 2].iter().any(|l| l.contains("WARNING: CPU: 0")));
    for l in &logs[n - 2..] {
        assert!(l.starts_with("[  100."), "{l}");
    }
    // Without the oldest part.
    let mut last = serde_json::Value::Null;
    for p in &parts[..n - 1] {
        last = receipt(&s.submit(p));
    }
    let sig = last["signature"].as_str().unwrap();
    let stored = s.json(&format!("/api/signatures/{sig}"))["reports"][0]["log"]
        .as_str()
        .unwrap()
        .to_string();
    let gap = format!("[panicqr: part {n} of {n} missing here]\n");
    assert!(stored.starts_with(&gap), "{stored}");
    let top = frame_function(logs[n - 2].lines().next().unwrap());
    assert_eq!(last["title"], format!("crash in {top}").as_str());
    // The stored text as it is, gap line first, would be titled after the
    // WARNING: what the server must not do.
    assert_eq!(analyse(&stored).title, "WARNING in beta_notify");
    // With every part: the trace starts one part earlier.
    let whole = receipt(&s.submit(&parts[n - 1]));
    let top = frame_function(logs[n - 1].lines().next().unwrap());
    assert_eq!(whole["title"], format!("crash in {top}").as_str());
    assert_eq!(whole["count"], 1);
    let m = merge(parts.iter().map(|p| decode(p).unwrap()).collect());
    assert!(m[0].is_complete());
    assert_eq!(s.count(), 1);
}

/// Each code's log is bounded by the decoder, but a report may have 255
/// parts: the server refuses a part that would take the report's log past
/// one code's bound (so neither the merge, done again for every part, nor
/// the analysis grows with the part count), and stores nothing of it.
fn parts_together_are_bounded(db: &str) {
    let s = TestServer::start(db, unlimited());
    // 3 MiB each: one is allowed, two are past 4 MiB.
    let line = |c: char| format!("{}\n", c.to_string().repeat(3 << 20));
    let p1 = zlib_url(line('a').as_bytes(), "x86_64", "6.1", Some((1, 3, 0xb0b)));
    let p2 = zlib_url(line('b').as_bytes(), "x86_64", "6.1", Some((2, 3, 0xb0b)));
    assert!(p1.len() < Config::default().max_body, "{}", p1.len());
    let first = receipt(&s.submit(&p1));
    let id = first["id"].as_str().unwrap().to_string();
    let r = s.submit(&p2);
    assert_eq!(r.status, 400, "{}", r.text());
    let m = r.error_message();
    assert!(
        m.contains(&format!("more than {MAX_LOG_BYTES}")) && m.contains("not a kernel report"),
        "{m}"
    );
    // Nothing of the refused part was kept.
    assert_eq!(s.count(), 1);
    let d = s.json(&format!(
        "/api/signatures/{}",
        first["signature"].as_str().unwrap()
    ));
    let rep = &d["reports"][0];
    assert_eq!(rep["id"], id.as_str());
    assert_eq!(rep["parts_received"], 1);
    assert!(!rep["log"].as_str().unwrap().contains("bbbb"));
    // A small part 2 is taken.
    let small = zlib_url(b"[ 1.0] part two\n", "x86_64", "6.1", Some((2, 3, 0xb0b)));
    let r = receipt(&s.submit(&small));
    assert_eq!(r["id"], id.as_str());
    assert_eq!(
        s.json(&format!(
            "/api/signatures/{}",
            r["signature"].as_str().unwrap()
        ))["reports"][0]["parts_received"],
        2
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
    // Reading has a budget of its own: not spent by submissions, and
    // spending it leaves submissions alone.
    assert_eq!(s.get("/api/signatures").status, 200);
    assert_eq!(s.count(), 3);
    let s = TestServer::start(
        db,
        Config {
            read_rate_limit: RateLimit {
                per_minute: 2,
                burst: 4,
            },
            ..unlimited()
        },
    );
    for path in ["/", "/api/signatures", "/style.css", "/nowhere"] {
        let r = s.get(path);
        assert_ne!(r.status, 429, "{path}");
    }
    for path in ["/", "/api/signatures", "/style.css"] {
        let r = s.get(path);
        assert_eq!(r.status, 429, "{path}: {}", r.text());
        assert!(r.error_message().contains("too many requests"));
        assert!(r.header("retry-after").is_some());
        assert!(r.header("content-security-policy").is_some());
    }
    assert_eq!(s.submit(&urls[4]).status, 200);
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
        "BUG: <img src=x onerror=alert(document.domain)> in \"quoted\" & 'single'",
        "<script>alert(document.cookie)</script></pre><b>bold</b>",
    );
    let r = receipt(&s.submit(&report_url(
        &log,
        "<svg onload=alert(2)>",
        "6.1\"><script>",
        15,
    )));
    let sig = r["signature"].as_str().unwrap();
    assert!(
        r["title"]
            .as_str()
            .unwrap()
            .contains("<img src=x onerror=alert(document.domain)>"),
        "{r}"
    );
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
        for raw in [
            "<script",
            "<img",
            "<svg onload",
            "<b>",
            "onerror=alert(document.domain)>",
        ] {
            assert!(!html.contains(raw), "{path}: raw {raw:?} in the page");
        }
        assert!(
            html.contains("&lt;img src=x onerror=alert(document.domain)&gt;"),
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

/// Half a request head, then nothing (slow loris).
fn loris(s: &TestServer) -> TcpStream {
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.write_all(b"GET /api/signatures HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    c
}

/// A client that sends half a request head and waits is dropped after the
/// header timeout, and is served no sooner than the others: they are
/// answered while it waits. Connections past the cap wait to be accepted
/// until one closes; a body that stops coming gets 408.
#[test]
fn slow_clients_are_dropped() {
    let timeout = Duration::from_millis(1500);
    let s = TestServer::start(
        &common::sqlite_db(),
        Config {
            header_timeout: timeout,
            body_timeout: timeout,
            max_connections: 3,
            ..unlimited()
        },
    );
    let url = report_url(&crash_log("BUG: slow", "s"), "x86_64", "6.1", 5);
    let start = Instant::now();
    let mut slow = loris(&s);
    for _ in 0..5 {
        assert_eq!(s.submit(&url).status, 200);
        assert_eq!(s.get("/api/signatures").status, 200);
    }
    // Answered while the slow client is still connected.
    assert!(!closed_within(&mut slow, Duration::from_millis(10)));
    assert!(closed_within(&mut slow, timeout + Duration::from_secs(10)));
    let held = start.elapsed();
    assert!(held >= timeout, "dropped after {held:?}");

    // Three slow clients take every connection: the next request waits
    // until the first of them is dropped.
    let start = Instant::now();
    let mut slow: Vec<TcpStream> = (0..3).map(|_| loris(&s)).collect();
    assert_eq!(s.get("/api/signatures").status, 200);
    let waited = start.elapsed();
    assert!(
        waited >= timeout / 2,
        "served after {waited:?}, past the cap"
    );
    for c in &mut slow {
        assert!(closed_within(c, Duration::from_secs(10)));
    }

    // A body that stops half way: 408, and the connection closed.
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.write_all(
        b"POST /api/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhttps://x/#?z=1",
    )
    .unwrap();
    c.set_read_timeout(Some(timeout + Duration::from_secs(10)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = c.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive within 1.5 s"), "{answer}");
    assert_eq!(s.count(), 1);
}

/// `n` as a word of letters: signature titles drop digits.
fn word(mut n: usize) -> String {
    let mut w = String::new();
    loop {
        w.push(char::from(b'a' + u8::try_from(n % 26).unwrap()));
        n /= 26;
        if n == 0 {
            return w;
        }
    }
}

/// Submits `count` different reports of a crash titled after `name`.
fn submit_crash(s: &TestServer, name: &str, count: usize) -> String {
    let mut sig = String::new();
    for k in 0..count {
        let log = crash_log(&format!("BUG: paging {name} crash"), &word(k));
        let r = receipt(&s.submit(&report_url(&log, "x86_64", "6.1", 10)));
        assert_eq!(r["duplicate"], false);
        sig = r["signature"].as_str().unwrap().to_string();
    }
    sig
}

fn signatures_come_in_pages(db: &str) {
    let s = TestServer::start(db, unlimited());
    // 5 signatures with 5, 4, …, 1 reports: the list's order is known.
    let sigs: Vec<String> = (0..5)
        .map(|i| submit_crash(&s, &format!("first {}", word(i)), 5 - i))
        .collect();
    let whole: Vec<String> = s
        .json("/api/signatures")
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["signature"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(whole, sigs);
    assert!(s.get("/api/signatures").header("link").is_none());
    // Pages of 2, followed through the Link header.
    let mut path = "/api/signatures?limit=2".to_string();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = s.get(&path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        let page = v.as_array().unwrap();
        assert!(page.len() <= 2);
        seen.extend(
            page.iter()
                .map(|e| e["signature"].as_str().unwrap().to_string()),
        );
        pages += 1;
        let Some(link) = r.header("link") else { break };
        let next = link
            .strip_prefix('<')
            .and_then(|l| l.split_once(">; rel=\"next\""))
            .unwrap()
            .0;
        path = next.to_string();
        assert!(pages < 10, "{link}");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, sigs);
    // The releases and arches of a page are its own signatures'.
    let second = s.json("/api/signatures?limit=1&offset=1");
    assert_eq!(second[0]["signature"], sigs[1].as_str());
    assert_eq!(second[0]["arches"], serde_json::json!(["x86_64"]));
    assert_eq!(
        s.json("/api/signatures?offset=9").as_array().unwrap().len(),
        0
    );
    // A page is never empty but past the end: `limit=0` gives one, and
    // the next page's link moves on.
    for limit in ["0", "-3"] {
        let r = s.get(&format!("/api/signatures?limit={limit}"));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1);
        assert!(r.header("link").unwrap().contains("limit=1&offset=1"));
    }
    assert_eq!(s.get("/api/signatures?limit=x").status, 400);

    // The dashboard: 500 crashes a page, the totals of all, a link on.
    for i in 5..501 {
        submit_crash(&s, &format!("more {}", word(i)), 1);
    }
    let first = s.get("/").text();
    assert!(
        first.contains("501 signatures, 511 reports"),
        "{}",
        &first[..600]
    );
    assert_eq!(first.matches("href=\"/s/").count(), 500);
    // Each row's sparkline counts its own signature's reports.
    for n in 1..=5 {
        let label = format!("aria-label=\"{n} reports in the last 30 days\"");
        let want = if n == 1 { 496 } else { 1 };
        assert_eq!(first.matches(&label).count(), want, "{label}");
    }
    assert!(first.contains("href=\"/?offset=500\""));
    let last = s.get("/?offset=500").text();
    assert_eq!(last.matches("href=\"/s/").count(), 1);
    assert!(last.contains("Crashes 501 to 501"), "{}", &last[..600]);
    assert!(!last.contains("/?offset="));
}

fn heavy_logs_come_in_pages(db: &str) {
    let s = TestServer::start(db, unlimited());
    // Logs of 1,000,000 bytes: 4 fit the budget of one answer, not 5.
    const { assert!(4 * 1_000_000 <= DETAILS_LOG_BUDGET && 5 * 1_000_000 > DETAILS_LOG_BUDGET) };
    let mut ids = Vec::new();
    let mut sig = String::new();
    for k in 0..6 {
        let mut log = crash_log("BUG: heavy log crash", &word(k));
        log.extend(std::iter::repeat_n(b'x', 1_000_000 - log.len() - 1));
        log.push(b'\n');
        let r = receipt(&s.submit(&zlib_url(&log, "x86_64", "6.1", None)));
        ids.push(r["id"].as_str().unwrap().to_string());
        sig = r["signature"].as_str().unwrap().to_string();
    }
    assert!(ids.iter().collect::<BTreeSet<_>>().len() == 6);
    let mut seen = Vec::new();
    let mut offset = 0;
    let mut sizes = Vec::new();
    loop {
        let r = s.get(&format!("/api/signatures/{sig}?offset={offset}"));
        assert_eq!(r.status, 200);
        assert!(r.body.len() < DETAILS_LOG_BUDGET, "{}", r.body.len());
        let d: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(d["count"], 6);
        let reports = d["reports"].as_array().unwrap();
        sizes.push(reports.len());
        for rep in reports {
            assert_eq!(rep["log"].as_str().unwrap().len(), 1_000_000);
            seen.push(rep["id"].as_str().unwrap().to_string());
        }
        match d["next_offset"].as_i64() {
            Some(n) => offset = n,
            None => break,
        }
    }
    assert_eq!(sizes, [4, 2]);
    // Every report once, newest first (they arrived within a second or
    // two: the same order as the store's, checked as a set).
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>(),
        ids.iter().collect::<BTreeSet<_>>()
    );
    // A smaller limit ends the page first.
    let d = s.json(&format!("/api/signatures/{sig}?limit=3"));
    assert_eq!(d["reports"].as_array().unwrap().len(), 3);
    assert_eq!(d["next_offset"], 3);
    let d = s.json(&format!("/api/signatures/{sig}?limit=6&offset=5"));
    assert_eq!(d["reports"].as_array().unwrap().len(), 1);
    assert!(d["next_offset"].is_null());
    // The dashboard's page lists the 6 and shows one log.
    let page = s.get(&format!("/s/{sig}"));
    assert_eq!(page.status, 200);
    let html = page.text();
    assert_eq!(html.matches("<tr><td>").count(), 6);
    assert!(
        html.len() < 1_100_000 && html.len() > 1_000_000,
        "{}",
        html.len()
    );
    // The log shown is the longest complete report's: not a longer one
    // that is incomplete (part 1 of 2), not the newest.
    let sized = |extra: &str, len: usize| {
        let mut log = crash_log("BUG: heavy log crash", extra);
        log.extend(std::iter::repeat_n(b'y', len - log.len() - 1));
        log.push(b'\n');
        log
    };
    let long = receipt(&s.submit(&zlib_url(&sized("long", 1_200_000), "x86_64", "6.1", None)));
    let part = receipt(&s.submit(&zlib_url(
        &sized("part", 1_500_000),
        "x86_64",
        "6.1",
        Some((1, 2, 0xbeef)),
    )));
    let newest = receipt(&s.submit(&zlib_url(&sized("newest", 900_000), "x86_64", "6.1", None)));
    for r in [&long, &part, &newest] {
        assert_eq!(r["signature"], sig.as_str());
    }
    let html = s.get(&format!("/s/{sig}")).text();
    let shown = html
        .split("<h2>Representative log</h2><p class=\"small\">Report ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap();
    assert_eq!(shown, long["id"].as_str().unwrap());
}

/// Behind a trusted proxy each client has its own budget; without one
/// configured, `X-Forwarded-For` is the client's word and changes nothing.
#[test]
fn limits_count_the_client_behind_a_trusted_proxy() {
    let db = common::sqlite_db();
    let one = RateLimit {
        per_minute: 1,
        burst: 1,
    };
    let urls = corpus_urls(6);
    let post = |s: &TestServer, url: &str, from: &str| {
        s.client
            .request(
                "POST",
                "/api/reports",
                &[("Content-Type", "text/plain"), ("X-Forwarded-For", from)],
                url.as_bytes(),
            )
            .unwrap()
            .status
    };
    let proxied = TestServer::start(
        &db,
        Config {
            rate_limit: one,
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..Config::default()
        },
    );
    assert_eq!(post(&proxied, &urls[0], "203.0.113.1"), 200);
    assert_eq!(post(&proxied, &urls[1], "203.0.113.1"), 429);
    assert_eq!(post(&proxied, &urls[1], "203.0.113.2"), 200);
    // A forged hop left of the proxy's entry changes nothing.
    assert_eq!(post(&proxied, &urls[2], "198.51.100.1, 203.0.113.2"), 429);
    drop(proxied);
    let direct = TestServer::start(
        &db,
        Config {
            rate_limit: one,
            ..Config::default()
        },
    );
    assert_eq!(post(&direct, &urls[3], "203.0.113.3"), 200);
    assert_eq!(post(&direct, &urls[4], "203.0.113.4"), 429);
}

/// A database that is not there: one line naming it, its password hidden
/// (and at once: the pool alone retried for 30 s and said only "pool timed
/// out").
#[test]
fn unreachable_database_is_named() {
    let port = panicqr_intake::testing::free_port();
    let db = format!("postgres://ci:s3cret@127.0.0.1:{port}/crashes");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let e = rt
        .block_on(panicqr_intake::store::Store::open(&db, 2))
        .unwrap_err();
    let m = e.to_string();
    assert!(matches!(e, panicqr_intake::Error::Open { .. }), "{e:?}");
    assert!(
        m.starts_with(&format!(
            "cannot open the database postgres://ci:***@127.0.0.1:{port}/crashes: "
        )),
        "{m}"
    );
    assert!(!m.contains("s3cret") && !m.contains('\n'), "{m}");
    // A password with an unencoded '#' (the URL does not parse) is hidden
    // too; a libpq keyword string is refused, not taken as a file name.
    for db in [
        format!("postgres://ci:ab#cd@127.0.0.1:{port}/crashes"),
        "host=127.0.0.1 user=ci password=ab#cd dbname=crashes".to_string(),
    ] {
        let e = rt
            .block_on(panicqr_intake::store::Store::open(&db, 2))
            .unwrap_err();
        let m = e.to_string();
        assert!(!m.contains("ab#cd") && m.contains("***"), "{m}");
    }
    assert!(!std::path::Path::new("host=127.0.0.1 user=ci password=ab#cd dbname=crashes").exists());
    // A SQLite file that cannot be created is named too.
    let e = rt
        .block_on(panicqr_intake::store::Store::open(
            "/nonexistent-dir/sub/crashes.sqlite",
            2,
        ))
        .unwrap_err();
    let m = e.to_string();
    assert!(
        m.starts_with("cannot open the database /nonexistent-dir/sub/crashes.sqlite: "),
        "{m}"
    );
}
