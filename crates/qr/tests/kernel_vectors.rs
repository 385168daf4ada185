//! Linux's drm_panic encoder outputs (testdata/vectors), reproduced bit for bit
//! with its settings: level L, mask 0, URL as a byte segment and the payload
//! as `z=` digits (or the raw payload as one byte segment).
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use panicqr_qr::{encode, Options, Segment, Version};
use panicqr_testkit::testdata;

struct Vector {
    name: String,
    url: Option<Vec<u8>>,
    data: Vec<u8>,
    version: u8,
    rows: Vec<String>,
}

fn parse_hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn vectors() -> Vec<Vector> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(testdata().join("vectors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let mut v = Vector {
            name: p.display().to_string(),
            url: None,
            data: vec![],
            version: 0,
            rows: vec![],
        };
        for line in text.lines() {
            if let Some(u) = line.strip_prefix("# url: ") {
                if !u.starts_with("(NULL") {
                    v.url = Some(u.as_bytes().to_vec());
                }
            } else if let Some(h) = line.strip_prefix("# data_hex: ") {
                v.data = parse_hex(h.trim());
            } else if let Some(rest) = line.strip_prefix("# version: ") {
                v.version = rest.split_whitespace().next().unwrap().parse().unwrap();
            } else if !line.starts_with('#') && !line.is_empty() {
                v.rows.push(line.to_string());
            }
        }
        out.push(v);
    }
    assert!(out.len() >= 3, "vectors missing");
    out
}

#[test]
fn reproduces_linux_encoder_outputs() {
    for v in vectors() {
        let segs: Vec<Segment<'_>> = match &v.url {
            Some(u) => vec![Segment::Bytes(u), Segment::DecimalBytes(&v.data)],
            None => vec![Segment::Bytes(&v.data)],
        };
        let opts = Options::kernel();
        let mut scratch = vec![0u8; Version::MAX.scratch_len(opts.mask)];
        let mut out = vec![0u8; Version::MAX.symbol_len()];
        let sym = encode(&segs, &opts, &mut scratch, &mut out).unwrap();
        assert_eq!(sym.version().number(), v.version, "{}", v.name);
        let rows: Vec<String> = sym
            .rows()
            .map(|r| r.iter().map(|d| if d { '1' } else { '0' }).collect())
            .collect();
        assert_eq!(rows, v.rows, "{}", v.name);
    }
}

#[test]
fn kernel_bitmap_layout_is_msb_first_light_set() {
    for v in vectors() {
        let segs: Vec<Segment<'_>> = match &v.url {
            Some(u) => vec![Segment::Bytes(u), Segment::DecimalBytes(&v.data)],
            None => vec![Segment::Bytes(&v.data)],
        };
        let opts = Options::kernel();
        let mut scratch = vec![0u8; Version::MAX.scratch_len(opts.mask)];
        let mut out = vec![0u8; Version::MAX.symbol_len()];
        let sym = encode(&segs, &opts, &mut scratch, &mut out).unwrap();
        let width = sym.width();
        let stride = width.div_ceil(8);
        let bitmap = sym.into_kernel_bitmap();
        assert_eq!(bitmap.len(), width * stride);
        for (y, row) in v.rows.iter().enumerate() {
            for (x, c) in row.bytes().enumerate() {
                let light = bitmap[y * stride + x / 8] & (0x80 >> (x % 8)) != 0;
                assert_eq!(light, c == b'0', "{} ({x},{y})", v.name);
            }
            // Bits past the width stay clear.
            for x in width..stride * 8 {
                assert_eq!(bitmap[y * stride + x / 8] & (0x80 >> (x % 8)), 0);
            }
        }
    }
}
