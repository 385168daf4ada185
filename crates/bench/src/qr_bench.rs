//! Times panicqr's QR encoder against the peer crates, side by side in one run.
//!
//! Workloads (all at level L, as Linux): a 60-byte URL; a 45-byte URL + 3,900
//! digits; a full version 40 (45-byte URL + 6,975 digits). Each with mask fixed
//! to 0 and with automatic mask. Prints the median time per encode and each
//! encoder's ratio to panicqr. `fast_qr` cannot mix segment modes, so it gets
//! all-digit data of the same version (noted in the output).
//!
//! Run: `cargo run --release -p panicqr-bench --bin qr-bench [-- ITERATIONS]`.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use panicqr_qr::{encode, EcLevel, Mask, MaskChoice, Options, Segment, Version};

struct Case {
    name: &'static str,
    url: Vec<u8>,
    digits: String,
}

fn cases() -> Vec<Case> {
    let url45 = b"https://panic.example.org/#?a=x86_64&v=6.1&z=".to_vec();
    assert_eq!(url45.len(), 45, "URL length");
    let digits = |n: usize| -> String {
        (0..n)
            .map(|i| char::from(b'0' + ((i * 7 + i / 13) % 10) as u8))
            .collect()
    };
    vec![
        Case {
            name: "60-byte URL",
            url: b"https://kernel-team.pages.debian.net/panic_report/#?a=x86_64".to_vec(),
            digits: String::new(),
        },
        Case {
            name: "45-byte URL + 3,900 digits",
            url: url45.clone(),
            digits: digits(3900),
        },
        Case {
            name: "V40: 45-byte URL + 6,975 digits",
            url: url45,
            digits: digits(6975),
        },
    ]
}

fn median(mut f: impl FnMut(), iters: usize) -> Duration {
    for _ in 0..iters.div_ceil(10) {
        f();
    }
    let mut times: Vec<Duration> = (0..iters)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let iters: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    println!("QR encode, median of {iters} runs, level L (lower is better)\n");
    println!(
        "{:<34} {:<6} {:>9} {:>9} {:>9} {:>9} {:>9}   panicqr speed-up vs fastest peer",
        "case", "mask", "panicqr", "qrcodegen", "nayuki-nh", "qrcode", "fast_qr",
    );
    for case in cases() {
        for auto in [false, true] {
            let mut row = Vec::new();
            let mask = if auto {
                MaskChoice::Auto
            } else {
                MaskChoice::Fixed(Mask::MIN)
            };
            let opts = Options {
                ec_level: EcLevel::L,
                mask,
                ..Options::default()
            };
            let mut scratch = vec![0u8; Version::MAX.scratch_len(mask)];
            let mut out = vec![0u8; Version::MAX.symbol_len()];
            let segs_owned = [
                Segment::Bytes(&case.url),
                Segment::Numeric(case.digits.as_bytes()),
            ];
            let segs: &[Segment<'_>] = if case.digits.is_empty() {
                &segs_owned[..1]
            } else {
                &segs_owned
            };
            let version = encode(segs, &opts, &mut scratch, &mut out)
                .unwrap()
                .version();
            row.push(median(
                || {
                    black_box(
                        encode(black_box(segs), &opts, &mut scratch, &mut out)
                            .unwrap()
                            .width(),
                    );
                },
                iters,
            ));

            // qrcodegen (Nayuki, heap).
            let qsegs: Vec<qrcodegen::QrSegment> = {
                let mut v = vec![qrcodegen::QrSegment::make_bytes(&case.url)];
                if !case.digits.is_empty() {
                    v.push(qrcodegen::QrSegment::make_numeric(&case.digits));
                }
                v
            };
            let qmask = if auto {
                None
            } else {
                Some(qrcodegen::Mask::new(0))
            };
            let qv = qrcodegen::Version::new(version.number());
            let q = qrcodegen::QrCode::encode_segments_advanced(
                &qsegs,
                qrcodegen::QrCodeEcc::Low,
                qv,
                qv,
                qmask,
                false,
            )
            .unwrap();
            assert_eq!(q.size() as usize, version.width());
            row.push(median(
                || {
                    black_box(
                        qrcodegen::QrCode::encode_segments_advanced(
                            black_box(&qsegs),
                            qrcodegen::QrCodeEcc::Low,
                            qv,
                            qv,
                            qmask,
                            false,
                        )
                        .unwrap()
                        .size(),
                    );
                },
                iters,
            ));

            // qrcodegen-no-heap (Nayuki, caller buffers).
            {
                use qrcodegen_no_heap as nh;
                let nv = nh::Version::new(version.number());
                let mut numbuf = vec![
                    0u8;
                    nh::QrSegment::calc_buffer_size(
                        nh::QrSegmentMode::Numeric,
                        case.digits.len()
                    )
                    .unwrap()
                ];
                let mut outbuf = vec![0u8; nv.buffer_len()];
                let mut tmpbuf = vec![0u8; nv.buffer_len()];
                let nmask = if auto { None } else { Some(nh::Mask::new(0)) };
                let mut run = || {
                    let mut segs = vec![nh::QrSegment::make_bytes(&case.url)];
                    if !case.digits.is_empty() {
                        segs.push(nh::QrSegment::make_numeric(&case.digits, &mut numbuf));
                    }
                    let (len, ecl, v) = nh::QrCode::encode_segments_to_codewords(
                        &segs,
                        &mut outbuf,
                        nh::QrCodeEcc::Low,
                        nv,
                        nv,
                        false,
                    )
                    .unwrap();
                    let qr =
                        nh::QrCode::encode_codewords(&mut outbuf, len, &mut tmpbuf, ecl, v, nmask);
                    black_box(qr.size());
                };
                row.push(median(&mut run, iters));
            }

            // qrcode (kennytm).
            {
                use qrcode::bits::Bits;
                let kv = qrcode::Version::Normal(i16::from(version.number()));
                let run = || {
                    let mut bits = Bits::new(kv);
                    bits.push_byte_data(&case.url).unwrap();
                    if !case.digits.is_empty() {
                        bits.push_numeric_data(case.digits.as_bytes()).unwrap();
                    }
                    bits.push_terminator(qrcode::EcLevel::L).unwrap();
                    let data = bits.into_bytes();
                    let (d, ec) =
                        qrcode::ec::construct_codewords(&data, kv, qrcode::EcLevel::L).unwrap();
                    let mut canvas = qrcode::canvas::Canvas::new(kv, qrcode::EcLevel::L);
                    canvas.draw_all_functional_patterns();
                    canvas.draw_data(&d, &ec);
                    let canvas = if auto {
                        canvas.apply_best_mask()
                    } else {
                        canvas.apply_mask(qrcode::canvas::MaskPattern::Checkerboard);
                        canvas
                    };
                    black_box(canvas.into_colors().len());
                };
                row.push(median(run, iters));
            }

            // fast_qr: one mode per symbol, so all-digit data of the same version.
            {
                let capacity_digits = {
                    let bits = version.data_codewords(EcLevel::L) * 8
                        - 4
                        - 14.min(if version.number() < 10 {
                            10
                        } else if version.number() < 27 {
                            12
                        } else {
                            14
                        });
                    bits / 10 * 3
                };
                // As many digits as the same version holds (at least one more
                // than the previous version), so fast_qr picks that version.
                let input: Vec<u8> = (0..capacity_digits)
                    .map(|i| b'0' + (i % 10) as u8)
                    .collect();
                let mut b = fast_qr::QRBuilder::new(input);
                b.ecl(fast_qr::ECL::L).mode(fast_qr::Mode::Numeric);
                if !auto {
                    b.mask(fast_qr::Mask::Checkerboard);
                }
                let qr = b.build().unwrap();
                assert_eq!(qr.size, version.width());
                row.push(median(
                    || {
                        black_box(b.build().unwrap().size);
                    },
                    iters,
                ));
            }
            let fastest_peer = row[1..].iter().min().unwrap();
            println!(
                "{:<34} {:<6} {:>9.1?} {:>9.1?} {:>9.1?} {:>9.1?} {:>9.1?}   {:.2}x  (v{})",
                case.name,
                if auto { "auto" } else { "0" },
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                fastest_peer.as_secs_f64() / row[0].as_secs_f64(),
                version.number()
            );
        }
    }
}
