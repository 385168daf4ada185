//! The three screens, and how big a QR code a screen can show.

use core::num::NonZeroUsize;

use panicqr_qr::{MaskChoice, Symbol, Version};
use panicqr_report::build::{self, Built};

use crate::font::{advance, draw_text, wrap, CELL_H, CELL_W};
use crate::format::Rgb;
use crate::framebuffer::Canvas;

/// Foreground (text) and background colours. Linux draws white on black.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Text colour.
    pub fg: Rgb,
    /// Background colour.
    pub bg: Rgb,
}

impl Default for Style {
    fn default() -> Style {
        Style {
            fg: Rgb::WHITE,
            bg: Rgb::BLACK,
        }
    }
}

impl Style {
    /// Colours for the QR code: (light, dark). Light modules and the quiet
    /// zone take the lighter of the two colours and dark modules the darker,
    /// whichever is configured as foreground (an inverted code fails many
    /// scanners); colours too close in brightness give white and black.
    pub fn qr_colors(self) -> (Rgb, Rgb) {
        let (a, b) = (self.fg, self.bg);
        let (light, dark) = if a.luma() >= b.luma() { (a, b) } else { (b, a) };
        if light.luma() < 128 || dark.luma() >= 128 || light.luma() - dark.luma() < 96 {
            (Rgb::WHITE, Rgb::BLACK)
        } else {
            (light, dark)
        }
    }
}

/// The words on the screen.
#[derive(Clone, Copy, Debug, Default)]
pub struct Message<'a> {
    /// The headline, e.g. `KERNEL PANIC!`.
    pub title: &'a [u8],
    /// What happened, e.g. `Kernel panic - not syncing: Fatal exception`.
    pub reason: &'a [u8],
}

/// What goes into the report URL.
#[derive(Clone, Copy, Debug, Default)]
pub struct Report<'a> {
    /// The log, oldest first.
    pub log: &'a [u8],
    /// The decoder page.
    pub base_url: &'a [u8],
    /// `uname -m`.
    pub arch: &'a [u8],
    /// `uname -r`.
    pub release: &'a [u8],
}

/// Workspace bytes [`draw_qr_screen`] needs (any screen size).
pub const WORKSPACE_LEN: usize = build::workspace_len(Version::MAX) + Version::MAX.symbol_len();

/// The QR code a screen region can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QrLimit {
    /// The largest version to let the report fitter use.
    pub max_version: Version,
    /// The module size that version is drawn at (at least).
    pub module_px: usize,
}

/// The largest QR version a square of `side` pixels shows with its 4-module
/// quiet zone at a readable module size: 3 px or more when that still allows
/// version 25 or more (about 4 KiB of log), else 2 px; 1 px only when not
/// even version 1 fits at 2 px. `None` if no QR code fits at all.
pub fn qr_limit(side: usize) -> Option<QrLimit> {
    let version_at = |px: usize| -> Option<Version> {
        let modules = side / px;
        let v = modules.checked_sub(17 + 8)? / 4;
        Version::new(v.min(40) as u8)
    };
    for (px, at_least) in [(3, 25), (2, 1), (1, 1)] {
        if let Some(v) = version_at(px).filter(|v| v.number() >= at_least) {
            return Some(QrLimit {
                max_version: v,
                module_px: px,
            });
        }
    }
    None
}

/// The QR code [`draw_qr_screen`] will draw on a `width × height` screen
/// whose reason text is `reason`: the version limit handed to the report
/// fitter and the module size, or `None` if no QR code fits.
pub fn qr_plan(width: usize, height: usize, reason: &[u8]) -> Option<QrLimit> {
    let (s, m) = metrics(width, height);
    qr_limit(areas(width, height, s, m, reason).qr_side)
}

/// What [`draw_qr_screen`] drew.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QrScreen {
    /// The QR code, if one fits: version, module size in pixels, top-left
    /// corner of the quiet zone, bytes of log carried.
    pub qr: Option<QrPlaced>,
}

/// A QR code placed on the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QrPlaced {
    /// Its version.
    pub version: Version,
    /// Pixels per module.
    pub module_px: usize,
    /// Left edge of the quiet zone.
    pub x: usize,
    /// Top edge of the quiet zone.
    pub y: usize,
    /// Bytes of log in it (the newest whole lines).
    pub log_bytes: usize,
}

/// Text scale and margin for a screen: 1 font pixel per screen pixel up to
/// 719 pixels on the short side, then one more per 360.
pub(crate) fn metrics(w: usize, h: usize) -> (usize, usize) {
    let short = w.min(h);
    ((short / 360).max(1), (short / 40).max(2))
}

/// How many cells of `cell · scale` pixels fit in `len` pixels.
///
/// The divisor is a `NonZeroUsize` (scale ≥ 1; a zero would count as 1), so
/// the division has no divide-by-zero branch: rustc 1.85's LLVM cannot see
/// that `CELL_W · s` is non-zero and keeps one (ci/cross.sh).
pub(crate) fn cells(len: usize, cell: usize, scale: usize) -> usize {
    len / NonZeroUsize::new(cell.saturating_mul(scale)).unwrap_or(NonZeroUsize::MIN)
}

/// Where the text and the QR square go.
struct Areas {
    text_x: usize,
    text_y: usize,
    text_cols: usize,
    text_rows: usize,
    qr_x: usize,
    qr_y: usize,
    qr_side: usize,
}

fn areas(w: usize, h: usize, s: usize, m: usize, reason: &[u8]) -> Areas {
    let (cw, ch) = (CELL_W * s, CELL_H * s);
    // Side by side: 24 columns of text on the left, the QR square on the right.
    let side_a = (h.saturating_sub(2 * m)).min(w.saturating_sub(3 * m + 24 * cw));
    // Stacked: title, reason (up to 3 lines) and hint above, the QR below.
    let cols_b = cells(w.saturating_sub(2 * m), CELL_W, s).max(1);
    let rows_b = 3 + line_count(reason, cols_b, 3);
    let side_b = (w.saturating_sub(2 * m)).min(h.saturating_sub(3 * m + rows_b * ch));
    if side_a >= side_b {
        let text_w = w.saturating_sub((3 * m).saturating_add(side_a));
        Areas {
            text_x: m,
            text_y: m,
            text_cols: cells(text_w, CELL_W, s).max(1),
            text_rows: cells(h.saturating_sub(2 * m), CELL_H, s).max(1),
            qr_x: w.saturating_sub(m.saturating_add(side_a)),
            qr_y: (h.saturating_sub(side_a)) / 2,
            qr_side: side_a,
        }
    } else {
        Areas {
            text_x: m,
            text_y: m,
            text_cols: cols_b,
            text_rows: rows_b,
            qr_x: (w.saturating_sub(side_b)) / 2,
            qr_y: h.saturating_sub(m.saturating_add(side_b)),
            qr_side: side_b,
        }
    }
}

/// Lines `text` wraps to at `cols` columns, counting up to `max`.
fn line_count(text: &[u8], cols: usize, max: usize) -> usize {
    // Bounded by `max` (a range, not a counter): nothing to overflow.
    (0..max)
        .zip(wrap(text, cols))
        .map(|(i, _)| i + 1)
        .last()
        .unwrap_or(0)
}

/// Draws a block of wrapped text, returns the rows used.
#[expect(
    clippy::too_many_arguments,
    reason = "position, text, scale, box and colour are all distinct"
)]
fn draw_block<C: Canvas + ?Sized>(
    c: &mut C,
    x: usize,
    y: usize,
    text: &[u8],
    s: usize,
    cols: usize,
    max_rows: usize,
    color: Rgb,
) -> usize {
    let line_h = CELL_H.saturating_mul(s);
    let mut rows = 0;
    // row < max_rows, so row + 1 does not overflow.
    for (row, line) in (0..max_rows).zip(wrap(text, cols)) {
        draw_text(c, x, advance(y, row, line_h), line, s, cols, color);
        rows = row + 1;
    }
    rows
}

/// The "qr_code" screen: title, reason and a hint on one side, the report QR
/// code — as much log as the screen can show — on the other. The QR code's
/// size comes from the screen ([`qr_limit`]); if no QR code fits, or the
/// report cannot be built, the text is still drawn.
///
/// `workspace` needs [`WORKSPACE_LEN`] bytes.
pub fn draw_qr_screen<C: Canvas + ?Sized>(
    c: &mut C,
    msg: &Message<'_>,
    report: &Report<'_>,
    style: Style,
    workspace: &mut [u8],
) -> QrScreen {
    let (w, h) = c.size();
    // The code first, while this is the only frame below: building it is
    // the deepest path (see `build_report_qr`).
    let code = build_report_qr(w, h, msg.reason, report, workspace);
    draw_qr_screen_with(c, msg, style, code.as_ref().map(|(s, kept)| (s, *kept)))
}

/// The "qr_code" screen around a code the caller built: `code` is the
/// symbol and the bytes of log it carries, made for this screen with
/// [`qr_plan`]'s version limit. [`draw_qr_screen`] is this after building
/// the code; a caller that builds it itself keeps the build's frames apart
/// from the drawing's (the C library does, to stay within 2 KiB of stack).
///
/// # Examples
/// ```
/// use panicqr_qr::MaskChoice;
/// use panicqr_report::build::{build, workspace_len, Target};
/// use panicqr_screen::{draw_qr_screen_with, qr_plan, Framebuffer, Message, PixelFormat, Style};
/// let (w, h) = (640, 480);
/// let msg = Message { title: b"KERNEL PANIC!", reason: b"Fatal exception" };
/// let limit = qr_plan(w, h, msg.reason).unwrap();
/// let target = Target { max_version: limit.max_version, ..Target::new(b"https://e.org/#", b"x86_64", b"6.1") };
/// let mut ws = vec![0u8; workspace_len(limit.max_version)];
/// let mut out = vec![0u8; limit.max_version.symbol_len()];
/// let built = build(b"BUG: oops\n", &target, &mut ws, &mut out).unwrap();
/// let mut mem = vec![0u8; w * h * 4];
/// let mut fb = Framebuffer::new(&mut mem, w, h, w * 4, PixelFormat::Xrgb8888).unwrap();
/// let drawn = draw_qr_screen_with(&mut fb, &msg, Style::default(), Some((&built.symbol, built.fitted.kept)));
/// assert_eq!(drawn.qr.unwrap().log_bytes, 10);
/// ```
pub fn draw_qr_screen_with<C: Canvas + ?Sized>(
    c: &mut C,
    msg: &Message<'_>,
    style: Style,
    code: Option<(&Symbol<'_>, usize)>,
) -> QrScreen {
    let (w, h) = c.size();
    let (s, m) = metrics(w, h);
    let a = areas(w, h, s, m, msg.reason);
    draw_qr_text(c, msg, &a, s, style);
    match code {
        Some((symbol, log_bytes)) => place_qr(c, &a, symbol, log_bytes, style),
        None => QrScreen { qr: None },
    }
}

/// Draws the report's code centred in `a`'s QR square.
#[inline(never)]
fn place_qr<C: Canvas + ?Sized>(
    c: &mut C,
    a: &Areas,
    symbol: &Symbol<'_>,
    log_bytes: usize,
    style: Style,
) -> QrScreen {
    let side_modules = symbol.width() + 8;
    let px = (a.qr_side / side_modules).max(1);
    let margin = (a.qr_side - side_modules.saturating_mul(px).min(a.qr_side)) / 2;
    let x = a.qr_x.saturating_add(margin);
    let y = a.qr_y.saturating_add(margin);
    draw_symbol(c, symbol, x, y, px, style);
    QrScreen {
        qr: Some(QrPlaced {
            version: symbol.version(),
            module_px: px,
            x,
            y,
            log_bytes,
        }),
    }
}

/// Draws `symbol` with its quiet zone, top-left at (x, y), `px` pixels per module.
pub fn draw_symbol<C: Canvas + ?Sized>(
    c: &mut C,
    symbol: &Symbol<'_>,
    x: usize,
    y: usize,
    px: usize,
    style: Style,
) {
    let (light, dark) = style.qr_colors();
    let w = symbol.width();
    // Positions saturate (see `advance`); w + 8 is small (w ≤ 177).
    let side = (w + 8).saturating_mul(px);
    c.fill_rect(x, y, side, side, light);
    // The symbol starts after the 4-module quiet zone.
    let (x0, y0) = (advance(x, 4, px), advance(y, 4, px));
    for (my, row) in (0..w).zip(symbol.rows()) {
        let mut mx = 0;
        while mx < w {
            if !row.is_dark(mx) {
                mx += 1;
                continue;
            }
            let start = mx;
            while mx < w && row.is_dark(mx) {
                mx += 1;
            }
            c.fill_rect(
                advance(x0, start, px),
                advance(y0, my, px),
                // start < mx: the subtraction is exact.
                mx.saturating_sub(start).saturating_mul(px),
                px,
                dark,
            );
        }
    }
}

/// The "kmsg" screen: the log, wrapped to the screen, newest line at the bottom.
pub fn draw_kmsg_screen<C: Canvas + ?Sized>(c: &mut C, log: &[u8], style: Style) {
    let (w, h) = c.size();
    let (s, m) = metrics(w, h);
    c.fill_rect(0, 0, w, h, style.bg);
    let area = TextBox {
        x: m,
        y: m,
        cols: cells(w.saturating_sub(2 * m), CELL_W, s).max(1),
        rows: cells(h.saturating_sub(2 * m), CELL_H, s),
        scale: s,
    };
    draw_log(c, &area, log, false, style.fg);
}

/// A box of text on the screen: `rows` lines of `cols` characters from
/// (`x`, `y`), `scale` screen pixels per font pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextBox {
    /// Left edge.
    pub x: usize,
    /// Top edge.
    pub y: usize,
    /// Characters per line.
    pub cols: usize,
    /// Lines.
    pub rows: usize,
    /// Screen pixels per font pixel.
    pub scale: usize,
}

/// Draws the newest lines of `log` into `area`, each wrapped to its width:
/// newest first from the top down (the crash line where the eye starts),
/// or newest last from the bottom up (the kmsg screen, as a console
/// scrolls). The oldest line shown may be cut: newest first shows its
/// beginning, newest last its end. Returns the rows drawn. Lines are taken
/// from the end of the log until the box is full, so the time is bounded by
/// the box, not the log (but for the lines' own lengths).
pub(crate) fn draw_log<C: Canvas + ?Sized>(
    c: &mut C,
    area: &TextBox,
    log: &[u8],
    newest_first: bool,
    color: Rgb,
) -> usize {
    let (s, cols) = (area.scale, area.cols.max(1));
    let line_h = CELL_H.saturating_mul(s);
    let mut free = area.rows; // rows not drawn yet, at the end of the box
    let log = log.strip_suffix(b"\n").unwrap_or(log);
    for line in log.rsplit(|&b| b == b'\n') {
        if free == 0 {
            break;
        }
        if newest_first {
            // Rows first.. are free; `next` is the row after the line.
            let first = area.rows.saturating_sub(free);
            let mut next = first.saturating_add(1); // an empty line takes a row
            for (row, part) in (first..area.rows).zip(wrap(line, cols)) {
                draw_text(
                    c,
                    area.x,
                    advance(area.y, row, line_h),
                    part,
                    s,
                    cols,
                    color,
                );
                next = row.saturating_add(1);
            }
            free = area.rows.saturating_sub(next);
        } else {
            let n = line_count(line, cols, usize::MAX).max(1);
            // The newest `shown` parts of the line fill rows first..free
            // (shown ≤ free and shown ≤ n: the subtractions are exact).
            let shown = n.min(free);
            let first = free.saturating_sub(shown);
            for (row, part) in (first..free).zip(wrap(line, cols).skip(n.saturating_sub(shown))) {
                draw_text(
                    c,
                    area.x,
                    advance(area.y, row, line_h),
                    part,
                    s,
                    cols,
                    color,
                );
            }
            free = first;
        }
    }
    area.rows.saturating_sub(free)
}

/// The "user" screen: a calm headline, advice, and the reason.
pub fn draw_user_screen<C: Canvas + ?Sized>(c: &mut C, msg: &Message<'_>, style: Style) {
    let (w, h) = c.size();
    let (s, m) = metrics(w, h);
    c.fill_rect(0, 0, w, h, style.bg);
    let big = s * 2;
    let cols_big = cells(w.saturating_sub(2 * m), CELL_W, big).max(1);
    let cols = cells(w.saturating_sub(2 * m), CELL_W, s).max(1);
    // y only grows; saturating, as it may run off the canvas (drawing clips).
    let (line_big, line_h) = (CELL_H.saturating_mul(big), CELL_H.saturating_mul(s));
    let mut y = h / 4;
    for line in wrap(msg.title, cols_big).take(2) {
        draw_text(c, m, y, line, big, cols_big, style.fg);
        y = y.saturating_add(line_big);
    }
    y = y.saturating_add(line_h);
    let advice: &[u8] = b"Your computer stopped because of a problem it could not recover from. \
Restart it. If this happens again, report it with the details below.";
    for text in [advice, msg.reason] {
        for line in wrap(text, cols).take(6) {
            draw_text(c, m, y, line, s, cols, style.fg);
            y = y.saturating_add(line_h);
        }
        y = y.saturating_add(line_h);
    }
}

/// The title, reason and hint of the "qr_code" screen, in `a`'s text area.
/// A frame of its own, so the text's locals never sit under the QR build.
#[inline(never)]
fn draw_qr_text<C: Canvas + ?Sized>(
    c: &mut C,
    msg: &Message<'_>,
    a: &Areas,
    s: usize,
    style: Style,
) {
    let (w, h) = c.size();
    c.fill_rect(0, 0, w, h, style.bg);
    let line_h = CELL_H.saturating_mul(s);
    // Rows used so far: each block returns at most the rows it was given, so
    // the sums stay below a.text_rows + 2; saturating all the same.
    let mut row = draw_block(
        c,
        a.text_x,
        a.text_y,
        msg.title,
        s,
        a.text_cols,
        1,
        style.fg,
    )
    .saturating_add(1);
    let reason_rows = a.text_rows.saturating_sub(row.saturating_add(1)).min(8);
    row = row.saturating_add(draw_block(
        c,
        a.text_x,
        advance(a.text_y, row, line_h),
        msg.reason,
        s,
        a.text_cols,
        reason_rows,
        style.fg,
    ));
    if a.text_rows > row.saturating_add(2) {
        row = row.saturating_add(1);
    }
    let hint: &[u8] = b"Scan the QR code to read and report this crash.";
    if row < a.text_rows {
        draw_block(
            c,
            a.text_x,
            advance(a.text_y, row, line_h),
            hint,
            s,
            a.text_cols,
            a.text_rows - row,
            style.fg,
        );
    }
}

/// The report's QR code for a `w × h` screen with reason `reason`, and the
/// log bytes it carries. Not inlined, and called before anything is drawn:
/// its frame and `build`'s are then the only ones on top of the screen's.
#[inline(never)]
fn build_report_qr<'w>(
    w: usize,
    h: usize,
    reason: &[u8],
    report: &Report<'_>,
    workspace: &'w mut [u8],
) -> Option<(Symbol<'w>, usize)> {
    let limit = qr_plan(w, h, reason)?;
    let (ws, out) = workspace.split_at_mut(build::workspace_len(Version::MAX).min(workspace.len()));
    let target = build::Target {
        max_version: limit.max_version,
        mask: MaskChoice::Auto,
        ..build::Target::new(report.base_url, report.arch, report.release)
    };
    let Built { symbol, fitted, .. } = build::build(report.log, &target, ws, out).ok()?;
    Some((symbol, fitted.kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_screen() {
        // 240 px: version 8 at 3 px is small, so 2 px gives version 15.
        assert_eq!(
            qr_limit(172),
            Some(QrLimit {
                max_version: Version::new(15).unwrap(),
                module_px: 2
            })
        );
        assert_eq!(
            qr_limit(456),
            Some(QrLimit {
                max_version: Version::new(31).unwrap(),
                module_px: 3
            })
        );
        assert_eq!(
            qr_limit(1026),
            Some(QrLimit {
                max_version: Version::MAX,
                module_px: 3
            })
        );
        assert_eq!(qr_limit(40).map(|l| l.module_px), Some(1));
        assert_eq!(qr_limit(20), None);
    }

    /// A canvas of any claimed size that only counts what it is asked to draw
    /// (a real one clips).
    struct Claimed {
        size: (usize, usize),
        rects: usize,
        qr_modules: usize,
    }

    impl Canvas for Claimed {
        fn size(&self) -> (usize, usize) {
            self.size
        }
        fn fill_rect(&mut self, _x: usize, _y: usize, w: usize, h: usize, color: Rgb) {
            self.rects += 1;
            self.qr_modules += usize::from(color == Rgb::BLACK && w > 0 && h == w);
        }
    }

    #[test]
    fn any_canvas_size_draws_without_overflow() {
        // Overflow checks are on in tests (and in the release profile): a
        // position that overflowed would panic here.
        let mut ws = std::vec![0u8; WORKSPACE_LEN];
        let mut parts_ws = std::vec![0u8; crate::PARTS_WORKSPACE_LEN];
        let reason = [b'x'; 700];
        let msg = Message {
            title: b"KERNEL PANIC!",
            reason: &reason,
        };
        let log = b"[    0.000000] Linux version 6.1\n[    1.000000] Kernel panic - not syncing\n";
        let report = Report {
            log,
            base_url: b"https://e.org/#",
            arch: b"x86_64",
            release: b"6.1",
        };
        let m = usize::MAX;
        for size in [(m, m), (m, 480), (640, m), (m / 3, m / 7), (1, 1), (m, 1)] {
            let mut c = Claimed {
                size,
                rects: 0,
                qr_modules: 0,
            };
            let placed = draw_qr_screen(&mut c, &msg, &report, Style::default(), &mut ws);
            if size.0 >= 640 && size.1 >= 640 {
                let qr = placed.qr.unwrap();
                assert!(qr.log_bytes > 0, "{size:?}");
                assert!(c.qr_modules > 0, "{size:?}: no dark module drawn");
            }
            draw_kmsg_screen(&mut c, log, Style::default());
            draw_user_screen(&mut c, &msg, Style::default());
            assert!(c.rects > 3, "{size:?}");
            let rects = c.rects;
            let drawn = crate::draw_parts_screen(
                &mut c,
                &msg,
                &report,
                Style::default(),
                &crate::PartsOptions::default(),
                &mut parts_ws,
            );
            if size.0 >= 640 && size.1 >= 640 {
                assert!(drawn.count > 0, "{size:?}");
                assert!(drawn.log_text.is_some_and(|b| b.rows > 0), "{size:?}");
            }
            assert!(c.rects > rects, "{size:?}");
        }
        // Positions and scales far off any real screen: everything saturates
        // (and a real canvas clips) instead of overflowing.
        let mut out = [0u8; 4071];
        let mut scratch = [0u8; 3706 + 4071];
        let sym = panicqr_qr::encode(
            &[panicqr_qr::Segment::Bytes(b"overflow")],
            &panicqr_qr::Options::default(),
            &mut scratch,
            &mut out,
        )
        .unwrap();
        let mut c = Claimed {
            size: (m, m),
            rects: 0,
            qr_modules: 0,
        };
        draw_symbol(&mut c, &sym, m - 10, m - 10, m / 100, Style::default());
        assert!(c.qr_modules > 0);
        let drawn = draw_text(&mut c, m - 5, m - 5, b"Panic", m / 2, 100, Rgb::WHITE);
        assert_eq!(drawn, 5);
    }

    #[test]
    fn qr_colours_are_never_inverted() {
        let s = Style {
            fg: Rgb::BLACK,
            bg: Rgb::WHITE,
        };
        assert_eq!(s.qr_colors(), (Rgb::WHITE, Rgb::BLACK));
        let s = Style {
            fg: Rgb::hex(0x00FF00),
            bg: Rgb::hex(0x202020),
        };
        assert_eq!(s.qr_colors(), (Rgb::hex(0x00FF00), Rgb::hex(0x202020)));
        let s = Style {
            fg: Rgb::hex(0x808080),
            bg: Rgb::hex(0x707070),
        };
        assert_eq!(s.qr_colors(), (Rgb::WHITE, Rgb::BLACK));
    }
}
