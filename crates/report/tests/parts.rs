//! A report split over several codes (docs/format.md §9): every part is a
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

/// The URLs of every part of `log` at `version`.
fn part_urls(log: &[u8], version: u8) -> Vec<String> {
    let target = Target {
        max_version: Version::new(version).unwrap(),
        ..Target::new(BASE, b"x86_64", b"6.1")
    };
    let v = target.max_version;
    let mut ws = vec![0u8; parts::workspace_len(v, parts::MAX_PARTS)];
    let mut out = vec![0u8; v.symbol_len()];
    let s = split(log, &target, parts::MAX_PARTS, &mut ws).unwrap();
    (1..=s.count())
        .map(|i| {
            let b = build_part(&target, &s, i, &mut ws, &mut out).unwrap();
            format!(
                "{}{}",
                std::str::from_utf8(b.prefix).unwrap(),
                z_digits(b.payload)
            )
        })
        .collect()
}

#[test]
fn merging_orders_parts_names_the_missing_and_never_mixes_two_crashes() {
    use panicqr_report::decode::{decode, merge};
    let w = windows();
    let (a, b) = (&w[10], &w[50]);
    let (ua, ub) = (part_urls(a, 12), part_urls(b, 12));
    assert!(ua.len() >= 3 && ub.len() >= 3);
    // Every part of both crashes, interleaved and reversed, plus a duplicate.
    let mut scanned: Vec<&String> = ua.iter().rev().chain(ub.iter()).collect();
    scanned.push(&ua[0]);
    let decoded = scanned.iter().map(|u| decode(u).unwrap()).collect();
    let merged = merge(decoded);
    assert_eq!(merged.len(), 2, "two crashes, two reports");
    for (m, log) in merged.iter().zip([a, b]) {
        assert!(m.is_complete(), "{:?} {:?}", m.missing(), m.conflicts);
        let whole: Vec<u8> = m.pieces().flat_map(|(_, l)| l.to_vec()).collect();
        assert!(
            whole.len() > 4096 && log.ends_with(&whole),
            "the newest bytes, in order"
        );
    }
    // Part 2 of crash a missing: named, and the rest still in order.
    let without: Vec<_> = ua
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, u)| decode(u).unwrap())
        .collect();
    let m = &merge(without)[0];
    assert_eq!(m.missing(), vec![2]);
    assert!(!m.is_complete());
    assert_eq!(m.id_matches(), None);
    let order: Vec<usize> = m.pieces().map(|(i, _)| i).collect();
    assert_eq!(
        order,
        (1..=ua.len()).rev().filter(|&i| i != 2).collect::<Vec<_>>()
    );
    // A part of crash b relabelled with crash a's id is caught by the hash.
    let (_, n, ra) = tag(&ua[0]);
    let forged = ub[0]
        .replacen(&format!("&p=1/{}", ub.len()), &format!("&p=1/{n}"), 1)
        .replacen(&tag(&ub[0]).2, &ra, 1);
    let mut decoded: Vec<_> = ua.iter().skip(1).map(|u| decode(u).unwrap()).collect();
    decoded.insert(0, decode(&forged).unwrap());
    let m = &merge(decoded)[0];
    assert!(m.missing().is_empty());
    assert_eq!(
        m.id_matches(),
        Some(false),
        "the log does not hash to the id"
    );
    assert!(!m.is_complete());
}

/// A decoder written from docs/format.md §1, §2 and §9 alone, in Python
/// (not ours): each part's URL, read by itself, gives the part's log.
#[test]
fn each_part_decodes_alone_with_a_decoder_written_from_the_format() {
    let w = windows();
    let log = &w[77];
    let urls = part_urls(log, 12);
    assert!(urls.len() >= 3);
    let dir = std::env::temp_dir().join(format!("panicqr-parts-py-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("urls.txt"), urls.join("\n")).unwrap();
    let script = r##"
import sys, zlib
W = {0: 0, 3: 1, 5: 2, 8: 3, 10: 4, 13: 5, 15: 6}
out = []
for url in open(sys.argv[1]).read().split("\n"):
    frag = url.split("#", 1)[1].lstrip("?")
    params = dict(p.split("=", 1) for p in frag.split("&") if "=" in p)
    d = params["z"]
    data = bytearray()
    for i in range(0, len(d) - len(d) % 17, 17):
        data += int(d[i:i + 17]).to_bytes(7, "little")
    tail = d[len(d) - len(d) % 17:]
    if tail:
        data += int(tail).to_bytes(W[len(tail)], "little")
    i, n = params["p"].split("/")
    sys.stdout.buffer.write(b"%s %s %s %d\n" % (i.encode(), n.encode(), params["r"].encode(), len(zlib.decompress(bytes(data)))))
    open(sys.argv[1] + "." + i, "wb").write(zlib.decompress(bytes(data)))
"##;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(dir.join("urls.txt"))
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), urls.len());
    let mut merged = Vec::new();
    for i in (1..=urls.len()).rev() {
        merged.extend(std::fs::read(dir.join(format!("urls.txt.{i}"))).unwrap());
    }
    assert!(
        merged.len() > 4096 && log.ends_with(&merged),
        "parts oldest first are the newest bytes"
    );
    std::fs::remove_dir_all(&dir).ok();
}
