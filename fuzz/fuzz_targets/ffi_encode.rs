//! Property, through the C entry points: with any sizes and inputs, nothing
//! is written past the given lengths (canaries survive), failures leave the
//! outputs untouched, and every success decodes back (rqrr) to the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panicqr_ffi::*;

const CANARY: u8 = 0xA5;

fn decode(width: usize, dark: impl Fn(usize, usize) -> bool) -> Vec<u8> {
    let scale = 3u32;
    let side = (width as u32 + 8) * scale;
    let img = image::GrayImage::from_fn(side, side, |px, py| {
        let (x, y) = ((px / scale) as usize, (py / scale) as usize);
        let d = x >= 4 && y >= 4 && x < width + 4 && y < width + 4 && dark(x - 4, y - 4);
        image::Luma([if d { 0 } else { 255 }])
    });
    let mut p = rqrr::PreparedImage::prepare(img);
    let grids = p.detect_grids();
    assert_eq!(grids.len(), 1, "no QR code found in a successful encode");
    let mut out = Vec::new();
    grids[0].decode_to(&mut out).expect("decodes");
    out
}

fn z_digits(data: &[u8]) -> Vec<u8> {
    let mut d = vec![0u8; panicqr_report::digits::decimal_digits(data.len())];
    panicqr_report::digits::encode_z(data, &mut d);
    d
}

fuzz_target!(|input: &[u8]| {
    if input.len() < 4 {
        return;
    }
    let (head, body) = input.split_at(4);
    let url_len = usize::from(head[0]) % (body.len() + 1);
    let (url_part, payload) = body.split_at(url_len);
    if head[1] & 1 == 0 {
        // panicqr_qr_encode: a byte segment and a z= segment.
        let segs = [
            PanicqrSegment {
                kind: PANICQR_SEGMENT_BYTES,
                data: url_part.as_ptr(),
                len: url_part.len(),
            },
            PanicqrSegment {
                kind: PANICQR_SEGMENT_DECIMAL_BYTES,
                data: payload.as_ptr(),
                len: payload.len(),
            },
        ];
        let opts = PanicqrQrOptions {
            ec_level: u32::from(head[2] % 4),
            min_version: 1,
            max_version: 1 + head[3] % 40,
            boost_ec: head[2] & 4,
            mask: i32::from(head[2] >> 4) % 9 - 1,
            layout: PANICQR_LAYOUT_LSB_DARK,
        };
        let s_len = PANICQR_QR_SCRATCH_LEN_MAX * usize::from(head[1] >> 1 & 7) / 7;
        let o_len = PANICQR_QR_SYMBOL_LEN_MAX * usize::from(head[1] >> 4 & 7) / 7;
        let mut s = vec![CANARY; s_len + 64];
        let mut o = vec![CANARY; o_len + 64];
        let mut info = PanicqrSymbolInfo::default();
        // SAFETY: every pointer is valid for the length given with it.
        let st = unsafe {
            panicqr_qr_encode(
                segs.as_ptr(),
                2,
                &opts,
                s.as_mut_ptr(),
                s_len,
                o.as_mut_ptr(),
                o_len,
                &mut info,
            )
        };
        assert!(s[s_len..].iter().all(|&c| c == CANARY) && o[o_len..].iter().all(|&c| c == CANARY));
        if st == Status::Ok {
            let w = info.width as usize;
            let rb = info.row_bytes as usize;
            let got = decode(w, |x, y| (o[y * rb + x / 8] >> (x % 8)) & 1 == 1);
            let mut want = url_part.to_vec();
            want.extend(z_digits(payload));
            assert_eq!(got, want);
        } else {
            assert!(
                o[..o_len].iter().all(|&c| c == CANARY),
                "output written on failure"
            );
        }
    } else {
        // panicqr_drm_generate, as Linux calls it.
        let mut url = url_part
            .iter()
            .map(|&b| if b == 0 { b'x' } else { b })
            .collect::<Vec<u8>>();
        url.push(0);
        let data_size = PANICQR_DRM_DATA_SIZE - 8 + usize::from(head[2] % 16);
        let tmp_size = PANICQR_DRM_TMP_SIZE - 8 + usize::from(head[3] % 16);
        let data_len = payload.len().min(data_size + usize::from(head[1] >> 7));
        let mut data = vec![CANARY; data_size + 64];
        let mut tmp = vec![CANARY; tmp_size + 64];
        data[..data_len.min(payload.len())]
            .copy_from_slice(&payload[..data_len.min(payload.len())]);
        let raw = head[1] & 2 != 0;
        let url_ptr = if raw {
            std::ptr::null()
        } else {
            url.as_ptr().cast()
        };
        // SAFETY: every pointer is valid for the length given with it; url is NUL-terminated.
        let w = unsafe {
            panicqr_drm_generate(
                url_ptr,
                data.as_mut_ptr(),
                data_len,
                data_size,
                tmp.as_mut_ptr(),
                tmp_size,
            )
        };
        assert!(
            data[data_size..].iter().all(|&c| c == CANARY)
                && tmp[tmp_size..].iter().all(|&c| c == CANARY)
        );
        if w > 0 {
            let w = usize::from(w);
            let rb = w.div_ceil(8);
            let got = decode(w, |x, y| (data[y * rb + x / 8] >> (7 - x % 8)) & 1 == 0);
            let want = if raw {
                payload[..data_len].to_vec()
            } else {
                let mut v = url[..url.len() - 1].to_vec();
                v.extend(z_digits(&payload[..data_len]));
                v
            };
            assert_eq!(got, want);
        }
    }
});
