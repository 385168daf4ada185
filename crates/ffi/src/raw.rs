//! The one place where a C pointer and length become a Rust slice, after the
//! NULL and length checks.

use core::ffi::c_char;

use crate::status::Status;

/// The longest length any parameter may have ([`crate::PANICQR_LEN_MAX`]).
pub(crate) const LEN_MAX: usize = crate::PANICQR_LEN_MAX;
const _: () = assert!(LEN_MAX <= isize::MAX as usize);

/// Whether `len` bytes at `ptr` can describe a real buffer: at most
/// [`LEN_MAX`] bytes, and not running past the end of the address space.
pub(crate) fn plausible(ptr: *const u8, len: usize) -> bool {
    len <= LEN_MAX && (ptr as usize).checked_add(len).is_some()
}

/// `Err(InvalidArgument)` unless every pair is [`plausible`].
pub(crate) fn check_lengths(pairs: &[(*const u8, usize)]) -> Result<(), Status> {
    if pairs.iter().all(|&(p, l)| plausible(p, l)) {
        Ok(())
    } else {
        Err(Status::InvalidArgument)
    }
}

/// `len` bytes at `ptr` as a shared slice.
///
/// # Safety
/// If `ptr` is not NULL, the caller promises it is valid for reads of `len`
/// bytes and that nothing writes them while the slice lives (`'a`).
pub(crate) unsafe fn slice<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Status> {
    if ptr.is_null() {
        return Err(Status::NullPointer);
    }
    if !plausible(ptr, len) {
        return Err(Status::InvalidArgument);
    }
    // SAFETY: non-NULL, len ≤ LEN_MAX ≤ isize::MAX and no wrap checked above;
    // validity for `len` bytes and the absence of writers are the caller's
    // promise.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// `len` bytes at `ptr` as an exclusive slice.
///
/// # Safety
/// If `ptr` is not NULL, the caller promises it is valid for reads and writes
/// of `len` bytes and that nothing else accesses them while the slice lives.
pub(crate) unsafe fn slice_mut<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8], Status> {
    if ptr.is_null() {
        return Err(Status::NullPointer);
    }
    if !plausible(ptr.cast_const(), len) {
        return Err(Status::InvalidArgument);
    }
    // SAFETY: as `slice`, with exclusive access promised by the caller.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

/// The bytes of a NUL-terminated C string, without the NUL, reading at most
/// `max` bytes: a string with no NUL in that range is an error, so a missing
/// terminator can never make us read without bound.
///
/// # Safety
/// If `ptr` is not NULL, the caller promises the string is NUL-terminated and
/// readable up to its NUL (or `max` bytes, whichever comes first).
pub(crate) unsafe fn c_str<'a>(ptr: *const c_char, max: usize) -> Result<&'a [u8], Status> {
    if ptr.is_null() {
        return Err(Status::NullPointer);
    }
    let p = ptr.cast::<u8>();
    let mut len = 0;
    while len < max {
        // SAFETY: every byte before the NUL is readable (caller's promise),
        // and we stop at the first NUL.
        if unsafe { p.add(len).read() } == 0 {
            // SAFETY: the `len` bytes before the NUL were just read.
            return unsafe { slice(p, len) };
        }
        len += 1;
    }
    Err(Status::InvalidArgument)
}

/// Whether two byte ranges share any address.
pub(crate) fn overlap(a: *const u8, a_len: usize, b: *const u8, b_len: usize) -> bool {
    let (a, b) = (a as usize, b as usize);
    a_len != 0 && b_len != 0 && a < b.saturating_add(b_len) && b < a.saturating_add(a_len)
}
