//! A report split over several codes (docs/format.md §8): every part is a
//! standalone report that inflates with an independent inflater, read back
//! from its QR code by a decoder we did not write, and the parts' logs,
//! oldest first, are the window byte for byte.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::io::Read;

use panicqr_qr::Version;
use panicqr_report::build::Target;
use panicqr_report::parts::{self, build_part, split};
use panicqr_testkit::{corpus, decode_rqrr, z_digits, Grid};

const BASE: &[u8] = b"https://kernel-team.pages.debian.net/panic_report/#";

/// report-bench's windows: three consecutive corpus logs, the last 16 KiB
/// from a line start.
fn windows() -> Vec<Vec<u8>> {
    let logs = corpus();
    (2..logs.len())
        .map(|i| {
            let all: Vec<u8> = logs[i - 2..=i]
                .iter()
                .flat_map(|(_, d)| d.clone())
                .collect();
            let from = all.len().saturating_sub(16 * 1024);
            let from = if from == 0 {
                0
            } else {
                all[from..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(all.len(), |p| from + p + 1)
            };
            all[from..].to_vec()
        })
        .collect()
}

fn inflate(stream: &[u8]) -> Vec<u8> {
    let mut back = Vec::new();
    flate2::read::ZlibDecoder::new(stream)
        .read_to_end(&mut back)
        .unwrap();
    back
}

/// The part tag in a URL: (index, count, id).
fn tag(url: &str) -> (usize, usize, String) {
    let p = url.split("&p=").nth(1).unwrap().split('&').next().unwrap();
    let (i, n) = p.split_once('/').unwrap();
    let r = url.split("&r=").nth(1).unwrap().split('&').next().unwrap();
    (i.parse().unwrap(), n.parse().unwrap(), r.to_string())
}

#[test]
fn parts_carry_the_whole_window_in_order_and_each_stands_alone() {
    let target = Target {
        max_version: Version::new(25).unwrap(),
        ..Target::new(BASE, b"x86_64", b"6.19.11+kali-amd64")
    };
    let v = target.max_version;
    let mut ws = vec![0u8; parts::workspace_len(v, parts::MAX_PARTS)];
    let mut out = vec![0u8; v.symbol_len()];
    let (mut windows_checked, mut parts_checked, mut read_by_rqrr) = (0, 0, 0);
    let mut ids = std::collections::HashSet::new();
    for (w, log) in windows().iter().enumerate().step_by(6) {
        let s = split(log, &target, parts::MAX_PARTS, &mut ws).unwrap();
        assert!(s.work() <= parts::work_bound(log.len(), parts::MAX_PARTS));
        assert_eq!(
            s.window_start(),
            0,
            "window {w}: 16 KiB fits 16 version-25 codes"
        );
        assert!(
            s.count() >= 2,
            "window {w}: 16 KiB needs more than one version-25 code"
        );
        let mut merged: Vec<Vec<u8>> = Vec::new();
        let mut id = None;
        for index in 1..=s.count() {
            let part = build_part(&target, &s, index, &mut ws, &mut out).unwrap();
            let url = format!(
                "{}{}",
                std::str::from_utf8(part.prefix).unwrap(),
                z_digits(part.payload)
            );
            let (i, n, r) = tag(&url);
            assert_eq!((i, n), (index, s.count()), "{url}");
            assert_eq!(r, format!("{:08x}", s.id()));
            assert_eq!(*id.get_or_insert(r.clone()), r, "one id for all parts");
            let text = inflate(part.payload);
            let range = s.range(index).unwrap();
            assert_eq!(text, &log[range.clone()], "window {w} part {index}");
            if !s.cut(index) {
                assert!(
                    range.start == 0 || log[range.start - 1] == b'\n',
                    "whole lines"
                );
            }
            // Every few parts, the code itself, read by rqrr.
            if (w + index) % 5 == 0 {
                let sym = &part.symbol;
                let img = Grid::from_fn(sym.width(), |x, y| sym.is_dark(x, y)).to_image(3, 4);
                assert_eq!(
                    decode_rqrr(&img),
                    vec![url.clone().into_bytes()],
                    "window {w} part {index}"
                );
                read_by_rqrr += 1;
            }
            merged.push(text);
            parts_checked += 1;
        }
        // Oldest first: the window, byte for byte.
        let whole: Vec<u8> = merged.iter().rev().flatten().copied().collect();
        assert_eq!(whole, *log, "window {w}: merged parts");
        ids.insert(id.unwrap());
        windows_checked += 1;
    }
    assert_eq!(windows_checked, 40);
    assert!(parts_checked >= 80, "{parts_checked} parts");
    assert!(read_by_rqrr >= 10, "{read_by_rqrr} codes read");
    assert_eq!(
        ids.len(),
        windows_checked,
        "different windows, different ids"
    );
}

#[test]
fn few_parts_keep_the_newest_lines_and_an_empty_log_is_one_empty_part() {
    let target = Target {
        max_version: Version::new(10).unwrap(),
        ..Target::new(BASE, b"x86_64", b"6.1")
    };
    let v = target.max_version;
    let mut ws = vec![0u8; parts::workspace_len(v, 3)];
    let log = &windows()[0];
    let s = split(log, &target, 3, &mut ws).unwrap();
    assert_eq!(s.count(), 3);
    assert!(
        s.window_start() > 0,
        "three version-10 codes do not hold 16 KiB"
    );
    assert_eq!(
        s.range(1).unwrap().end,
        log.len(),
        "part 1 ends with the newest line"
    );
    assert_eq!(s.range(4), None);
    // An empty log: one part, an empty stream that inflates to nothing.
    let s = split(b"", &target, 3, &mut ws).unwrap();
    assert_eq!(s.count(), 1);
    let mut out = vec![0u8; v.symbol_len()];
    let part = build_part(&target, &s, 1, &mut ws, &mut out).unwrap();
    assert!(inflate(part.payload).is_empty());
    // A workspace sized for fewer parts is refused, not overrun.
    let mut small = vec![0u8; parts::workspace_len(v, 2)];
    assert!(split(log, &target, 3, &mut small).is_err());
}
