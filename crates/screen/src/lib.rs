//! The panic screen: draws the message and the report QR code into a raw
//! framebuffer (or any [`Canvas`]), sized to the screen.
//!
//! `#![no_std]`, no allocation, no `unsafe`, no panics. Every screen from
//! 320×240 up gets a QR code: the largest version the screen shows at a
//! readable module size ([`qr_limit`]) is handed to the report fitter, so the
//! code carries as much log as that screen can show (Linux shows none when
//! version 40 does not fit).
//!
//! # Examples
//! ```
//! use panicqr_screen::{draw_qr_screen, Framebuffer, Message, PixelFormat, Report, Style, WORKSPACE_LEN};
//! let (w, h) = (640, 480);
//! let mut mem = vec![0u8; w * h * 4];
//! let mut fb = Framebuffer::new(&mut mem, w, h, w * 4, PixelFormat::Xrgb8888)?;
//! let mut ws = vec![0u8; WORKSPACE_LEN];
//! let msg = Message { title: b"KERNEL PANIC!", reason: b"Kernel panic - not syncing: Fatal exception" };
//! let report = Report { log: b"[    1.000000] Oops\n", base_url: b"https://e.org/#", arch: b"x86_64", release: b"6.1" };
//! let drawn = draw_qr_screen(&mut fb, &msg, &report, Style::default(), &mut ws);
//! assert!(drawn.qr.is_some());
//! # Ok::<(), panicqr_screen::FramebufferError>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used))]

#[cfg(test)]
extern crate std;

#[cfg(feature = "embedded-graphics")]
pub mod eg;
pub mod font;
mod font_data;
mod format;
mod framebuffer;
mod grid;
mod layout;

pub use format::{PixelFormat, Rgb};
pub use framebuffer::{row_bytes, Canvas, Framebuffer, FramebufferError};
pub use grid::{
    build_parts_code, draw_parts_code, draw_parts_screen, draw_parts_text, parts_grid,
    prepare_parts_code, split_parts, Grid, PartsOptions, PartsScreen, PARTS_WORKSPACE_LEN,
};
pub use layout::{
    draw_kmsg_screen, draw_qr_screen, draw_qr_screen_with, draw_symbol, draw_user_screen, qr_limit,
    qr_plan, Message, QrLimit, QrPlaced, QrScreen, Report, Style, TextBox, WORKSPACE_LEN,
};
