//! Property: our zlib stream of any input (up to the largest accepted, so the
//! window wraps) inflates (miniz_oxide) to the input at both efforts,
//! `compressed_len` is exact, best effort is never larger than fast, and the
//! work stays within the budget plus the linear spent-budget cost.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panicqr_report::deflate::{compress, compressed_len, Effort, MAX_INPUT, WORKSPACE_LEN};

fuzz_target!(|data: &[u8]| {
    // Small fuzz inputs stand for long ones too: repeat them to a length
    // the first two bytes choose, up to the limit.
    let owned: Vec<u8> = match data {
        [a, b, rest @ ..] => {
            let want = (usize::from(*a) << 8 | usize::from(*b)).min(MAX_INPUT);
            if rest.is_empty() || want <= rest.len() {
                rest.to_vec()
            } else {
                rest.iter().copied().cycle().take(want).collect()
            }
        }
        _ => data.to_vec(),
    };
    let data = &owned[..];
    let mut ws = vec![0u8; WORKSPACE_LEN];
    let sized = compressed_len(data, &mut ws).unwrap();
    assert!(
        sized.work <= panicqr_report::fit::work_bound(data.len()),
        "work {}",
        sized.work
    );
    let mut out = vec![0u8; sized.bytes + 16];
    let n = compress(data, Effort::Best, &mut ws, &mut out).unwrap();
    assert_eq!(n, sized.bytes);
    let back = miniz_oxide::inflate::decompress_to_vec_zlib(&out[..n]).unwrap();
    assert_eq!(back, data);
    let mut fast = vec![0u8; data.len() + data.len() / 8 + 64];
    let f = compress(data, Effort::Fast, &mut ws, &mut fast).unwrap();
    assert!(n <= f);
    let back = miniz_oxide::inflate::decompress_to_vec_zlib(&fast[..f]).unwrap();
    assert_eq!(back, data);
});
