//! Property: `z=` digits of any bytes decode back to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panicqr_report::digits::{decimal_digits, decode_z, encode_z};

fuzz_target!(|data: &[u8]| {
    let mut digits = vec![0u8; decimal_digits(data.len())];
    let n = encode_z(data, &mut digits);
    assert_eq!(n, digits.len());
    let mut back = vec![0u8; data.len() + 8];
    assert_eq!(decode_z(&digits, &mut back), (data.len(), None));
    assert_eq!(&back[..data.len()], data);
});
