//! What the tests share: the window of a log one QR code carries.

use panicqr_qr::{Options, Version};
use panicqr_report::build::{self, Target};
use panicqr_report::{decode, digits};

/// The text one QR code of at most `version` carries for `log`, as
/// `panicqr encode` builds it by default (Debian's decoder page, mask 0,
/// `z=` digits), read back from the URL by the decoder.
pub fn window(log: &[u8], version: Version) -> String {
    let target = Target {
        max_version: version,
        mask: Options::kernel().mask,
        ..Target::new(
            b"https://kernel-team.pages.debian.net/panic_report/#",
            b"x86_64",
            b"6.19.11+kali-amd64",
        )
    };
    let mut ws = vec![0u8; build::workspace_len(version)];
    let mut out = vec![0u8; version.symbol_len()];
    let built = build::build(log, &target, &mut ws, &mut out).unwrap();
    let mut url = built.prefix.to_vec();
    let mut d = vec![0u8; digits::decimal_digits(built.payload.len())];
    let n = digits::encode_z(built.payload, &mut d);
    url.extend_from_slice(&d[..n]);
    let decoded = decode::decode(std::str::from_utf8(&url).unwrap()).unwrap();
    assert!(decoded.is_complete(), "{:?}", decoded.problems);
    assert_eq!(decoded.log, log[built.fitted.start..], "the newest lines");
    String::from_utf8(decoded.log).unwrap()
}
