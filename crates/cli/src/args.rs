//! The command line, declared with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Crash reports as QR codes: encode a kernel log into the QR code a crashed
/// machine shows (Linux drm_panic compatible), and read such codes back.
///
/// Exit codes and output rules: see [`AFTER_HELP`].
#[derive(Parser, Debug)]
#[command(name = "panicqr", version, about, long_about = None, propagate_version = true, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Exit codes and output rules, shown under `panicqr --help`.
const AFTER_HELP: &str = "\
Exit codes: 0 = complete, 2 = bad input, 3 = partial result, 1 = other error
(such as a failed write). A closed standard output (`| head`) ends a command
quietly with 0; a closed standard error only loses the messages.

Text decoded from a report or a QR code is written exactly to a file, a pipe
or JSON, and with control characters escaped (\\x1b) on a terminal; messages
on standard error are always escaped.";

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Encode text as a QR code (terminal, PNG, SVG or a 0/1 matrix).
    Qr(QrArgs),
    /// Encode a kernel log as a panic report QR code (Linux drm_panic format).
    Encode(EncodeArgs),
    /// Decode a panic report URL (or its digits) back to the log.
    Decode(DecodeArgs),
    /// Render the panic screen a crashed machine would show, as PNG or raw framebuffer bytes.
    Screen(ScreenArgs),
    /// Serve the decoder web page on 127.0.0.1 for local use (offline).
    ///
    /// At most 32 connections at once (503 beyond), request heads of at most
    /// 8 KiB (431), 10 s for each request (408).
    Serve(ServeArgs),
    /// Read the QR code in photos or screenshots (PNG, JPEG) and decode the report.
    ///
    /// Files of at most 64 MiB and 50 megapixels (checked before decoding).
    Scan(ScanArgs),
    /// Run a crash intake: receive report URLs, group the crashes, serve an
    /// API and a dashboard (see the README's "Crash intake").
    Intake(IntakeArgs),
    /// Send report URLs to a crash intake; prints its JSON answer.
    Submit(SubmitArgs),
}

/// `panicqr scan`.
#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Images, directories (every PNG/JPEG in them) or glob patterns
    /// (`shots/*.jpg`, `day?/[ab]*.png`).
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
    /// Print one JSON object per image instead of the log.
    #[arg(long)]
    pub json: bool,
}

/// Which panic screen.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScreenKind {
    /// Title, reason and the report QR code.
    Qr,
    /// The log text, newest line at the bottom.
    Kmsg,
    /// A calm message for users: title, advice, reason.
    User,
}

/// `panicqr screen`.
#[derive(Args, Debug)]
pub struct ScreenArgs {
    /// The log file; `-` or nothing reads standard input (at most 32 MiB).
    #[arg(value_name = "LOG|-")]
    pub log: Option<PathBuf>,
    /// Screen size in pixels.
    #[arg(long, default_value = "1920x1080", value_parser = parse_size)]
    pub size: (usize, usize),
    /// Framebuffer pixel format (for `.raw` output; PNG shows what it looks like).
    #[arg(long, default_value = "xrgb8888", value_parser = parse_format)]
    pub pixel_format: panicqr_screen::PixelFormat,
    /// Which screen to draw.
    #[arg(long, value_enum, default_value_t = ScreenKind::Qr)]
    pub screen: ScreenKind,
    /// Text colour, RRGGBB.
    #[arg(long, default_value = "ffffff", value_parser = parse_color)]
    pub fg: panicqr_screen::Rgb,
    /// Background colour, RRGGBB.
    #[arg(long, default_value = "000000", value_parser = parse_color)]
    pub bg: panicqr_screen::Rgb,
    /// Where the report URL points and what it says about the machine.
    #[command(flatten)]
    pub target: ReportTarget,
    /// Headline.
    #[arg(long, default_value = "KERNEL PANIC!")]
    pub title: String,
    /// What happened (default: the panic line found in the log).
    #[arg(long)]
    pub reason: Option<String>,
    /// Output file: `.png`, or `.raw` for the framebuffer bytes (`-` = PNG on standard output).
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    pub output: PathBuf,
    /// The QR screen's codes: `auto` draws as many as fit, each small
    /// enough for a phone; N draws at most N; 1 draws the one large code
    /// Linux draws.
    #[arg(long, value_name = "N|auto", default_value = "auto", value_parser = parse_parts)]
    pub parts: Parts,
    /// Largest QR version for several codes (default 25; phones read it).
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u8).range(1..=40))]
    pub max_version: u8,
    /// Smallest module for several codes, in pixels (default 3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub min_module_px: u32,
}

fn parse_size(s: &str) -> Result<(usize, usize), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("'{s}' is not WIDTHxHEIGHT"))?;
    let p = |v: &str| {
        v.parse::<usize>()
            .ok()
            .filter(|&n| (1..=16384).contains(&n))
    };
    match (p(w), p(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(format!("'{s}': width and height must be 1 to 16384")),
    }
}

fn parse_format(s: &str) -> Result<panicqr_screen::PixelFormat, String> {
    panicqr_screen::PixelFormat::ALL
        .iter()
        .copied()
        .find(|f| f.name().eq_ignore_ascii_case(s))
        .ok_or_else(|| {
            let names: Vec<&str> = panicqr_screen::PixelFormat::ALL
                .iter()
                .map(|f| f.name())
                .collect();
            format!("unknown pixel format '{s}'; one of: {}", names.join(", "))
        })
}

fn parse_color(s: &str) -> Result<panicqr_screen::Rgb, String> {
    let hex = s.trim_start_matches('#');
    match u32::from_str_radix(hex, 16) {
        Ok(v) if hex.len() == 6 => Ok(panicqr_screen::Rgb::hex(v)),
        _ => Err(format!("'{s}' is not a colour: use RRGGBB")),
    }
}

/// The base URL used when none is given: the Debian/Kali decoder page.
pub const DEFAULT_BASE_URL: &str = "https://kernel-team.pages.debian.net/panic_report/#";

/// The report URL's decoder page and machine identity, shared by the
/// commands that build a report.
#[derive(Args, Debug, Clone)]
pub struct ReportTarget {
    /// Decoder page the URL points to (distributions end it with `#`).
    #[arg(long, default_value = DEFAULT_BASE_URL)]
    pub base_url: String,
    /// Machine name for `a=` (default: this machine's).
    #[arg(long)]
    pub arch: Option<String>,
    /// Kernel release for `v=` (default: this machine's).
    #[arg(long)]
    pub release: Option<String>,
}

impl ReportTarget {
    /// `--arch`, or this machine's (`uname -m`).
    pub fn arch(&self) -> String {
        self.arch
            .clone()
            .unwrap_or_else(|| std::env::consts::ARCH.to_string())
    }

    /// `--release`, or this machine's (`uname -r`).
    pub fn release(&self) -> String {
        self.release.clone().unwrap_or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| "unknown".into(), |s| s.trim().to_string())
        })
    }
}

/// How `encode` writes the report.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// The URL text (what the QR code holds), one line.
    Url,
    /// Unicode half blocks for a terminal.
    Term,
    /// A greyscale PNG.
    Png,
    /// An SVG.
    Svg,
    /// One line of 0/1 per module row.
    Matrix,
}

/// `panicqr encode`.
#[derive(Args, Debug)]
pub struct EncodeArgs {
    /// The log file; `-` or nothing reads standard input (any length: only
    /// the newest 64 KiB can go into a report, so only they are kept).
    #[arg(value_name = "LOG|-")]
    pub log: Option<PathBuf>,
    /// Where the report URL points and what it says about the machine.
    #[command(flatten)]
    pub target: ReportTarget,
    /// Largest QR version to use (1–40); default 40 for one code, 25 for
    /// several (`--parts`), which phones read reliably.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=40))]
    pub max_version: Option<u8>,
    /// Split the report over N codes (1–16), or `auto`: as many as the log
    /// needs, up to 16. Part 1 holds the newest lines; every part is a
    /// complete report URL of its own, and `decode` merges them. Several
    /// PNG, SVG or matrix outputs need `-o FILE`: part i goes to FILE with
    /// `-i` before its extension.
    #[arg(long, value_name = "N|auto", default_value = "1", value_parser = parse_parts)]
    pub parts: Parts,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Url)]
    pub format: ReportFormat,
    /// Write to FILE instead of standard output (`-` = standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Pixels per module for PNG and SVG.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub scale: u32,
    /// The kernel's raw mode: the newest log text uncompressed, no URL.
    #[arg(long)]
    pub raw: bool,
    /// Digit packing: `z` (Linux 6.15+) or the legacy `zl` (Linux 6.12–6.14).
    #[arg(long, value_enum, default_value_t = Packing::Z)]
    pub packing: Packing,
}

/// How many codes `encode --parts` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parts {
    /// Exactly this many (fewer when the log runs out first).
    Count(usize),
    /// As many as the log needs, up to the most a report has.
    Auto,
}

fn parse_parts(s: &str) -> Result<Parts, String> {
    if s == "auto" {
        return Ok(Parts::Auto);
    }
    let max = panicqr_report::parts::MAX_PARTS;
    match s.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(Parts::Count(n)),
        _ => Err(format!("expected a number from 1 to {max}, or auto")),
    }
}

/// How the compressed log becomes digits.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packing {
    /// `z=`: 7 bytes → 17 digits.
    Z,
    /// `zl=`: 13 bits → 4 digits.
    Zl,
}

/// `panicqr serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
}

/// `panicqr decode`.
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// The URL, fragment, query or digits; `-` or nothing reads standard
    /// input (at most 1 MiB). Several URLs (arguments, or one per line on
    /// standard input) that are parts of reports over several codes are
    /// merged, oldest lines first, and the missing parts are named.
    #[arg(value_name = "URL|-")]
    pub input: Vec<String>,
    /// Print one JSON object with every field instead of the log (the log
    /// also as `log_base64` when it is not UTF-8).
    #[arg(long)]
    pub json: bool,
    /// Write to FILE instead of standard output (`-` = standard output). The
    /// log is written exactly to a file or a pipe, and with its control
    /// characters escaped on a terminal.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Error correction level.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ecc {
    /// ~7 % recovery (what Linux uses).
    L,
    /// ~15 %.
    M,
    /// ~25 %.
    Q,
    /// ~30 %.
    H,
}

impl From<Ecc> for panicqr_qr::EcLevel {
    fn from(e: Ecc) -> Self {
        match e {
            Ecc::L => panicqr_qr::EcLevel::L,
            Ecc::M => panicqr_qr::EcLevel::M,
            Ecc::Q => panicqr_qr::EcLevel::Q,
            Ecc::H => panicqr_qr::EcLevel::H,
        }
    }
}

/// How to write a QR code.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QrFormat {
    /// Unicode half blocks for a terminal, with the quiet zone.
    Term,
    /// A greyscale PNG, with a 4-module quiet zone.
    Png,
    /// An SVG, with a 4-module quiet zone.
    Svg,
    /// One line of 0/1 per module row (1 = dark), no quiet zone.
    Matrix,
}

/// Options shared by every command that draws a QR code.
#[derive(Args, Debug, Clone)]
pub struct SymbolOpts {
    /// Mask pattern: `auto` (lowest penalty) or a number 0–7.
    #[arg(long, default_value = "auto", value_parser = parse_mask)]
    pub mask: MaskArg,
    /// Smallest QR version to use (1–40).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=40))]
    pub min_version: u8,
    /// Largest QR version to use (1–40).
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u8).range(1..=40))]
    pub max_version: u8,
    /// Raise the error correction level while the data still fits the same version.
    #[arg(long)]
    pub boost_ecc: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = QrFormat::Term)]
    pub format: QrFormat,
    /// Write to FILE instead of standard output (`-` = standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Pixels per module for PNG and SVG.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub scale: u32,
}

/// `auto` or a fixed mask number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaskArg {
    /// Choose by penalty.
    Auto,
    /// This pattern.
    Fixed(u8),
}

fn parse_mask(s: &str) -> Result<MaskArg, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(MaskArg::Auto);
    }
    match s.parse::<u8>() {
        Ok(n) if n < 8 => Ok(MaskArg::Fixed(n)),
        _ => Err(format!("'{s}' is not a mask: use auto or 0 to 7")),
    }
}

/// `panicqr qr`.
#[derive(Args, Debug)]
pub struct QrArgs {
    /// The text to encode; `-` or nothing reads standard input (at most 64 KiB).
    #[arg(value_name = "TEXT|-")]
    pub text: Option<String>,
    /// Error correction level.
    #[arg(long, value_enum, ignore_case = true, default_value_t = Ecc::M)]
    pub ecc: Ecc,
    /// How to draw it.
    #[command(flatten)]
    pub symbol: SymbolOpts,
}

/// `panicqr intake`.
#[derive(Args, Debug)]
pub struct IntakeArgs {
    /// The database: a SQLite file (created if missing) or postgres://user@host/db.
    #[arg(
        long,
        default_value = "crashes.sqlite",
        value_name = "PATH|postgres://…"
    )]
    pub db: String,
    /// Address to listen on (port 0 picks a free one; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: String,
    /// Reports older than this are deleted (checked hourly); 0 keeps them.
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    pub retention_days: u32,
    /// File holding the admin token that deletions need (default: the
    /// environment variable PANICQR_ADMIN_TOKEN; without either, nothing
    /// can be deleted through the API).
    #[arg(long, value_name = "PATH")]
    pub admin_token_file: Option<PathBuf>,
    /// The tracker's new-bug URL, with {title} and {body} where the
    /// prepared text goes, e.g. 'https://bugs.example/new?title={title}&body={body}'.
    #[arg(long, value_name = "URL")]
    pub tracker_url: Option<String>,
    /// Largest submission body in bytes (413 beyond).
    #[arg(long, default_value_t = 16384, value_name = "BYTES")]
    pub max_body: usize,
    /// Submissions per minute from one client address (429 beyond); 0 turns the limit off.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub rate_limit: u32,
    /// Submissions one client address may send at once.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub rate_burst: u32,
    /// Other requests (dashboard pages, API reads) per minute from one
    /// client address, in bursts of as many (429 beyond); 0 turns the limit off.
    #[arg(long, default_value_t = 300, value_name = "N")]
    pub read_rate_limit: u32,
    /// An origin (https://host) whose decoder page may send reports and read
    /// the answer (CORS); repeat for several.
    #[arg(long, value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// Serve HTTPS with this certificate chain (PEM: the server's
    /// certificate, then the intermediates); needs --tls-key.
    #[arg(long, value_name = "FULLCHAIN.pem", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "KEY.pem", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// A reverse proxy (address or network, e.g. 127.0.0.1 or 10.0.0.0/8)
    /// whose X-Forwarded-For header names the client the rate limits
    /// count; repeat for several. Without one the header is ignored.
    #[arg(long, value_name = "ADDR[/BITS]")]
    pub trusted_proxy: Vec<panicqr_intake::proxy::ProxyNet>,
}

/// `panicqr submit`.
#[derive(Args, Debug)]
pub struct SubmitArgs {
    /// Report URLs; `-` or nothing reads them from standard input, one per
    /// line (the parts of a report over several codes, for example).
    #[arg(value_name = "URL|-")]
    pub urls: Vec<String>,
    /// The intake, https://host[:port] or http://… (default: the environment variable PANICQR_INTAKE).
    #[arg(long, value_name = "https://HOST:PORT")]
    pub to: Option<String>,
    /// Also trust the certificates in this PEM file (a private certificate
    /// authority's) for an https:// intake, besides the system's (default:
    /// the environment variable PANICQR_CA_FILE).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}
