//! Random texts encoded by panicqr, drawn as images, decode with decoders we
//! did not write (`rqrr` in-process, `zbarimg` from Debian's zbar-tools) to the
//! exact input.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use panicqr_qr::{encode, EcLevel, Mask, MaskChoice, Options, Segment, Version};
use panicqr_testkit::{decode_rqrr, decode_zbarimg, require_zbarimg, z_digits, Grid, Rng};

fn symbol_grid(segs: &[Segment<'_>], opts: &Options) -> Grid {
    let mut scratch = vec![0u8; Version::MAX.scratch_len(MaskChoice::Auto)];
    let mut out = vec![0u8; Version::MAX.symbol_len()];
    let sym = encode(segs, opts, &mut scratch, &mut out).unwrap();
    Grid::from_fn(sym.width(), |x, y| sym.is_dark(x, y))
}

/// Printable ASCII text (zbarimg guesses a text encoding for byte segments;
/// ASCII comes back unchanged).
fn random_text(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| b' ' + rng.below(95) as u8).collect()
}

#[test]
fn rqrr_decodes_random_texts_at_every_version_and_level() {
    let mut rng = Rng::new(7);
    for v in 1..=40u8 {
        let version = Version::new(v).unwrap();
        let ec = EcLevel::ALL[usize::from(v) % 4];
        // Fill the version: byte mode costs 8 bits a byte plus a 12–20 bit header.
        let len = version.data_codewords(ec) - 3;
        let text = random_text(&mut rng, len);
        let opts = Options {
            ec_level: ec,
            min_version: version,
            max_version: version,
            ..Options::default()
        };
        let grid = symbol_grid(&[Segment::Bytes(&text)], &opts);
        let decoded = decode_rqrr(&grid.to_image(4, 4));
        assert_eq!(decoded, vec![text], "version {v} level {ec:?}");
    }
}

#[test]
fn rqrr_decodes_every_mask() {
    let text = b"Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b";
    for m in 0..8 {
        let opts = Options {
            mask: MaskChoice::Fixed(Mask::new(m).unwrap()),
            ..Options::default()
        };
        let grid = symbol_grid(&[Segment::Bytes(text)], &opts);
        assert_eq!(
            decode_rqrr(&grid.to_image(4, 4)),
            vec![text.to_vec()],
            "mask {m}"
        );
    }
}

#[test]
fn zbarimg_decodes_random_texts_and_report_segments() {
    require_zbarimg();
    let dir = std::env::temp_dir().join(format!("panicqr-roundtrip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng::new(11);
    let mut checked = 0;
    for i in 0..24 {
        let ec = EcLevel::ALL[i % 4];
        let v = Version::new(1 + (i as u8 * 7) % 40).unwrap();
        let len = 1 + rng.below(v.data_codewords(ec) - 3);
        let text = random_text(&mut rng, len);
        // A report-shaped pair (URL bytes + decimal digits) on every third case.
        let payload = rng.bytes(len / 3);
        let z = z_digits(&payload);
        let (segs, expect): (Vec<Segment<'_>>, Vec<u8>) = if i % 3 == 0 {
            let mut e = b"https://example.org/panic_report/#?a=x86_64&v=6.1&z=".to_vec();
            e.extend_from_slice(z.as_bytes());
            (
                vec![
                    Segment::Bytes(b"https://example.org/panic_report/#?a=x86_64&v=6.1&z="),
                    Segment::DecimalBytes(&payload),
                ],
                e,
            )
        } else {
            (vec![Segment::Bytes(&text)], text.clone())
        };
        let opts = Options {
            ec_level: ec,
            ..Options::default()
        };
        let grid = symbol_grid(&segs, &opts);
        let path = dir.join(format!("case{i}.png"));
        grid.to_image(3, 4).save(&path).unwrap();
        assert_eq!(
            decode_zbarimg(&path).as_deref(),
            Some(&expect[..]),
            "case {i}"
        );
        checked += 1;
    }
    // Every case fits version 40, so none may be skipped: a case that
    // vanished would test nothing and still pass.
    assert_eq!(checked, 24);
    std::fs::remove_dir_all(&dir).ok();
}
