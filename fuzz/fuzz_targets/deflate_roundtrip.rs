//! Property: our zlib stream of any input inflates (miniz_oxide) to the
//! input, and `compressed_len` is exact.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panicqr_report::deflate::{compress, compressed_len, WORKSPACE_LEN};

fuzz_target!(|data: &[u8]| {
    let mut ws = vec![0u8; WORKSPACE_LEN];
    let len = compressed_len(data, &mut ws).unwrap();
    let mut out = vec![0u8; len + 16];
    let n = compress(data, &mut ws, &mut out).unwrap();
    assert_eq!(n, len);
    let back = miniz_oxide::inflate::decompress_to_vec_zlib(&out[..n]).unwrap();
    assert_eq!(back, data);
});
