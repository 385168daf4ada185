//! Status codes with stable numbers, and their messages.

use core::ffi::c_char;

/// The result of every `panicqr_*` call. The numbers are stable.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Success; outputs were written.
    Ok = 0,
    /// A required pointer was NULL.
    NullPointer = 1,
    /// A buffer is shorter than the call needs (see the `*_len` functions).
    BufferTooSmall = 2,
    /// The data does not fit the largest allowed QR version.
    DataTooLong = 3,
    /// An argument is out of range (version, mask, kind, a length over
    /// `PANICQR_LEN_MAX` or running past the end of the address space, a
    /// string without its NUL in range).
    InvalidArgument = 4,
    /// A byte the segment's mode cannot encode.
    InvalidCharacter = 5,
    /// Two buffers overlap where the contract forbids it.
    Overlap = 6,
}

impl Status {
    /// The message, NUL-terminated.
    pub(crate) fn message(self) -> &'static [u8] {
        match self {
            Status::Ok => b"success\0",
            Status::NullPointer => b"a required pointer is NULL\0",
            Status::BufferTooSmall => {
                b"a buffer is too small; size it with the panicqr_*_len functions\0"
            }
            Status::DataTooLong => b"the data does not fit the largest allowed QR version\0",
            Status::InvalidArgument => b"an argument is out of range\0",
            Status::InvalidCharacter => b"a byte cannot be encoded in its segment's mode\0",
            Status::Overlap => b"buffers overlap\0",
        }
    }
}

impl From<panicqr_qr::Error> for Status {
    fn from(e: panicqr_qr::Error) -> Status {
        match e {
            panicqr_qr::Error::DataTooLong { .. } | panicqr_qr::Error::SegmentTooLong { .. } => {
                Status::DataTooLong
            }
            panicqr_qr::Error::BufferTooSmall { .. } => Status::BufferTooSmall,
            panicqr_qr::Error::InvalidCharacter { .. } => Status::InvalidCharacter,
            _ => Status::InvalidArgument,
        }
    }
}

/// A static, NUL-terminated message for a status code (any integer: an
/// unknown code gets "unknown status").
///
/// ```c
/// panicqr_status s = panicqr_qr_encode(...);
/// if (s != PANICQR_STATUS_OK) fprintf(stderr, "%s\n", panicqr_status_message(s));
/// ```
#[no_mangle]
pub extern "C" fn panicqr_status_message(status: i32) -> *const c_char {
    let all = [
        Status::Ok,
        Status::NullPointer,
        Status::BufferTooSmall,
        Status::DataTooLong,
        Status::InvalidArgument,
        Status::InvalidCharacter,
        Status::Overlap,
    ];
    let msg: &'static [u8] = match all.iter().find(|s| **s as i32 == status) {
        Some(s) => s.message(),
        None => b"unknown status\0",
    };
    msg.as_ptr().cast()
}
