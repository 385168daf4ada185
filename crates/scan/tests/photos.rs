//! Every generated photo in the mild and medium classes (panic screens with
//! version 10, 25 and 40 codes at 3, 4 and 6 px per module, blurred, noisy,
//! scaled, rotated, seen at an angle, dim, JPEG-compressed, and combinations)
//! decodes to the exact log.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use panicqr_testkit::photos::{photo_set, Class};

#[test]
fn every_mild_and_medium_photo_decodes_to_the_exact_log() {
    let corpus = panicqr_testkit::corpus();
    let log: Vec<u8> = corpus.iter().take(6).flat_map(|(_, d)| d.clone()).collect();
    let photos = photo_set(&log, &[Class::Mild, Class::Medium]);
    assert_eq!(photos.len(), 144);
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = photos
            .chunks(photos.len().div_ceil(2))
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .filter_map(|p| {
                            let img = image::DynamicImage::ImageLuma8(p.image.clone());
                            let ok = panicqr_scan::scan(&img).ok().and_then(|f| {
                                let d = panicqr_report::decode::decode(
                                    std::str::from_utf8(&f.text).ok()?,
                                )
                                .ok()?;
                                Some(d.is_complete() && d.log == p.log)
                            });
                            (ok != Some(true)).then(|| p.name.clone())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "not decoded: {failures:#?}");
}

#[test]
fn a_12_megapixel_photo_is_scaled_down_and_read() {
    let corpus = panicqr_testkit::corpus();
    let log: Vec<u8> = corpus.iter().take(6).flat_map(|(_, d)| d.clone()).collect();
    let p = photo_set(&log, &[Class::Mild])
        .into_iter()
        .find(|p| p.name.contains("v40 4px"))
        .unwrap();
    let big = image::imageops::resize(&p.image, 4000, 3000, image::imageops::FilterType::Triangle);
    let f = panicqr_scan::scan(&image::DynamicImage::ImageLuma8(big)).unwrap();
    let d = panicqr_report::decode::decode(std::str::from_utf8(&f.text).unwrap()).unwrap();
    assert_eq!(d.log, p.log);
}

#[test]
fn empty_and_blank_images_are_errors() {
    let blank =
        image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(640, 480, image::Luma([200])));
    assert_eq!(
        panicqr_scan::scan(&blank),
        Err(panicqr_scan::ScanError::NoQrCode)
    );
    let empty = image::DynamicImage::ImageLuma8(image::GrayImage::new(0, 0));
    assert_eq!(
        panicqr_scan::scan(&empty),
        Err(panicqr_scan::ScanError::Empty)
    );
}
