//! Grouping the crash corpus by signature, against syzkaller's own crash
//! titles (testdata/corpus/titles.tsv): pairwise precision and recall on
//! the whole logs and on the windows a single QR code carries.
//!
//! Two logs are together in the truth when syzkaller gives them the same
//! title, and together in ours when they get the same signature. Over all
//! pairs of logs: precision = pairs we put together that are together in
//! the truth / pairs we put together; recall = pairs together in the truth
//! that we also put together / pairs together in the truth.
//!
//! Logs whose truth says nothing about identity are left out of the pairs
//! (and counted): the 3 with no title (syzkaller finds no crash in them)
//! and the 12 whose title names the frame `corrupted` (syzkaller found the
//! header but no frame, so such a title is a bucket of unrelated crashes,
//! not one crash).
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::HashMap;

use panicqr_qr::Version;
use panicqr_report::build::{self, Target};
use panicqr_report::{decode, digits};
use panicqr_signature::{analyse, Kind, Signature};
use panicqr_testkit::{corpus, testdata};

/// What `panicqr encode` builds by default: one code, version 40, the
/// Debian decoder page, mask 0.
fn window(log: &[u8]) -> String {
    let target = Target {
        mask: panicqr_qr::Options::kernel().mask,
        ..Target::new(
            b"https://kernel-team.pages.debian.net/panic_report/#",
            b"x86_64",
            b"6.19.11+kali-amd64",
        )
    };
    assert_eq!(target.max_version, Version::MAX);
    let mut ws = vec![0u8; build::workspace_len(Version::MAX)];
    let mut out = vec![0u8; Version::MAX.symbol_len()];
    let built = build::build(log, &target, &mut ws, &mut out).unwrap();
    let mut text = built.prefix.to_vec();
    let mut d = vec![0u8; digits::decimal_digits(built.payload.len())];
    let n = digits::encode_z(built.payload, &mut d);
    text.extend_from_slice(&d[..n]);
    let decoded = decode::decode(std::str::from_utf8(&text).unwrap()).unwrap();
    assert!(decoded.is_complete(), "{:?}", decoded.problems);
    assert_eq!(decoded.log, log[built.fitted.start..], "the code carries the newest lines");
    String::from_utf8(decoded.log).unwrap()
}

fn titles() -> HashMap<String, String> {
    let text = std::fs::read_to_string(testdata().join("corpus/titles.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (file, title) = l.split_once('\t').unwrap();
            (file.to_string(), title.to_string())
        })
        .collect()
}

/// Whether a syzkaller title says nothing about which crash it is.
fn uninformative(title: &str) -> bool {
    title.is_empty() || title.ends_with(" in corrupted") || title.contains(" in corrupted/")
}

#[derive(Debug, Default)]
struct Score {
    ours: usize,
    truth: usize,
    both: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        if self.ours == 0 {
            1.0
        } else {
            self.both as f64 / self.ours as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.truth == 0 {
            1.0
        } else {
            self.both as f64 / self.truth as f64
        }
    }
}

/// Pairwise agreement of two labellings of the same logs.
fn score(labels: &[(&str, &str)]) -> Score {
    let mut s = Score::default();
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            let ours = a.0 == b.0;
            let truth = a.1 == b.1;
            s.ours += usize::from(ours);
            s.truth += usize::from(truth);
            s.both += usize::from(ours && truth);
        }
    }
    s
}

struct Run {
    name: &'static str,
    scored: Score,
    with_corrupted: Score,
    exact: usize,
    informative: usize,
}

fn measure(name: &'static str, logs: &[(String, String, Signature)]) -> Run {
    let informative: Vec<_> = logs.iter().filter(|l| !uninformative(&l.1)).collect();
    let labels: Vec<(&str, &str)> = informative
        .iter()
        .map(|l| (l.2.signature.as_str(), l.1.as_str()))
        .collect();
    let with: Vec<(&str, &str)> = logs
        .iter()
        .filter(|l| !l.1.is_empty())
        .map(|l| (l.2.signature.as_str(), l.1.as_str()))
        .collect();
    let exact = informative.iter().filter(|l| l.2.title == l.1).count();
    for (i, a) in informative.iter().enumerate() {
        for b in &informative[i + 1..] {
            let (ours, truth) = (a.2.signature == b.2.signature, a.1 == b.1);
            if ours != truth {
                let what = if ours { "merged" } else { "split" };
                println!(
                    "{name}: {what} {} {:?} / {} {:?} (syzkaller {:?} / {:?})",
                    a.0, a.2.title, b.0, b.2.title, a.1, b.1
                );
            }
        }
    }
    for l in &informative {
        if l.2.title != l.1 {
            println!("{name}: {} ours {:?} syzkaller {:?}", l.0, l.2.title, l.1);
        }
    }
    Run {
        name,
        scored: score(&labels),
        with_corrupted: score(&with),
        exact,
        informative: informative.len(),
    }
}

#[test]
fn grouping_matches_syzkaller_on_logs_and_qr_windows() {
    let truth = titles();
    let corpus = corpus();
    assert_eq!(corpus.len(), 240);
    assert_eq!(truth.len(), 240, "one title per log");
    let mut full = Vec::new();
    let mut windows = Vec::new();
    let mut cut = 0;
    for (file, data) in &corpus {
        let title = truth.get(file).unwrap_or_else(|| panic!("no title for {file}")).clone();
        let log = std::str::from_utf8(data).unwrap();
        let w = window(data);
        cut += usize::from(w.len() < log.len());
        full.push((file.clone(), title.clone(), analyse(log)));
        windows.push((file.clone(), title, analyse(&w)));
    }
    let no_title = full.iter().filter(|l| l.1.is_empty()).count();
    let corrupted = full.iter().filter(|l| uninformative(&l.1)).count() - no_title;
    assert_eq!((no_title, corrupted), (3, 12));
    // syzkaller finds no crash in the untitled logs; neither do we.
    for l in full.iter().filter(|l| l.1.is_empty()) {
        assert_eq!(l.2.kind, Kind::NoCrash, "{}: {:?}", l.0, l.2.title);
    }
    println!("{cut} of {} windows are shorter than their log", corpus.len());
    let runs = [measure("full", &full), measure("window", &windows)];
    for r in &runs {
        println!(
            "{}: {} logs in pairs ({no_title} without title, {corrupted} 'corrupted' left out): \
             precision {:.3} ({}/{}), recall {:.3} ({}/{}); titles equal to syzkaller's: {}/{}; \
             with the 'corrupted' logs in: precision {:.3}, recall {:.3}",
            r.name,
            r.informative,
            r.scored.precision(),
            r.scored.both,
            r.scored.ours,
            r.scored.recall(),
            r.scored.both,
            r.scored.truth,
            r.exact,
            r.informative,
            r.with_corrupted.precision(),
            r.with_corrupted.recall(),
        );
    }
    for r in &runs {
        assert!(r.scored.truth > 40, "{}: the corpus has duplicates", r.name);
        assert!(r.scored.precision() >= 0.95, "{}: precision {:.3}", r.name, r.scored.precision());
        assert!(r.scored.recall() >= 0.95, "{}: recall {:.3}", r.name, r.scored.recall());
    }
}
