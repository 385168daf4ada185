//! The buffer contract: a short buffer is an error naming the sizes, and
//! nothing is written past the length the caller gave.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use panicqr_qr::{encode, Buffer, EcLevel, Error, Mask, MaskChoice, Options, Segment, Version};

const CANARY: u8 = 0xA5;

fn case(mask: MaskChoice) -> (Vec<u8>, Options, Version) {
    let data: Vec<u8> = (0..300).map(|i| (i * 31) as u8).collect();
    let opts = Options {
        ec_level: EcLevel::L,
        mask,
        ..Options::default()
    };
    let mut s = vec![0u8; Version::MAX.scratch_len(mask)];
    let mut o = vec![0u8; Version::MAX.symbol_len()];
    let v = encode(&[Segment::Bytes(&data)], &opts, &mut s, &mut o)
        .unwrap()
        .version();
    (data, opts, v)
}

/// Encodes into buffers of exactly `s_len` and `o_len` bytes, each followed
/// by canaries, and checks the result and that no canary was touched.
fn check_lengths(
    data: &[u8],
    opts: &Options,
    v: Version,
    (need_s, need_o): (usize, usize),
    (s_len, o_len): (usize, usize),
) {
    let mut s = vec![CANARY; s_len + 64];
    let mut o = vec![CANARY; o_len + 64];
    let (sb, ob) = (&mut s[..s_len], &mut o[..o_len]);
    let r = encode(&[Segment::Bytes(data)], opts, sb, ob).map(|sym| sym.version());
    match (s_len >= need_s, o_len >= need_o) {
        (true, true) => assert_eq!(r, Ok(v)),
        (false, _) => assert_eq!(
            r,
            Err(Error::BufferTooSmall {
                buffer: Buffer::Scratch,
                needed: need_s,
                actual: s_len
            })
        ),
        (true, false) => assert_eq!(
            r,
            Err(Error::BufferTooSmall {
                buffer: Buffer::Symbol,
                needed: need_o,
                actual: o_len
            })
        ),
    }
    assert!(
        s[s_len..].iter().all(|&b| b == CANARY),
        "scratch overrun at {s_len} (symbol {o_len})"
    );
    assert!(
        o[o_len..].iter().all(|&b| b == CANARY),
        "symbol overrun at {o_len} (scratch {s_len})"
    );
}

#[test]
fn every_short_scratch_or_symbol_length_is_an_error_and_canaries_survive() {
    for mask in [MaskChoice::Auto, MaskChoice::Fixed(Mask::MIN)] {
        let (data, opts, v) = case(mask);
        let need = (v.scratch_len(mask), v.symbol_len());
        let (need_s, need_o) = need;
        // Every pair of lengths up to one past the need: about 640 000
        // encodes, nearly all refused before any work, so well under a
        // second in release.
        for s_len in 0..=need_s + 1 {
            for o_len in 0..=need_o + 1 {
                check_lengths(&data, &opts, v, need, (s_len, o_len));
            }
        }
    }
}

#[test]
fn too_long_data_reports_bits_and_capacity() {
    let data = vec![b'x'; 3000];
    let opts = Options {
        ec_level: EcLevel::L,
        ..Options::default()
    };
    let mut s = vec![0u8; Version::MAX.scratch_len(opts.mask)];
    let mut o = vec![0u8; Version::MAX.symbol_len()];
    let e = encode(&[Segment::Bytes(&data)], &opts, &mut s, &mut o).unwrap_err();
    assert_eq!(
        e,
        Error::DataTooLong {
            bits: 4 + 16 + 24000,
            capacity_bits: 2956 * 8,
            version: Version::MAX,
            ec_level: EcLevel::L
        }
    );
    assert!(e.to_string().contains("23648"));
}

#[test]
fn invalid_input_is_rejected() {
    let mut s = vec![0u8; Version::MAX.scratch_len(MaskChoice::Auto)];
    let mut o = vec![0u8; Version::MAX.symbol_len()];
    let opts = Options::default();
    assert_eq!(
        encode(
            &[Segment::Bytes(b"ok"), Segment::Numeric(b"12x")],
            &opts,
            &mut s,
            &mut o
        )
        .map(|_| ()),
        Err(Error::InvalidCharacter {
            segment: 1,
            position: 2,
            byte: b'x'
        })
    );
    let bad_range = Options {
        min_version: Version::new(5).unwrap(),
        max_version: Version::new(4).unwrap(),
        ..opts
    };
    assert!(matches!(
        encode(&[], &bad_range, &mut s, &mut o),
        Err(Error::InvalidVersionRange { .. })
    ));
    // A version-1 maximum cannot hold a 1,100-digit count field (10 bits).
    let small = Options {
        max_version: Version::new(1).unwrap(),
        ..opts
    };
    let digits = vec![b'1'; 1100];
    assert!(matches!(
        encode(&[Segment::Numeric(&digits)], &small, &mut s, &mut o),
        Err(Error::SegmentTooLong {
            segment: 0,
            chars: 1100,
            max: 1023
        })
    ));
}

#[test]
fn boost_raises_level_within_the_same_version() {
    let mut s = vec![0u8; Version::MAX.scratch_len(MaskChoice::Auto)];
    let mut o = vec![0u8; Version::MAX.symbol_len()];
    let opts = Options {
        ec_level: EcLevel::L,
        boost_ec: true,
        ..Options::default()
    };
    let sym = encode(&[Segment::Bytes(b"hi")], &opts, &mut s, &mut o).unwrap();
    assert_eq!((sym.version(), sym.ec_level()), (Version::MIN, EcLevel::H));
}
