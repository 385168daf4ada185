//! Grouping the crash corpus by signature, against syzkaller's own crash
//! titles (testdata/corpus/titles.tsv): pairwise precision and recall on
//! the whole logs and on the windows one QR code carries.
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
//! not one crash). The figures with those 12 kept in are printed too.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::HashMap;

mod common;

use common::window;
use panicqr_qr::Version;
use panicqr_signature::{analyse, Evidence, Kind, Signature};
use panicqr_testkit::{corpus, testdata};

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
        self.both as f64 / self.ours.max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.both as f64 / self.truth.max(1) as f64
    }
    fn show(&self) -> String {
        format!(
            "precision {:.3} ({}/{}), recall {:.3} ({}/{})",
            self.precision(),
            self.both,
            self.ours,
            self.recall(),
            self.both,
            self.truth
        )
    }
}

/// Pairwise agreement of our labels (`.0`) with the truth's (`.1`).
fn score(labels: &[(String, &str)]) -> Score {
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

/// A log's file name, syzkaller's title and our signature.
struct Analysed {
    file: String,
    truth: String,
    sig: Signature,
}

struct Measured {
    scored: Score,
    with_corrupted: Score,
    /// Grouping by the title and the top three frames instead.
    title_and_frames: Score,
    exact: usize,
    counted: usize,
}

fn measure(name: &str, logs: &[Analysed]) -> Measured {
    let counted: Vec<&Analysed> = logs.iter().filter(|l| !uninformative(&l.truth)).collect();
    let by = |f: &dyn Fn(&Analysed) -> String, set: &[&Analysed]| {
        score(
            &set.iter()
                .map(|l| (f(l), l.truth.as_str()))
                .collect::<Vec<_>>(),
        )
    };
    let signature = |l: &Analysed| l.sig.signature.clone();
    let with_frames = |l: &Analysed| {
        let top: Vec<&str> = l.sig.frames.iter().take(3).map(String::as_str).collect();
        format!("{}|{}", l.sig.title, top.join(","))
    };
    for (i, a) in counted.iter().enumerate() {
        for b in &counted[i + 1..] {
            let (ours, truth) = (a.sig.signature == b.sig.signature, a.truth == b.truth);
            if ours != truth {
                println!(
                    "{name}: {} {} {:?} / {} {:?} (syzkaller {:?} / {:?})",
                    if ours { "merged" } else { "split" },
                    a.file,
                    a.sig.title,
                    b.file,
                    b.sig.title,
                    a.truth,
                    b.truth
                );
            }
        }
    }
    let titled: Vec<&Analysed> = logs.iter().filter(|l| !l.truth.is_empty()).collect();
    Measured {
        scored: by(&signature, &counted),
        with_corrupted: by(&signature, &titled),
        title_and_frames: by(&with_frames, &counted),
        exact: counted.iter().filter(|l| l.sig.title == l.truth).count(),
        counted: counted.len(),
    }
}

fn analysed(version: Option<Version>) -> Vec<Analysed> {
    let truth = titles();
    let corpus = corpus();
    assert_eq!(corpus.len(), 240);
    assert_eq!(truth.len(), 240, "one title per log");
    corpus
        .iter()
        .map(|(file, data)| {
            let text = match version {
                Some(v) => window(data, v),
                None => String::from_utf8(data.clone()).unwrap(),
            };
            Analysed {
                file: file.clone(),
                truth: truth
                    .get(file)
                    .unwrap_or_else(|| panic!("no title: {file}"))
                    .clone(),
                sig: analyse(&text),
            }
        })
        .collect()
}

#[test]
fn grouping_matches_syzkaller_on_logs_and_qr_windows() {
    let full = analysed(None);
    let windows = analysed(Some(Version::MAX));
    let no_title = full.iter().filter(|l| l.truth.is_empty()).count();
    let corrupted = full.iter().filter(|l| uninformative(&l.truth)).count() - no_title;
    assert_eq!((no_title, corrupted), (3, 12));
    // syzkaller finds no crash in the untitled logs; neither do we.
    for l in full.iter().filter(|l| l.truth.is_empty()) {
        assert_eq!(l.sig.kind, Kind::NoCrash, "{}: {:?}", l.file, l.sig.title);
    }
    let cut = windows
        .iter()
        .zip(&full)
        .filter(|(w, f)| w.sig != f.sig)
        .count();
    let headerless = windows
        .iter()
        .filter(|w| w.sig.evidence == Evidence::Trace)
        .count();
    println!(
        "version 40 windows: {cut} analyse differently from their whole log, \
         {headerless} were titled from what was left of a cut-off report"
    );
    for (name, logs) in [("full", &full), ("window", &windows)] {
        let m = measure(name, logs);
        println!(
            "{name}: {} logs in pairs ({no_title} untitled and {corrupted} 'corrupted' left \
             out): {}; titles equal to syzkaller's: {}/{}",
            m.counted,
            m.scored.show(),
            m.exact,
            m.counted
        );
        println!(
            "{name}: with the 'corrupted' logs in: {}",
            m.with_corrupted.show()
        );
        println!(
            "{name}: grouped by title and top 3 frames instead: {}",
            m.title_and_frames.show()
        );
        assert!(m.scored.truth >= 45, "{name}: the corpus has duplicates");
        assert!(m.scored.precision() >= 0.95, "{name}: {}", m.scored.show());
        assert!(m.scored.recall() >= 0.95, "{name}: {}", m.scored.show());
        // The measured level (225 and 210), less a margin for rule changes.
        let exact_floor = if name == "full" { 220 } else { 200 };
        assert!(m.exact >= exact_floor, "{name}: {} exact titles", m.exact);
    }
}

/// Smaller codes cut more headers off: a check on data the window rules
/// were not developed on. Asserted at the measured level (version 30:
/// 0.90 / 0.76; version 25, one part of a multi-code report: 0.55 / 0.53).
#[test]
fn grouping_on_smaller_codes() {
    for (v, precision, recall) in [(30u8, 0.85, 0.70), (25, 0.50, 0.50)] {
        let logs = analysed(Some(Version::new(v).unwrap()));
        let m = measure("small", &logs);
        println!(
            "version {v} windows: {}; titles equal to syzkaller's: {}/{}",
            m.scored.show(),
            m.exact,
            m.counted
        );
        assert!(
            m.scored.precision() >= precision,
            "v{v}: {}",
            m.scored.show()
        );
        assert!(m.scored.recall() >= recall, "v{v}: {}", m.scored.show());
    }
}
