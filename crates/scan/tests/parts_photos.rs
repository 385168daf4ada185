//! Photos of a whole multi-code panic screen (issue 12): every code of every
//! mild and medium photo is read, right (each part's log is exactly its
//! bytes of the log, never a mix), and the merged log is the part of the log
//! the screen carried; and two hard photos only the second stage of
//! `scan_all` (codes cut out and read alone) reads whole.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::time::Instant;

use panicqr_testkit::photos::{degrade, parts_photo_set, screen_shot, Class, Photo, Screen, Step};

fn log() -> Vec<u8> {
    let corpus = panicqr_testkit::corpus();
    corpus
        .iter()
        .skip(20)
        .take(3)
        .flat_map(|(_, d)| d.clone())
        .collect()
}

/// What reading a photo gave.
struct Checked {
    /// What is wrong with it, if anything.
    wrong: Vec<String>,
    /// Codes on the screen.
    codes: usize,
    /// Codes read.
    read: usize,
    /// Codes read only once cut out of the photo.
    cut_out: usize,
}

/// Reads `p` with `scan_all` trying every form (never enough).
fn check(p: &Photo) -> Checked {
    let img = image::DynamicImage::ImageLuma8(p.image.clone());
    let found = panicqr_scan::scan_all(&img, |_| false).unwrap_or_default();
    let mut wrong = Vec::new();
    let decoded: Vec<_> = found
        .iter()
        .filter_map(|f| {
            let d = std::str::from_utf8(&f.text)
                .ok()
                .and_then(|t| panicqr_report::decode::decode(t).ok());
            if d.is_none() {
                wrong.push(format!("{}: a code read is no report", p.name));
            }
            d
        })
        .collect();
    let merged = panicqr_report::decode::merge(decoded);
    let cut_out = found.iter().filter(|f| f.attempt == "cut out").count();
    let Some(m) = merged.first() else {
        wrong.push(format!("{}: no part read", p.name));
        return Checked {
            wrong,
            codes: 0,
            read: 0,
            cut_out,
        };
    };
    if merged.len() != 1 {
        wrong.push(format!("{}: {} reports", p.name, merged.len()));
    }
    if !m.conflicts.is_empty() {
        wrong.push(format!(
            "{}: parts {:?} read twice, differently",
            p.name, m.conflicts
        ));
    }
    // Every part read is a piece of the log, at its place.
    let mut end = p.log.len();
    for (i, piece) in m.parts.iter().enumerate() {
        let Some(d) = piece else { break };
        if !d.is_complete() || !p.log[..end].ends_with(&d.log) {
            wrong.push(format!("{}: part {} is not its bytes", p.name, i + 1));
            break;
        }
        end -= d.log.len();
    }
    let read = m.count - m.missing().len();
    if read != m.count {
        wrong.push(format!("{}: parts {:?} not read", p.name, m.missing()));
    } else {
        let whole: Vec<u8> = m.pieces().flat_map(|(_, l)| l.to_vec()).collect();
        if whole != p.log || !m.is_complete() {
            wrong.push(format!("{}: the merged log is not the screen's", p.name));
        }
    }
    if found.len() != read {
        wrong.push(format!(
            "{}: {} codes read for {read} parts",
            p.name,
            found.len()
        ));
    }
    Checked {
        wrong,
        codes: m.count,
        read,
        cut_out,
    }
}

#[test]
fn every_code_of_mild_and_medium_multi_code_photos_is_read_right() {
    let log = log();
    let mut photos = parts_photo_set(&log, (1366, 768), &[Class::Mild, Class::Medium]);
    photos.extend(parts_photo_set(
        &log,
        (1920, 1080),
        &[Class::Mild, Class::Medium],
    ));
    let n = photos.len();
    assert_eq!(n, 32, "{n} photos");
    let start = Instant::now();
    let results: Vec<Checked> = std::thread::scope(|s| {
        let handles: Vec<_> = photos
            .chunks(n.div_ceil(2))
            .map(|part| s.spawn(move || part.iter().map(check).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let codes: usize = results.iter().map(|r| r.codes).sum();
    let read: usize = results.iter().map(|r| r.read).sum();
    let wrong: Vec<&String> = results.iter().flat_map(|r| &r.wrong).collect();
    eprintln!(
        "multi-code photos: {read} of {codes} codes read, {} of {n} photos right and whole, {:.2} s a photo on 2 threads",
        n - results.iter().filter(|r| !r.wrong.is_empty()).count(),
        start.elapsed().as_secs_f64() / n as f64
    );
    // 6 codes a photo at 1366x768, 15 at 1920x1080.
    assert_eq!(codes, 16 * 6 + 16 * 15, "codes on the screens");
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(read, codes);
}

#[test]
fn codes_the_whole_image_hides_are_cut_out_and_read() {
    // A screen photographed from afar (1.2 px a module) and out of focus
    // (a blur of 2/3 of a module): the multi-code reader reads some or none
    // of the codes in the whole image; cut out where finder patterns or the
    // grid of the codes read place them, every one is read.
    let log = log();
    let shot = screen_shot(&log[log.len() - (16 << 10)..], (1920, 1080), Screen::Parts);
    assert_eq!(shot.codes, 11);
    for steps in [vec![Step::Scale(0.4)], vec![Step::Blur(2.0)]] {
        let p = Photo {
            name: format!("{steps:?}"),
            class: Class::Hard,
            image: degrade(&shot.image, &steps, 7),
            log: shot.log.clone(),
        };
        let c = check(&p);
        assert!(c.wrong.is_empty(), "{:#?}", c.wrong);
        assert_eq!((c.codes, c.read), (11, 11), "{}", p.name);
        assert!(c.cut_out > 0, "{}: all read in the whole image", p.name);
        eprintln!("{}: {} of 11 codes read cut out", p.name, c.cut_out);
    }
}
