//! Proof on the linked object that the encoder cannot panic: the panic
//! handler calls a function that is defined nowhere, so linking a program
//! that calls these entry points fails if any panic path survives
//! optimisation. Inputs go through `black_box` so nothing is constant-folded.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

use core::hint::black_box;

use panicqr_qr::{encode, EcLevel, Mask, MaskChoice, Options, Segment, Version};

unsafe extern "C" {
    /// Deliberately undefined: referenced only if a panic can happen.
    fn panicqr_panic_is_reachable() -> !;
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: never defined; the link fails if this is reachable, which is the point.
    unsafe {
        panicqr_panic_is_reachable()
    }
}

/// One encode of every segment kind with opaque inputs and options; returns
/// the width, or 0 on error.
#[no_mangle]
pub extern "C" fn panicqr_check_encode(seed: u64) -> u32 {
    let data: [u8; 3000] = black_box([seed as u8; 3000]);
    let lens: [usize; 5] = black_box([seed as usize; 5]);
    let part = |i: usize| data.get(..lens.get(i).copied().unwrap_or(0).min(data.len())).unwrap_or(&[]);
    let segs = [
        Segment::Bytes(part(0)),
        Segment::Numeric(part(1)),
        Segment::Alphanumeric(part(2)),
        Segment::DecimalBytes(part(3)),
        Segment::DecimalBytesLegacy(part(4)),
    ];
    let n: usize = black_box(5);
    let segs = segs.get(..n.min(5)).unwrap_or(&[]);
    let ec = EcLevel::ALL.get(black_box(seed as usize) % 4).copied().unwrap_or(EcLevel::L);
    let mask = match Mask::new(black_box(seed as u8)) {
        Some(m) => MaskChoice::Fixed(m),
        None => MaskChoice::Auto,
    };
    let opts = Options {
        ec_level: ec,
        min_version: Version::new(black_box(1)).unwrap_or(Version::MIN),
        max_version: Version::new(black_box(40)).unwrap_or(Version::MAX),
        boost_ec: black_box(true),
        mask,
    };
    let mut scratch = [0u8; Version::MAX.scratch_len(MaskChoice::Auto)];
    let mut out = [0u8; Version::MAX.symbol_len()];
    let s_len = black_box(scratch.len());
    let o_len = black_box(out.len());
    let (Some(s), Some(o)) = (scratch.get_mut(..s_len), out.get_mut(..o_len)) else {
        return 0;
    };
    match encode(segs, &opts, s, o) {
        Ok(sym) => {
            let w = sym.width() as u32;
            let dark = sym.is_dark(black_box(3), black_box(4)) as u32;
            let bitmap = sym.into_kernel_bitmap();
            w + dark + u32::from(bitmap.first().copied().unwrap_or(0))
        }
        Err(_) => 0,
    }
}
