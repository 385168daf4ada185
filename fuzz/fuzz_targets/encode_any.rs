//! Property: any segments, options and buffer sizes either encode or return
//! an error; nothing is written past the given lengths (canaries survive).
#![no_main]
use libfuzzer_sys::fuzz_target;
use panicqr_qr::{encode, EcLevel, Mask, MaskChoice, Options, Segment, Version};

fn kind(k: u8, d: &[u8]) -> Segment<'_> {
    match k % 5 {
        0 => Segment::Bytes(d),
        1 => Segment::Numeric(d),
        2 => Segment::Alphanumeric(d),
        3 => Segment::DecimalBytes(d),
        _ => Segment::DecimalBytesLegacy(d),
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 6 {
        return;
    }
    let (head, body) = data.split_at(6);
    let ec = EcLevel::ALL[usize::from(head[0] % 4)];
    let min = Version::new(1 + head[1] % 40).unwrap();
    let max = Version::new(1 + head[2] % 40).unwrap();
    let mask = Mask::new(head[3] % 9).map_or(MaskChoice::Auto, MaskChoice::Fixed);
    let split = usize::from(head[4]) % (body.len() + 1);
    let (a, b) = body.split_at(split);
    let segs = [kind(head[5], a), kind(head[5] / 5, b)];
    let opts = Options {
        ec_level: ec,
        min_version: min,
        max_version: max,
        boost_ec: head[5] & 0x80 != 0,
        mask,
    };
    let s_len = Version::MAX.scratch_len(MaskChoice::Auto) * usize::from(head[4] % 5) / 4;
    let o_len = Version::MAX.symbol_len() * usize::from(head[3] % 5) / 4;
    let mut s = vec![0xA5u8; s_len + 32];
    let mut o = vec![0xA5u8; o_len + 32];
    let r = encode(&segs, &opts, &mut s[..s_len], &mut o[..o_len]).map(|sym| sym.width());
    assert!(s[s_len..].iter().all(|&c| c == 0xA5));
    assert!(o[o_len..].iter().all(|&c| c == 0xA5));
    if let Ok(w) = r {
        assert!((21..=177).contains(&w));
    }
});
