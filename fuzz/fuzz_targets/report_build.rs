//! Property of the whole panic path (`report::build`) on any log: the QR
//! text decodes back to a suffix of the log (whole lines, or a cut newest
//! line at a character boundary), never empty when there was text; the
//! work counter stays within `fit::work_bound` (work, not wall time); the
//! symbol is no larger than the version asked for.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panicqr_qr::{MaskChoice, Version};
use panicqr_report::build::{build, workspace_len, Target};
use panicqr_report::{decode, digits, fit, url::Packing};

fuzz_target!(|data: &[u8]| {
    let [v, a, b, rest @ ..] = data else { return };
    let max_version = Version::new(20 + v % 21).unwrap_or(Version::MAX);
    // Small fuzz inputs stand for long logs too: repeat them to a length
    // the next two bytes choose (up to 80 KiB, past the 64 KiB window).
    let want = (usize::from(*a) << 9 | usize::from(*b) << 1).min(80 * 1024);
    let log: Vec<u8> = if rest.is_empty() || want <= rest.len() {
        rest.to_vec()
    } else {
        rest.iter().copied().cycle().take(want).collect()
    };
    let packing = if v & 0x80 != 0 {
        Packing::Legacy
    } else {
        Packing::Z
    };
    let target = Target {
        max_version,
        mask: MaskChoice::Auto,
        packing,
        ..Target::new(b"https://e.org/panic#", b"x86_64", b"7.3+x")
    };
    let mut ws = vec![0u8; workspace_len(max_version)];
    let mut out = vec![0u8; max_version.symbol_len()];
    let built = build(&log, &target, &mut ws, &mut out).expect("a log always builds");
    let f = built.fitted;
    assert!(built.symbol.version() <= max_version);
    assert!(f.work <= fit::work_bound(log.len()), "work {}", f.work);
    assert_eq!(f.kept, log.len() - f.start);
    if !log.is_empty() {
        assert!(f.kept > 0, "empty report from a log with text");
    }
    if f.cut {
        assert!(!log[f.start..log.len() - 1].contains(&b'\n'));
        let inside = log[f.start] & 0xC0 == 0x80
            && log[f.start.saturating_sub(3)..f.start]
                .iter()
                .any(|&c| c >= 0xC0);
        assert!(!inside, "cut inside a UTF-8 character");
    } else {
        assert!(f.start == 0 || log[f.start - 1] == b'\n');
    }
    let mut text = String::from_utf8(built.prefix.to_vec()).unwrap();
    match packing {
        Packing::Z => {
            let mut d = vec![0u8; digits::decimal_digits(built.payload.len())];
            let n = digits::encode_z(built.payload, &mut d);
            text.push_str(std::str::from_utf8(&d[..n]).unwrap());
        }
        Packing::Legacy => {
            text.push_str(std::str::from_utf8(&digits::encode_zl(built.payload)).unwrap())
        }
    }
    let d = decode::decode(&text).expect("our own report decodes");
    assert!(d.is_complete(), "{:?}", d.problems);
    assert_eq!(d.log, &log[f.start..]);
});
