// SPDX-License-Identifier: GPL-2.0 OR MIT

//! drm_panic's QR code, from panicqr.
//!
//! The two C entry points of `drm_panic_qr.rs`, `drm_panic_qr_generate()`
//! and `drm_panic_qr_max_data_size()` (declared in `include/drm/drm_panic.h`),
//! with the same semantics, built on panicqr's `no_std` encoder
//! (`panicqr-qr`): no allocation, no `unsafe` and no panic path in the
//! encoder itself, caller buffers only.
//!
//! With `CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR_FIT`, two more:
//! `drm_panic_panicqr_build()` replaces drm_panic.c's zlib loop with
//! panicqr's whole report path (`panicqr-report`'s `build`: the newest lines
//! that fit, its zlib-compatible compressor, the URL, the QR code), and
//! `drm_panic_panicqr_workspace_size()` says how much memory drm_panic.c
//! must set aside for it at init.
//!
//! The sources are not copied here: `drivers/gpu/drm/panicqr` is a link to
//! panicqr's `crates/` directory, made before the build. A kbuild Rust file
//! is its own crate root, and panicqr's modules name each other `crate::…`,
//! so each of them is mounted at the root of this crate, under its own name,
//! and the names panicqr-qr's `lib.rs` re-exports are re-exported here the
//! same way. panicqr-report names the encoder `panicqr_qr::…`: this crate
//! is that crate too (`extern crate self as panicqr_qr`). The two crates'
//! root module names do not clash (the compressor's own `bits` is
//! `deflate::bits`).
//!
//! panicqr is MIT OR Apache-2.0; it is used here under the MIT licence.

use kernel::prelude::export;

#[path = "panicqr/qr/src/bits.rs"]
mod bits;
#[path = "panicqr/qr/src/encode.rs"]
mod encode;
#[path = "panicqr/qr/src/error.rs"]
mod error;
#[path = "panicqr/qr/src/gf256.rs"]
mod gf256;
#[path = "panicqr/qr/src/mask.rs"]
mod mask;
#[path = "panicqr/qr/src/matrix.rs"]
mod matrix;
#[path = "panicqr/qr/src/reed_solomon.rs"]
mod reed_solomon;
#[path = "panicqr/qr/src/row.rs"]
mod row;
#[path = "panicqr/qr/src/segment.rs"]
mod segment;
#[path = "panicqr/qr/src/symbol.rs"]
mod symbol;
#[path = "panicqr/qr/src/version.rs"]
mod version;

// panicqr-report's encoding half (not its `digits` and `decode` modules,
// which only decode), mounted public as in its lib.rs: all of it is
// documented, and nothing is dead code.
#[cfg(CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR_FIT)]
#[path = "panicqr/report/src/build.rs"]
pub mod build;
#[cfg(CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR_FIT)]
#[path = "panicqr/report/src/deflate/mod.rs"]
pub mod deflate;
#[cfg(CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR_FIT)]
#[path = "panicqr/report/src/fit.rs"]
pub mod fit;
#[cfg(CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR_FIT)]
#[path = "panicqr/report/src/url.rs"]
pub mod url;

// panicqr-report's `panicqr_qr::…` paths: the encoder is this crate.
#[cfg(CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR_FIT)]
extern crate self as panicqr_qr;

// What panicqr-qr's lib.rs makes public: its modules resolve `crate::Version`
// and the like through these.
pub use encode::{encode, prepare, render, Options, Prepared};
pub use error::{Buffer, Error};
pub use mask::{Mask, MaskChoice};
pub use segment::{decimal_digits, decimal_group, legacy_digits, Mode, Segment};
pub use symbol::{ModuleRow, Symbol};
pub use version::{EcLevel, Version};

/// The smallest `data_size` drm_panic.c may pass: a version-40 bitmap, 177
/// rows of 23 bytes.
const DATA_SIZE_MIN: usize = Version::MAX.symbol_len();
/// The smallest `tmp_size` drm_panic.c may pass: the codewords of a
/// version-40 symbol, all the scratch a fixed mask needs.
const TMP_SIZE_MIN: usize = Version::MAX.scratch_len(MaskChoice::Fixed(Mask::MIN));

// drm_panic.c sizes its buffers for these numbers (QR_BUFFER*_SIZE and the
// kernel-doc of drm_panic_qr_generate()); the build fails if ours differ.
const _: () = assert!(DATA_SIZE_MIN == 4071);
const _: () = assert!(TMP_SIZE_MIN == 3706);

/// Encodes a QR code for drm_panic and writes its bitmap into `data`.
///
/// With a `url`, the QR code holds `url` as a byte segment followed by the
/// first `data_len` bytes of `data` (the compressed log) as decimal digits,
/// 7 bytes to 17 digits; with a NULL `url`, those bytes alone as a byte
/// segment. Level L, mask 0, the smallest version that holds the data.
///
/// The bitmap is drm_panic's layout: ⌈width/8⌉ bytes per row, most
/// significant bit = leftmost module, bit set = light module.
///
/// Returns the width in modules, or 0 when the data does not fit a version-40
/// code or a size is out of range (`data_size` < 4071, `tmp_size` < 3706,
/// `data_len` > `data_size`).
///
/// # Safety
///
/// * `url` must be NULL or point at a NUL-terminated string.
/// * `data` must be valid for reads and writes of `data_size` bytes, `tmp`
///   for reads and writes of `tmp_size` bytes, and neither may overlap the
///   other or `url`.
///
/// They must stay valid, and nothing else may access them, during the call.
#[export]
pub unsafe extern "C" fn drm_panic_qr_generate(
    url: *const kernel::ffi::c_char,
    data: *mut u8,
    data_len: usize,
    data_size: usize,
    tmp: *mut u8,
    tmp_size: usize,
) -> u8 {
    if data_size < DATA_SIZE_MIN || tmp_size < TMP_SIZE_MIN || data_len > data_size {
        return 0;
    }
    // SAFETY: the caller guarantees that `data` is valid for reads and
    // writes of `data_size` bytes and that nothing else accesses it.
    let data = unsafe { core::slice::from_raw_parts_mut(data, data_size) };
    // SAFETY: the same for `tmp` and `tmp_size`; it does not overlap `data`.
    let tmp = unsafe { core::slice::from_raw_parts_mut(tmp, tmp_size) };
    let Some(payload) = data.get(..data_len) else {
        return 0;
    };
    let opts = Options::kernel();
    // `prepare` writes the codewords into `tmp` only, so the payload may
    // still be borrowed from `data`; `render` then draws over `data`.
    let prepared = if url.is_null() {
        prepare(&[Segment::Bytes(payload)], &opts, tmp)
    } else {
        // SAFETY: the caller guarantees that a non-NULL `url` points at a
        // NUL-terminated string that stays valid during the call.
        let url = unsafe { core::ffi::CStr::from_ptr(url.cast()) }.to_bytes();
        prepare(
            &[Segment::Bytes(url), Segment::DecimalBytes(payload)],
            &opts,
            tmp,
        )
    };
    let Ok(prepared) = prepared else {
        return 0;
    };
    match render(prepared, data) {
        Ok(symbol) => {
            let width = u8::try_from(symbol.width()).unwrap_or(0);
            symbol.into_kernel_bitmap();
            width
        }
        Err(_) => 0,
    }
}

/// Returns how many bytes of compressed log drm_panic_qr_generate() can put
/// after a URL of `url_len` bytes in a QR code of `version` (1–40), or, with
/// `url_len` 0, how many raw bytes; 0 for an invalid version or a URL that
/// leaves no room.
///
/// The same numbers as drm_panic_qr.rs: with a URL, the level-L data
/// codewords less the URL and 5 bytes of segment headers, times 39/40 for
/// the digit packing (17 digits, 56.7 bits, per 7 bytes); without, less 3
/// bytes for one segment header and the terminator.
///
/// # Safety
///
/// Always safe to call (`#[export]` requires an `unsafe fn`).
#[export]
pub unsafe extern "C" fn drm_panic_qr_max_data_size(version: u8, url_len: usize) -> usize {
    let Some(version) = Version::new(version) else {
        return 0;
    };
    let max_data = version.data_codewords(EcLevel::L);
    if url_len == 0 {
        return max_data.saturating_sub(3);
    }
    match url_len.checked_add(5).and_then(|n| max_data.checked_sub(n)) {
        // At most 2,950: the product cannot overflow.
        Some(room) if room > 0 => room * 39 / 40,
        _ => 0,
    }
}

/// Bytes of workspace drm_panic_panicqr_build() needs: the compressor's
/// tables, the URL prefix, the zlib stream and the encoder's scratch at
/// version 40 with the automatic mask (about 160 KiB).
///
/// drm_panic.c calls it at init and allocates that much; nothing is
/// allocated at panic time.
///
/// # Safety
///
/// Always safe to call (`#[export]` requires an `unsafe fn`).
#[cfg(CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR_FIT)]
#[export]
pub unsafe extern "C" fn drm_panic_panicqr_workspace_size() -> usize {
    build::workspace_len(Version::MAX)
}

/// Builds drm_panic's report QR code from the raw kmsg text in one call, in
/// place of drm_panic.c's zlib loop, and writes its bitmap into `out`.
///
/// The URL is `base_url?a=arch&v=release&z=` (`arch` and `release`
/// percent-encoded outside `[A-Za-z0-9._~-]`) followed by digits: the 7
/// bytes to 17 digits packing of a zlib stream (RFC 1950, 32 KiB window)
/// of the newest whole lines of `log` that fit a QR code of at most
/// `max_version`, level L, found by panicqr's fitter (the newest bytes of
/// the newest line when not even that line fits). Automatic mask, the
/// smallest version that holds it.
///
/// The bitmap is drm_panic's layout: ⌈width/8⌉ bytes per row, most
/// significant bit = leftmost module, bit set = light module.
///
/// Returns the width in modules, or 0 when there is no code: a NULL
/// pointer, an empty log, `max_version` outside 1–40, a URL that leaves no
/// room at `max_version`, `workspace_size` below
/// drm_panic_panicqr_workspace_size() or `out_size` below 4071.
///
/// # Safety
///
/// * `base_url`, `arch` and `release` must be NULL or point at
///   NUL-terminated strings.
/// * `log` must be NULL or valid for reads of `log_len` bytes, `workspace`
///   NULL or valid for reads and writes of `workspace_size` bytes, `out`
///   NULL or valid for reads and writes of `out_size` bytes; `workspace` and
///   `out` may not overlap each other or any of the inputs.
///
/// They must stay valid, and nothing else may write to them (or, for
/// `workspace` and `out`, read them), during the call.
#[cfg(CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR_FIT)]
#[export]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn drm_panic_panicqr_build(
    base_url: *const kernel::ffi::c_char,
    arch: *const kernel::ffi::c_char,
    release: *const kernel::ffi::c_char,
    log: *const u8,
    log_len: usize,
    max_version: u8,
    workspace: *mut u8,
    workspace_size: usize,
    out: *mut u8,
    out_size: usize,
) -> u8 {
    if base_url.is_null()
        || arch.is_null()
        || release.is_null()
        || log.is_null()
        || log_len == 0
        || workspace.is_null()
        || out.is_null()
    {
        return 0;
    }
    let Some(max_version) = Version::new(max_version) else {
        return 0;
    };
    // SAFETY: the caller guarantees that the three are NUL-terminated
    // strings that stay valid during the call.
    let (base_url, arch, release) = unsafe {
        (
            core::ffi::CStr::from_ptr(base_url.cast()).to_bytes(),
            core::ffi::CStr::from_ptr(arch.cast()).to_bytes(),
            core::ffi::CStr::from_ptr(release.cast()).to_bytes(),
        )
    };
    // SAFETY: the caller guarantees that `log` is valid for reads of
    // `log_len` bytes and that nothing writes to it during the call.
    let log = unsafe { core::slice::from_raw_parts(log, log_len) };
    // SAFETY: the caller guarantees that `workspace` is valid for reads and
    // writes of `workspace_size` bytes, overlaps nothing else, and that
    // nothing else accesses it during the call.
    let workspace = unsafe { core::slice::from_raw_parts_mut(workspace, workspace_size) };
    // SAFETY: the same for `out` and `out_size`.
    let out = unsafe { core::slice::from_raw_parts_mut(out, out_size) };
    let target = build::Target {
        max_version,
        ..build::Target::new(base_url, arch, release)
    };
    // `build` checks the sizes of `workspace` and `out` itself.
    match build::build(log, &target, workspace, out) {
        Ok(built) => {
            let width = u8::try_from(built.symbol.width()).unwrap_or(0);
            built.symbol.into_kernel_bitmap();
            width
        }
        Err(_) => 0,
    }
}
