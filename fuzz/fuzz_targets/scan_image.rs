//! Property: any bytes given as an image file are either refused or scanned
//! without a panic; a symbol found is non-empty text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(reader) = image::ImageReader::new(std::io::Cursor::new(data)).with_guessed_format()
    else {
        return;
    };
    let mut reader = reader;
    // Keep each run small: decoding bombs are the image crate's concern.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(512);
    limits.max_image_height = Some(512);
    limits.max_alloc = Some(16 << 20);
    reader.limits(limits);
    if let Ok(img) = reader.decode() {
        if let Ok(found) = panicqr_scan::scan(&img) {
            assert!(!found.text.is_empty());
        }
    }
});
