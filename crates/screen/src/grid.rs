//! The "qr_code" screen with the report over several codes (docs/format.md
//! §9): as many codes as fit the screen at a size phones read, each with an
//! "i/n" label, title, reason and hint beside them, and the newest log
//! lines as text in the space the codes leave, the crash line first.
//!
//! The defaults, and why (see the README): codes of version 25 or less
//! (ZXing's maintainers find codes hard to read past about version 20;
//! SMART Health Cards stop at 22) at 3 pixels per module or more, each with
//! its 4-module quiet zone. Among those, the grid that carries the most
//! compressed bytes wins. When that is less than the one code the classic
//! screen shows ([`crate::qr_plan`]), the screen is small: denser codes
//! (2 px per module, up to version 40) are allowed, so several codes never
//! carry less than one.

use panicqr_qr::{render, Prepared, Symbol, Version};
use panicqr_report::build::{BuildError, Target};
use panicqr_report::fit;
use panicqr_report::parts::{self, Split, MAX_PARTS};
use panicqr_report::url::{self, PartTag};

use crate::font::{draw_text, CELL_H, CELL_W};
use crate::format::Rgb;
use crate::framebuffer::Canvas;
use crate::layout::{
    cells, draw_log, draw_symbol, metrics, qr_plan, Message, Report, Style, TextBox,
};

/// The narrowest space the log lines are drawn in, in characters: less
/// shows too little of a line to read.
const LOG_COLS_MIN: usize = 12;

/// How a report is spread over codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartsOptions {
    /// The most codes to draw (1 to [`MAX_PARTS`]).
    pub max_parts: usize,
    /// The largest version a phone should have to read.
    pub max_version: Version,
    /// The smallest module a phone should have to read, in pixels.
    pub min_module_px: usize,
}

impl Default for PartsOptions {
    /// Up to 16 codes of version 25 or less at 3 px per module or more.
    fn default() -> PartsOptions {
        PartsOptions {
            max_parts: MAX_PARTS,
            max_version: Version::new(25).unwrap_or(Version::MAX),
            min_module_px: 3,
        }
    }
}

/// Workspace bytes [`draw_parts_screen`] needs (any screen and options).
pub const PARTS_WORKSPACE_LEN: usize =
    parts::workspace_len(Version::MAX, MAX_PARTS) + Version::MAX.symbol_len();

/// Where the codes go: `cols × rows` cells from (`x`, `y`), each a code of
/// `version` at `module_px` with its label below.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    /// The largest version of the codes.
    pub version: Version,
    /// Pixels per module.
    pub module_px: usize,
    /// Cells across.
    pub cols: usize,
    /// Cells down.
    pub rows: usize,
    /// Left edge of the first cell.
    pub x: usize,
    /// Top edge of the first cell.
    pub y: usize,
    /// Compressed bytes each code holds.
    pub capacity: usize,
}

impl Grid {
    /// Codes the grid holds.
    pub fn cells(&self) -> usize {
        self.cols.saturating_mul(self.rows)
    }

    fn side(&self) -> usize {
        side(self.version, self.module_px)
    }

    /// The report target of the grid's codes.
    fn target<'a>(&self, report: &Report<'a>) -> Target<'a> {
        Target {
            max_version: self.version,
            ..Target::new(report.base_url, report.arch, report.release)
        }
    }

    /// The workspace of the split; the rest holds one code.
    fn workspace_len(&self) -> usize {
        parts::workspace_len(self.version, self.cells())
    }
}

/// What [`draw_parts_screen`] drew.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartsScreen {
    /// The grid, if any code fits.
    pub grid: Option<Grid>,
    /// Codes drawn.
    pub count: usize,
    /// Bytes of log the codes carry together (the newest).
    pub log_bytes: usize,
    /// Where the newest log lines were drawn (`rows` = lines drawn), if
    /// the codes leave room for them.
    pub log_text: Option<TextBox>,
}

/// The text column (or band, on a tall screen) and the grid's area.
struct Split2 {
    text: (usize, usize, usize, usize),
    grid: (usize, usize, usize, usize),
    scale: usize,
    margin: usize,
}

fn areas(w: usize, h: usize) -> Split2 {
    // Text one step smaller than on the one-code screen: the codes need
    // the room more (at 1366x768 it makes 6 codes of version 23 fit
    // instead of version 22).
    let (s, m) = metrics(w, h);
    let s = s.saturating_sub(1).max(1);
    let cw = CELL_W.saturating_mul(s);
    let ch = CELL_H.saturating_mul(s);
    if w >= h {
        // A column of 24 characters on the left (at most a quarter).
        let tw = cw.saturating_mul(24).min(w / 4);
        let gx = m.saturating_mul(2).saturating_add(tw);
        Split2 {
            text: (m, m, tw, h.saturating_sub(2 * m)),
            grid: (
                gx,
                m,
                w.saturating_sub(gx.saturating_add(m)),
                h.saturating_sub(2 * m),
            ),
            scale: s,
            margin: m,
        }
    } else {
        // Six lines across the top.
        let th = ch.saturating_mul(6);
        let gy = m.saturating_mul(2).saturating_add(th);
        Split2 {
            text: (m, m, w.saturating_sub(2 * m), th),
            grid: (
                m,
                gy,
                w.saturating_sub(2 * m),
                h.saturating_sub(gy.saturating_add(m)),
            ),
            scale: s,
            margin: m,
        }
    }
}

/// A code's side with its quiet zone, in pixels.
fn side(v: Version, px: usize) -> usize {
    v.width().saturating_add(8).saturating_mul(px)
}

/// The grid [`draw_parts_screen`] uses on a `w × h` screen for `report`
/// (its URL prefix decides how much each code holds), or `None` if no code
/// fits.
///
/// # Examples
/// ```
/// use panicqr_screen::{parts_grid, PartsOptions, Report};
/// let report = Report { log: b"", base_url: b"https://e.org/#", arch: b"x86_64", release: b"6.1" };
/// let g = parts_grid(1920, 1080, &report, &PartsOptions::default()).unwrap();
/// assert!(g.cells() > 1 && g.version.number() <= 25 && g.module_px >= 3);
/// ```
pub fn parts_grid(w: usize, h: usize, report: &Report<'_>, opts: &PartsOptions) -> Option<Grid> {
    let a = areas(w, h);
    let (gx, gy, gw, gh) = a.grid;
    let label = label_height(a.scale);
    let max_parts = opts.max_parts.clamp(1, MAX_PARTS);
    let widest = PartTag {
        index: max_parts as u8,
        count: max_parts as u8,
        id: u32::MAX,
    };
    let plen = url::part_prefix_len(
        report.base_url,
        report.arch,
        report.release,
        Some(&widest),
        url::Packing::Z,
    );
    let best = |px_min: usize, px_max: usize, v_max: u8| -> Option<(usize, Grid)> {
        let mut best: Option<(usize, Grid)> = None;
        for px in px_min..=px_max {
            for n in 1..=v_max {
                let Some(v) = Version::new(n) else { continue };
                let s = side(v, px).max(1);
                let cols = gw / s;
                let rows = gh / s.saturating_add(label);
                let cells = cols.saturating_mul(rows).min(max_parts);
                let Some(cap) = fit::capacity(plen, v, url::Packing::Z) else {
                    continue;
                };
                let total = cells.saturating_mul(cap);
                // The most bytes; then fewer, larger codes; then larger modules.
                if cells > 0 && best.as_ref().is_none_or(|(t, _)| total > *t) {
                    let grid = Grid {
                        version: v,
                        module_px: px,
                        cols,
                        rows,
                        x: gx,
                        y: gy,
                        capacity: cap,
                    };
                    best = Some((total, grid));
                }
            }
        }
        best
    };
    let phone = best(
        opts.min_module_px.max(1),
        opts.min_module_px.max(1),
        opts.max_version.number(),
    );
    // What the one-code screen carries here: several codes never carry less.
    let one = qr_plan(w, h, b"")
        .and_then(|l| fit::capacity(plen, l.max_version, url::Packing::Z))
        .unwrap_or(0);
    match phone {
        Some((total, g)) if total >= one => Some(g),
        _ => best(2, 2, Version::MAX.number())
            .or_else(|| best(1, 1, Version::MAX.number()))
            .map(|(_, g)| g),
    }
}

/// The "qr_code" screen with the report over as many codes as
/// [`parts_grid`] fits: part 1 (the newest lines) top left, then across and
/// down, each labelled "i/n"; title, reason and a hint beside them, and the
/// newest log lines, the crash line first, in the largest space left.
/// `workspace` needs [`PARTS_WORKSPACE_LEN`] bytes.
///
/// The stages, for a caller that keeps their stack frames apart (the C
/// library does): [`parts_grid`], [`split_parts`], [`draw_parts_text`],
/// then [`build_parts_code`] and [`draw_parts_code`] for each part.
///
/// # Examples
/// ```
/// use panicqr_screen::{draw_parts_screen, Framebuffer, Message, PartsOptions, PixelFormat, Report, Style, PARTS_WORKSPACE_LEN};
/// let (w, h) = (1024, 768);
/// let mut mem = vec![0u8; w * h * 4];
/// let mut fb = Framebuffer::new(&mut mem, w, h, w * 4, PixelFormat::Xrgb8888).unwrap();
/// let log: Vec<u8> = (0..600).flat_map(|i| format!("[{i:5}.000000] line {i}: some text {}\n", i * 7919 % 10007).into_bytes()).collect();
/// let report = Report { log: &log, base_url: b"https://e.org/#", arch: b"x86_64", release: b"6.1" };
/// let msg = Message { title: b"KERNEL PANIC!", reason: b"Fatal exception" };
/// let mut ws = vec![0u8; PARTS_WORKSPACE_LEN];
/// let drawn = draw_parts_screen(&mut fb, &msg, &report, Style::default(), &PartsOptions::default(), &mut ws);
/// assert!(drawn.count > 1);
/// assert!(drawn.log_text.unwrap().rows > 0);
/// ```
pub fn draw_parts_screen<C: Canvas + ?Sized>(
    c: &mut C,
    msg: &Message<'_>,
    report: &Report<'_>,
    style: Style,
    opts: &PartsOptions,
    workspace: &mut [u8],
) -> PartsScreen {
    let (w, h) = c.size();
    let grid = parts_grid(w, h, report, opts);
    let mut split = Split::default();
    if let Some(g) = &grid {
        // On error the split holds no part: the text alone is drawn.
        let _ = split_parts(report, g, workspace, &mut split);
    }
    let count = split.count();
    let log_text = draw_parts_text(c, msg, report.log, grid.as_ref(), count, style);
    if let Some(g) = &grid {
        for index in 1..=count {
            draw_part(c, report, g, &split, index, workspace, style);
        }
    }
    PartsScreen {
        grid,
        count,
        log_bytes: if count > 0 {
            report.log.len().saturating_sub(split.window_start())
        } else {
            0
        },
        log_text,
    }
}

/// Splits `report` over the codes of `grid` into `split` (see
/// [`parts::split_into`]), keeping the streams in `workspace`
/// ([`PARTS_WORKSPACE_LEN`] bytes) for [`build_parts_code`].
///
/// # Errors
/// Those of [`parts::split_into`]; `split` then holds no part.
///
/// # Examples
/// ```
/// use panicqr_report::parts::Split;
/// use panicqr_screen::{parts_grid, split_parts, PartsOptions, Report, PARTS_WORKSPACE_LEN};
/// let report = Report { log: b"[ 1.0] BUG: oops\n", base_url: b"https://e.org/#", arch: b"x86_64", release: b"6.1" };
/// let grid = parts_grid(1366, 768, &report, &PartsOptions::default()).unwrap();
/// let mut ws = vec![0u8; PARTS_WORKSPACE_LEN];
/// let mut split = Split::default();
/// split_parts(&report, &grid, &mut ws, &mut split)?;
/// assert_eq!(split.count(), 1);
/// # Ok::<(), panicqr_report::build::BuildError>(())
/// ```
#[inline]
pub fn split_parts(
    report: &Report<'_>,
    grid: &Grid,
    workspace: &mut [u8],
    split: &mut Split,
) -> Result<(), BuildError> {
    parts::split_into(
        report.log,
        &grid.target(report),
        grid.cells(),
        workspace,
        split,
    )
}

/// The code of part `index` of a [`split_parts`] made with the same
/// `report`, `grid` and `workspace`, drawn into the end of the workspace;
/// `None` if it cannot be built. [`prepare_parts_code`] and
/// [`panicqr_qr::render`] in one.
///
/// # Examples
/// ```
/// use panicqr_report::parts::Split;
/// use panicqr_screen::{build_parts_code, parts_grid, split_parts, PartsOptions, Report, PARTS_WORKSPACE_LEN};
/// let report = Report { log: b"[ 1.0] BUG: oops\n", base_url: b"https://e.org/#", arch: b"x86_64", release: b"6.1" };
/// let grid = parts_grid(1366, 768, &report, &PartsOptions::default()).unwrap();
/// let mut ws = vec![0u8; PARTS_WORKSPACE_LEN];
/// let mut split = Split::default();
/// split_parts(&report, &grid, &mut ws, &mut split).unwrap();
/// let code = build_parts_code(&report, &grid, &split, 1, &mut ws).unwrap();
/// assert!(code.version() <= grid.version);
/// ```
pub fn build_parts_code<'w>(
    report: &Report<'_>,
    grid: &Grid,
    split: &Split,
    index: usize,
    workspace: &'w mut [u8],
) -> Option<Symbol<'w>> {
    let (prepared, out) = prepare_parts_code(report, grid, split, index, workspace)?;
    render(prepared, out).ok()
}

/// The first half of [`build_parts_code`]: part `index`'s codewords, ready
/// for [`panicqr_qr::render`] into the buffer returned with them (the end
/// of the workspace). The prepare's frames are gone before the render's
/// start (see [`parts::prepare_part`]).
///
/// # Examples
/// ```
/// use panicqr_qr::render;
/// use panicqr_report::parts::Split;
/// use panicqr_screen::{parts_grid, prepare_parts_code, split_parts, PartsOptions, Report, PARTS_WORKSPACE_LEN};
/// let report = Report { log: b"[ 1.0] BUG: oops\n", base_url: b"https://e.org/#", arch: b"x86_64", release: b"6.1" };
/// let grid = parts_grid(1366, 768, &report, &PartsOptions::default()).unwrap();
/// let mut ws = vec![0u8; PARTS_WORKSPACE_LEN];
/// let mut split = Split::default();
/// split_parts(&report, &grid, &mut ws, &mut split).unwrap();
/// let (prepared, out) = prepare_parts_code(&report, &grid, &split, 1, &mut ws).unwrap();
/// assert!(render(prepared, out).is_ok());
/// ```
pub fn prepare_parts_code<'w>(
    report: &Report<'_>,
    grid: &Grid,
    split: &Split,
    index: usize,
    workspace: &'w mut [u8],
) -> Option<(Prepared<'w>, &'w mut [u8])> {
    let len = grid.workspace_len().min(workspace.len());
    let (ws, out) = workspace.split_at_mut(len);
    let prepared = parts::prepare_part(&grid.target(report), split, index, ws).ok()?;
    Some((prepared, out))
}

/// Part `index`'s code: built, then drawn in its cell. The build's frames
/// are gone before the drawing's start.
#[inline(never)]
fn draw_part<C: Canvas + ?Sized>(
    c: &mut C,
    report: &Report<'_>,
    g: &Grid,
    split: &Split,
    index: usize,
    workspace: &mut [u8],
    style: Style,
) {
    if let Some(symbol) = build_parts_code(report, g, split, index, workspace) {
        draw_parts_code(c, g, index, split.count(), &symbol, style);
    }
}

/// Draws part `index` of `count`'s code (made by [`build_parts_code`] for
/// this canvas's [`parts_grid`]) in its cell of `grid`, with its "i/n"
/// label below.
///
/// # Examples
/// ```
/// use panicqr_qr::{encode, Options, Segment};
/// use panicqr_screen::{draw_parts_code, parts_grid, Framebuffer, PartsOptions, PixelFormat, Report, Style};
/// let (w, h) = (1366, 768);
/// let report = Report { log: b"", base_url: b"https://e.org/#", arch: b"x86_64", release: b"6.1" };
/// let grid = parts_grid(w, h, &report, &PartsOptions::default()).unwrap();
/// let (mut scratch, mut out) = (vec![0u8; 7777], vec![0u8; 4071]);
/// let code = encode(&[Segment::Bytes(b"https://e.org/#?p=1/2")], &Options::default(), &mut scratch, &mut out).unwrap();
/// let mut mem = vec![0u8; w * h * 4];
/// let mut fb = Framebuffer::new(&mut mem, w, h, w * 4, PixelFormat::Xrgb8888).unwrap();
/// draw_parts_code(&mut fb, &grid, 1, 2, &code, Style::default());
/// ```
pub fn draw_parts_code<C: Canvas + ?Sized>(
    c: &mut C,
    g: &Grid,
    index: usize,
    count: usize,
    symbol: &Symbol<'_>,
    style: Style,
) {
    let (w, h) = c.size();
    let scale = areas(w, h).scale;
    let cols = g.cols.max(1);
    let i = index.saturating_sub(1);
    let cell = g.side();
    let label_h = label_height(scale);
    let x = g.x.saturating_add((i % cols).saturating_mul(cell));
    let y =
        g.y.saturating_add((i / cols).saturating_mul(cell.saturating_add(label_h)));
    // A smaller version than the grid's is centred in its cell.
    let own = side(symbol.version(), g.module_px);
    let inset = cell.saturating_sub(own) / 2;
    draw_symbol(
        c,
        symbol,
        x.saturating_add(inset),
        y.saturating_add(inset),
        g.module_px,
        style,
    );
    let mut label = [0u8; 7];
    let n = write_label(&mut label, index, count);
    let text = label.get(..n).unwrap_or(&[]);
    let text_w = CELL_W.saturating_mul(scale).saturating_mul(n);
    draw_text(
        c,
        x.saturating_add(cell.saturating_sub(text_w) / 2),
        y.saturating_add(cell),
        text,
        scale,
        n,
        style.fg,
    );
}

/// The height of the "i/n" label under a code, with its gap.
fn label_height(scale: usize) -> usize {
    CELL_H.saturating_mul(scale).saturating_add(2)
}

/// "i/n" into `out`, returning its length.
fn write_label(out: &mut [u8; 7], i: usize, n: usize) -> usize {
    let mut len = 0;
    let mut put = |b: u8| {
        if let Some(o) = out.get_mut(len) {
            *o = b;
            len += 1;
        }
    };
    for v in [Some(i), None, Some(n)] {
        match v {
            Some(v) => {
                if v >= 10 {
                    put(b'0' + (v / 10 % 10) as u8);
                }
                put(b'0' + (v % 10) as u8);
            }
            None => put(b'/'),
        }
    }
    len
}

/// Everything on the parts screen but the codes: the background, title,
/// reason and hint beside the codes, and the newest log lines, the crash
/// line first, in the largest space the `count` codes of `grid` leave
/// (under the words, right of the codes or below them; never over a code
/// or its quiet zone). Returns where the log lines went. `grid` is this
/// canvas's [`parts_grid`] (`None` if no code fits: the lines then take
/// the codes' place).
///
/// # Examples
/// ```
/// use panicqr_screen::{draw_parts_text, parts_grid, Framebuffer, Message, PartsOptions, PixelFormat, Report, Style};
/// let (w, h) = (1366, 768);
/// let report = Report { log: b"[ 1.0] BUG: oops\n", base_url: b"https://e.org/#", arch: b"x86_64", release: b"6.1" };
/// let grid = parts_grid(w, h, &report, &PartsOptions::default());
/// let mut mem = vec![0u8; w * h * 4];
/// let mut fb = Framebuffer::new(&mut mem, w, h, w * 4, PixelFormat::Xrgb8888).unwrap();
/// let msg = Message { title: b"KERNEL PANIC!", reason: b"Fatal exception" };
/// let text = draw_parts_text(&mut fb, &msg, report.log, grid.as_ref(), 1, Style::default()).unwrap();
/// assert_eq!(text.rows, 1);
/// ```
pub fn draw_parts_text<C: Canvas + ?Sized>(
    c: &mut C,
    msg: &Message<'_>,
    log: &[u8],
    grid: Option<&Grid>,
    count: usize,
    style: Style,
) -> Option<TextBox> {
    let (w, h) = c.size();
    c.fill_rect(0, 0, w, h, style.bg);
    let a = areas(w, h);
    let words = draw_words(c, msg, &a, count, style);
    let mut area = log_area(&a, words, grid, count)?;
    area.rows = draw_log(c, &area, log, true, log_color(style));
    Some(area)
}

/// The log lines' colour: 5/8 of the way from the background to the text
/// colour, a step back from the title and reason. Measured on the photos of
/// multi-code screens (`crates/scan/tests/parts_photos.rs`): lines at full
/// strength beside the codes cost 2 of 336 codes read (2 photos no longer
/// whole); at this strength none. Still on the text's side of mid-grey for
/// white on black and dark on light, so 1-bit screens show it.
fn log_color(style: Style) -> Rgb {
    let mix = |t: u8, b: u8| ((u16::from(t) * 5 + u16::from(b) * 3) / 8) as u8;
    Rgb {
        r: mix(style.fg.r, style.bg.r),
        g: mix(style.fg.g, style.bg.g),
        b: mix(style.fg.b, style.bg.b),
    }
}

/// The largest of the spaces the words and the codes leave, as a box of
/// text at the words' scale, if one is at least [`LOG_COLS_MIN`] wide.
fn log_area(a: &Split2, words: usize, grid: Option<&Grid>, count: usize) -> Option<TextBox> {
    let s = a.scale;
    let ch = CELL_H.saturating_mul(s);
    let (tx, ty, tw, th) = a.text;
    let (gx, gy, gw, gh) = a.grid;
    // The codes drawn fill whole rows of the grid but the last: the box
    // around them (labels included), then a margin.
    let (used_w, used_h) = match grid {
        Some(g) if count > 0 => {
            let cols = g.cols.max(1);
            let rows = count.div_ceil(cols);
            let cell = g.side();
            (
                g.x.saturating_sub(gx)
                    .saturating_add(count.min(cols).saturating_mul(cell))
                    .saturating_add(a.margin),
                g.y.saturating_sub(gy)
                    .saturating_add(rows.saturating_mul(cell.saturating_add(label_height(s))))
                    .saturating_add(a.margin),
            )
        }
        _ => (0, 0),
    };
    // A blank line after the words.
    let below_words = words.saturating_add(1).saturating_mul(ch);
    let spaces = [
        (
            tx,
            ty.saturating_add(below_words),
            tw,
            th.saturating_sub(below_words),
        ),
        (gx.saturating_add(used_w), gy, gw.saturating_sub(used_w), gh),
        (gx, gy.saturating_add(used_h), gw, gh.saturating_sub(used_h)),
    ];
    spaces
        .iter()
        .map(|&(x, y, w, h)| TextBox {
            x,
            y,
            cols: cells(w, CELL_W, s),
            rows: cells(h, CELL_H, s),
            scale: s,
        })
        .filter(|b| b.cols >= LOG_COLS_MIN && b.rows > 0)
        .max_by_key(|b| b.cols.saturating_mul(b.rows))
}

/// Title, reason and the hint in the text area; returns the rows used.
fn draw_words<C: Canvas + ?Sized>(
    c: &mut C,
    msg: &Message<'_>,
    a: &Split2,
    count: usize,
    style: Style,
) -> usize {
    let (x, y, tw, th) = a.text;
    let s = a.scale;
    let line_h = CELL_H.saturating_mul(s);
    let cols = (tw / CELL_W.saturating_mul(s).max(1)).max(1);
    let rows = (th / line_h.max(1)).max(1);
    let mut row = 0usize;
    let block = |c: &mut C, text: &[u8], max: usize, row: &mut usize| {
        for line in crate::font::wrap(text, cols).take(max.min(rows.saturating_sub(*row))) {
            draw_text(
                c,
                x,
                y.saturating_add(row.saturating_mul(line_h)),
                line,
                s,
                cols,
                style.fg,
            );
            *row = row.saturating_add(1);
        }
    };
    block(c, msg.title, 1, &mut row);
    row = row.saturating_add(1);
    block(c, msg.reason, 8, &mut row);
    row = row.saturating_add(1);
    let hint: &[u8] = match count {
        0 => b"",
        1 => b"Scan the QR code to read and report this crash.",
        _ => b"Scan every code, in any order, to read and report this crash. 1/n holds the crash itself.",
    };
    block(c, hint, 6, &mut row);
    row
}
