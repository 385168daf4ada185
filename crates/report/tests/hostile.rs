//! Hostile and damaged input (issue 13): a decompression bomb stops at a
//! named output cap, damage is never called truncation, and what is marked
//! trusted is always right.
#![cfg(feature = "alloc")]
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeMap;
use std::io::Write;

use panicqr_report::decode::{decode, Condition, Problem, MAX_LOG_BYTES};
use panicqr_testkit::z_digits;

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn issue_13_zlib_bomb_stops_at_the_output_limit() {
    // 32 MiB of zeros in 32 KB of zlib: 78 K digits.
    let z = zlib(&vec![0u8; 32 << 20]);
    let d = decode(&format!("https://x/#?a=x&v=1&z={}", z_digits(&z))).unwrap();
    assert_eq!(d.problems, vec![Problem::OutputLimit]);
    assert_eq!(d.condition, Condition::OutputLimit);
    assert_eq!(d.log.len(), MAX_LOG_BYTES);
    assert_eq!(d.trusted, MAX_LOG_BYTES);
    assert!(d.log.iter().all(|&b| b == 0));
    assert!(d.problems[0].to_string().contains("output limit reached"));
}

#[test]
fn the_output_limit_is_above_anything_a_qr_code_carries() {
    // The densest stream zlib makes, cut to the largest payload a version 40
    // symbol holds, still inflates completely.
    let z = zlib(&vec![b'A'; 3_000_000]);
    assert!(z.len() <= 2956, "{}", z.len());
    let d = decode(&z_digits(&z)).unwrap();
    assert_eq!((d.condition, d.log.len()), (Condition::Complete, 3_000_000));
    // One byte past the limit is cut; exactly the limit is not.
    let d = decode(&z_digits(&zlib(&vec![7u8; MAX_LOG_BYTES]))).unwrap();
    assert_eq!(d.condition, Condition::Complete);
    let d = decode(&z_digits(&zlib(&vec![7u8; MAX_LOG_BYTES + 1]))).unwrap();
    assert_eq!(d.condition, Condition::OutputLimit);
}

/// The fixed complete reports in `testdata/reports` (made once by this
/// crate's encoder, so that the counts below do not move with it), with
/// their logs.
fn fixed_reports() -> Vec<(String, Vec<u8>)> {
    // This crate's own path (testkit's is fixed where it was compiled).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/reports");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "url"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| {
            let url = std::fs::read_to_string(p).unwrap().trim().to_string();
            let d = decode(&url).unwrap();
            assert_eq!(d.condition, Condition::Complete);
            (url, d.log)
        })
        .collect()
}

/// Every single-digit change of a complete report: never called truncated
/// (the digit count is unchanged), complete only with the right log, and
/// the bytes marked trusted are always the report's.
#[test]
fn issue_13_single_digit_damage_is_never_called_truncated() {
    let mut total = BTreeMap::new();
    for (url, kept) in fixed_reports() {
        let start = url.find("z=").unwrap() + 2;
        for i in start..url.len() {
            for digit in b'0'..=b'9' {
                if url.as_bytes()[i] == digit {
                    continue;
                }
                let mut b = url.clone().into_bytes();
                b[i] = digit;
                let kind = match decode(std::str::from_utf8(&b).unwrap()) {
                    Ok(d) => {
                        let at = i - start;
                        assert!(
                            kept.starts_with(d.trusted_log()),
                            "digit {at}: {} trusted bytes are wrong: {:?}",
                            d.trusted,
                            d.problems
                        );
                        // Another match that copies the same bytes is
                        // harmless, and the checksum proves it.
                        if d.is_complete() {
                            assert_eq!(d.log, kept);
                        }
                        d.condition.name()
                    }
                    Err(_) => "unreadable",
                };
                *total.entry(kind).or_insert(0) += 1;
            }
        }
    }
    // 3 reports, 8,456 digits, 9 changes each. On the decoder before issue
    // 13, 23,082 of the 25,209 changes of the first report were called
    // "cut short (truncated data)".
    assert_eq!(total.values().sum::<usize>(), 9 * 8456);
    assert_eq!(total.get("truncated"), None, "{total:?}");
    assert_eq!(
        total,
        BTreeMap::from([
            // The other match copies the same bytes.
            ("complete", 1),
            ("damaged", 71_195),
            // The inflater never found the end (or the last group is out
            // of range): said to be cut or damaged, and not trusted.
            ("ends-early", 490),
            // Damage in the first groups, before any log.
            ("unreadable", 4418),
        ])
    );
}

#[test]
fn cuts_are_damaged_only_when_they_read_as_a_finished_stream() {
    let mut seen = BTreeMap::new();
    for (url, kept) in fixed_reports() {
        let start = url.find("z=").unwrap() + 2;
        for cut in start + 1..url.len() {
            let kind = match decode(&url[..cut]) {
                Ok(d) => {
                    assert!(kept.starts_with(d.trusted_log()), "cut {cut}");
                    if d.condition != Condition::Damaged {
                        assert!(kept.starts_with(&d.log), "cut {cut}: {:?}", d.problems);
                    }
                    d.condition.name()
                }
                Err(_) => "unreadable",
            };
            *seen.entry(kind).or_insert(0) += 1;
        }
    }
    assert_eq!(
        seen,
        BTreeMap::from([
            // The misread last group ends the stream with a wrong checksum,
            // exactly as damage would; nothing is trusted.
            ("damaged", 2),
            // Cut at a possible digit count: cut or damaged.
            ("ends-early", 3276),
            // Cut at an impossible digit count (10 of 17 lengths).
            ("truncated", 4685),
            // Cut inside the first groups.
            ("unreadable", 490),
        ])
    );
}
