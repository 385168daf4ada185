//! `panicqr decode` on hostile input (issue 13): a decompression bomb ends
//! at the output limit with exit 3, and a damaged report says so.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

mod common;

use common::panicqr;
use panicqr_report::decode::MAX_LOG_BYTES;

/// A zlib stream of `1 + 258 * reps` zero bytes in one fixed-Huffman block
/// (RFC 1951 §3.2.6): a literal 0, then length 258 at distance 1 again and
/// again, 13 bits each.
fn zlib_bomb(reps: usize) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let (mut acc, mut n) = (0u32, 0);
    let mut put = |v: u32, bits: u32, msb_first: bool, out: &mut Vec<u8>| {
        for i in 0..bits {
            let bit = if msb_first {
                v >> (bits - 1 - i)
            } else {
                v >> i
            } & 1;
            acc |= bit << n;
            n += 1;
            if n == 8 {
                out.push(acc as u8);
                (acc, n) = (0, 0);
            }
        }
    };
    put(1, 1, false, &mut out); // BFINAL
    put(1, 2, false, &mut out); // BTYPE = fixed
    put(0x30, 8, true, &mut out); // literal 0
    for _ in 0..reps {
        put(0xC5, 8, true, &mut out); // length code 285: 258
        put(0, 5, true, &mut out); // distance code 0: 1
    }
    put(0, 7, true, &mut out); // end of block
    put(0, 7, false, &mut out); // to a byte boundary (at most 7 bits)
    let len = 1 + 258 * reps as u64;
    let adler = ((len % 65521) << 16) | 1;
    out.extend_from_slice(&(adler as u32).to_be_bytes());
    out
}

#[test]
fn issue_13_decode_bomb_ends_at_the_output_limit_with_exit_3() {
    // 5 MiB of zeros in 33 KB: over the limit.
    let z = zlib_bomb((5 << 20) / 258);
    let url = format!(
        "https://x/#?a=x86_64&v=1&z={}",
        panicqr_testkit::z_digits(&z)
    );
    let out = panicqr(&["decode", "-"], url.as_bytes());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("output limit reached"), "{err}");
    assert!(err.contains("too large: not a kernel report"), "{err}");
    assert_eq!(out.stdout.len(), MAX_LOG_BYTES);
    assert!(out.stdout.iter().all(|&b| b == 0));
    let json = panicqr(&["decode", "--json", "-"], url.as_bytes());
    assert_eq!(json.status.code(), Some(3));
    let text = String::from_utf8(json.stdout).unwrap();
    assert!(
        text.contains("\"condition\":\"output-limit\""),
        "{}",
        &text[..200]
    );
    // Each NUL is escaped in 6 bytes: bounded by the limit, not the bomb.
    assert!(text.len() < 6 * MAX_LOG_BYTES + 4096, "{}", text.len());
}

#[test]
fn issue_13_a_mistyped_digit_is_damage_not_truncation() {
    // This crate's own path: testkit's is fixed when it is compiled, and a
    // shared target directory may hold a copy built from another checkout.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/reports/syzkaller-0146.url");
    let url = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let full = panicqr(&["decode", url.trim()], b"");
    assert_eq!(full.status.code(), Some(0));
    // Digit 1000 of the z= digits, 5 → 6: the inflater resynchronises and
    // only the checksum notices.
    let at = url.find("z=").unwrap() + 2 + 1000;
    let mut bad = url.trim().to_string();
    let d = bad.as_bytes()[at];
    bad.replace_range(at..at + 1, &((d - b'0' + 1) % 10).to_string());
    let out = panicqr(&["decode", &bad], b"");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        !err.contains("truncated") && !err.contains("cut short"),
        "{err}"
    );
    assert!(err.contains("checksum mismatch (data damaged"), "{err}");
    assert!(
        err.contains("panicqr: damaged; only the first 0 of"),
        "{err}"
    );
    let json = panicqr(&["decode", "--json", &bad], b"");
    let text = String::from_utf8(json.stdout).unwrap();
    assert!(
        text.contains("\"condition\":\"damaged\",\"trusted_bytes\":0,"),
        "{}",
        &text[..200]
    );
}
