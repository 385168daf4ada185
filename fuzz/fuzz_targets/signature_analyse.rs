//! Property: any text a report can carry (the intake analyses what strangers
//! submit) gives a signature, never a panic: a one-line title without
//! control characters, the id of that title, at most MAX_FRAMES frames, and
//! the same answer twice. libFuzzer's timeout catches super-linear inputs.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panicqr_signature::{analyse, signature_of, MAX_FRAMES};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let sig = analyse(&text);
    assert!(!sig.title.is_empty());
    assert!(!sig.title.chars().any(char::is_control), "{:?}", sig.title);
    assert_eq!(sig.signature, signature_of(&sig.title));
    assert!(sig.frames.len() <= MAX_FRAMES);
    assert_eq!(analyse(&text), sig);
});
