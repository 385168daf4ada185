//! The decoder on damaged input: every cut point and random corruption give
//! a prefix of the log or a precise error, never a panic; legacy `zl=` codes
//! made by the QR encoder and read back by an independent QR decoder decode.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use panicqr_qr::{encode, MaskChoice, Options, Segment, Version};
use panicqr_report::decode::{decode, Condition, DecodeError, Packing, Problem};
use panicqr_report::digits::{decode_zl, encode_z, DigitError};
use panicqr_report::{deflate, fit, url};
use panicqr_testkit::{corpus, decode_rqrr, Grid, Rng};

fn report(log: &[u8]) -> (String, Vec<u8>) {
    let mut ws = vec![0u8; deflate::WORKSPACE_LEN];
    let mut prefix = [0u8; 128];
    let plen = url::write_prefix(
        b"https://example.org/#",
        b"aarch64",
        b"6.12.0+rc1",
        url::Packing::Z,
        &mut prefix,
    )
    .unwrap();
    let cap = fit::capacity(plen, Version::MAX, url::Packing::Z).unwrap();
    let mut z = vec![0u8; cap];
    let f = fit::fit(log, cap, &mut ws, &mut z).unwrap();
    let mut d = vec![0u8; f.compressed * 3];
    let n = encode_z(&z[..f.compressed], &mut d);
    let url = format!(
        "{}{}",
        std::str::from_utf8(&prefix[..plen]).unwrap(),
        std::str::from_utf8(&d[..n]).unwrap()
    );
    (url, log[f.start..].to_vec())
}

#[test]
fn every_cut_point_gives_a_prefix_or_an_error() {
    let (_, log) = &corpus()[17];
    let (url, kept) = report(log);
    let full = decode(&url).unwrap();
    assert!(full.is_complete());
    assert_eq!(full.log, kept);
    let start = url.find("z=").unwrap() + 2;
    let mut partial = 0;
    for cut in start..url.len() {
        match decode(&url[..cut]) {
            Ok(d) => {
                // A misread last group can end the stream with a wrong
                // checksum, like damage: then nothing is trusted.
                assert!(kept.starts_with(d.trusted_log()), "cut {cut}");
                if d.condition != Condition::Damaged {
                    assert!(kept.starts_with(&d.log), "cut {cut}: not a prefix");
                }
                assert!(
                    !d.is_complete(),
                    "cut {cut}: a cut report cannot be complete"
                );
                partial += 1;
            }
            Err(e) => assert!(
                matches!(e, DecodeError::NoData | DecodeError::Unreadable(_)),
                "cut {cut}: {e}"
            ),
        }
    }
    // Past the first few hundred digits, cuts recover something.
    assert!(partial > (url.len() - start) / 2, "{partial}");
}

#[test]
fn random_corruption_never_panics_and_never_claims_completeness_wrongly() {
    let (_, log) = &corpus()[42];
    let (url, kept) = report(log);
    let start = url.find("z=").unwrap() + 2;
    let mut rng = Rng::new(5);
    for _ in 0..500 {
        let mut bytes = url.clone().into_bytes();
        for _ in 0..1 + rng.below(3) {
            let i = start + rng.below(bytes.len() - start);
            bytes[i] = match rng.below(4) {
                0 => b'0' + rng.below(10) as u8,
                1 => b'x',
                2 => b' ',
                _ => b'%',
            };
        }
        let text = String::from_utf8(bytes).unwrap();
        if let Ok(d) = decode(&text) {
            if d.is_complete() {
                // Only a change the data tolerates (e.g. a space) may decode completely.
                assert_eq!(d.log, kept);
            }
        }
    }
}

#[test]
fn pasted_forms_decode() {
    let (_, log) = &corpus()[3];
    let (url, kept) = report(log);
    let frag = &url[url.find('#').unwrap()..];
    let query = &url[url.find('?').unwrap() + 1..];
    let digits = &url[url.find("z=").unwrap() + 2..];
    let wrapped: String = digits
        .chars()
        .enumerate()
        .flat_map(|(i, c)| [Some(c), (i % 50 == 49).then_some('\n')])
        .flatten()
        .collect();
    for form in [url.as_str(), frag, query, digits, &wrapped] {
        let d = decode(form).unwrap();
        assert_eq!(d.log, kept, "{}", &form[..30.min(form.len())]);
    }
    let d = decode(&url).unwrap();
    assert_eq!(
        (d.arch.as_deref(), d.release.as_deref()),
        (Some("aarch64"), Some("6.12.0+rc1"))
    );
    assert_eq!(d.packing, Packing::Z);
}

#[test]
fn precise_problems() {
    let (_, log) = &corpus()[9];
    let (url, _) = report(log);
    // Cut to a tail length no packing makes.
    let z = url.find("z=").unwrap() + 2;
    let cut = &url[..z + 17 * 40 + 2];
    let d = decode(cut).unwrap();
    assert_eq!(
        d.problems,
        vec![Problem::Digits(DigitError::BadTailLength { tail: 2 })]
    );
    // A letter inside the digits.
    let mut bad = url.clone();
    bad.replace_range(z + 500..z + 501, "q");
    let d = decode(&bad).unwrap();
    assert_eq!(
        d.problems,
        vec![Problem::Digits(DigitError::NotADigit { position: 500 })]
    );
    assert!(!d.log.is_empty());
}

#[test]
fn legacy_zl_codes_read_back_through_an_independent_qr_decoder() {
    let mut rng = Rng::new(3);
    let (mut exact, mut lost_tail) = (0, 0);
    for n in 1..80usize {
        let data = rng.bytes(n);
        let url = b"https://example.org/#?a=x86_64&v=6.12&zl=";
        let opts = Options::kernel();
        let mut scratch = vec![0u8; Version::MAX.scratch_len(MaskChoice::Auto)];
        let mut out = vec![0u8; Version::MAX.symbol_len()];
        let sym = encode(
            &[Segment::Bytes(url), Segment::DecimalBytesLegacy(&data)],
            &opts,
            &mut scratch,
            &mut out,
        )
        .unwrap();
        let grid = Grid::from_fn(sym.width(), |x, y| sym.is_dark(x, y));
        let texts = decode_rqrr(&grid.to_image(3, 4));
        // Tails whose value exceeds their digit count were unreadable on
        // Linux 6.12–6.14 too.
        let tail_bits = n * 8 % 13;
        let tail_val = if tail_bits == 0 {
            0
        } else {
            u32::from(data[n - 1]) & ((1 << tail_bits.min(8)) - 1)
        };
        let digits = match tail_bits {
            0 => 0,
            1 => 1,
            k => (k + 1) / 3,
        };
        let representable =
            tail_bits == 0 || (tail_bits > 8) || tail_val < 10u32.pow(digits as u32);
        assert_eq!(texts.len(), 1, "n={n}: rqrr did not read the code");
        let text = String::from_utf8(texts[0].clone()).unwrap();
        let zl = &text[text.find("zl=").unwrap() + 3..];
        let mut back = vec![0u8; n + 8];
        let (m, err) = decode_zl(zl.as_bytes(), &mut back);
        assert_eq!((m, err), (n, None), "n={n}");
        if representable {
            assert_eq!(&back[..n], &data[..], "n={n}");
            exact += 1;
        } else {
            // The tail's excess spills into the digits before it (the
            // kernel's 3-digit numeric chunks straddle groups): the bytes
            // before the last two groups survive, and the data as a whole
            // must not, or `representable` is wrong.
            let intact = (n * 8 - tail_bits - 13) / 8;
            assert_eq!(&back[..intact], &data[..intact], "n={n}");
            assert_ne!(
                &back[..n],
                &data[..],
                "n={n}: an unrepresentable tail read back"
            );
            lost_tail += 1;
        }
    }
    // Rng::new(3) draws 5 unrepresentable tails in n = 1..80: every case is
    // accounted for, none skipped.
    assert_eq!((exact, lost_tail), (74, 5));
}
