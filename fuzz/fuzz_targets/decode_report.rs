//! Property: any pasted text decodes to a result or an error, never a panic;
//! a complete result has a log and no problems.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(d) = panicqr_report::decode::decode(&text) {
        assert_eq!(d.is_complete(), d.problems.is_empty());
        assert!(!d.log.is_empty() || d.is_complete());
    }
    let mut out = vec![0u8; data.len()];
    let (n, _) = panicqr_report::digits::decode_zl(data, &mut out);
    assert!(n <= out.len() + 8);
});
