//! `panicqr encode`: a log to the report QR code a crashed machine shows.

use std::path::Path;

use anyhow::anyhow;
use panicqr_qr::{MaskChoice, Options, Segment, Version};
use panicqr_report::build::{self, BuildError, Target};
use panicqr_report::url::Packing as UrlPacking;
use panicqr_report::{digits, parts};

use crate::args::{EncodeArgs, MaskArg, Packing, Parts, QrFormat, ReportFormat, SymbolOpts};
use crate::cmd::qr::{draw, write_symbol};
use crate::{io, Failure, Outcome};

pub fn run(args: &EncodeArgs) -> Result<Outcome, Failure> {
    // However long the input, only its tail can go into a report.
    let input = io::read_tail(args.log.as_deref(), io::ENCODE_TAIL)?;
    let several = args.parts != Parts::Count(1);
    let version = Version::new(args.max_version.unwrap_or(if several { 25 } else { 40 }))
        .ok_or_else(|| Failure::BadInput(anyhow!("bad --max-version")))?;
    if args.raw {
        let opts = Options {
            max_version: version,
            ..Options::kernel()
        };
        return raw(args, &input, &opts);
    }
    let arch = args.target.arch();
    let release = args.target.release();
    let target = Target {
        max_version: version,
        // What Linux draws: mask 0.
        mask: Options::kernel().mask,
        packing: match args.packing {
            Packing::Z => UrlPacking::Z,
            Packing::Zl => UrlPacking::Legacy,
        },
        ..Target::new(
            args.target.base_url.as_bytes(),
            arch.as_bytes(),
            release.as_bytes(),
        )
    };
    if several {
        if args.raw {
            return Err(Failure::BadInput(anyhow!("--raw has no parts")));
        }
        return encode_parts(args, &input, &target);
    }
    let mut ws = vec![0u8; build::workspace_len(version)];
    let mut out = vec![0u8; version.symbol_len()];
    let log = &input.data;
    let built = build::build(log, &target, &mut ws, &mut out).map_err(|e| match e {
        BuildError::PrefixTooLong => Failure::BadInput(anyhow!(
            "the URL prefix leaves no room for the log at QR version {}",
            version.number()
        )),
        e => Failure::Other(anyhow!("{e}")),
    })?;
    let f = built.fitted;
    let kept = log.get(f.start..).unwrap_or(&[]);
    let lines = |s: &[u8]| s.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
    note!(
        "kept {} of {} bytes ({} of {} lines), {} bytes compressed, QR version {} ({} compressions)",
        kept.len(),
        input.total,
        lines(kept),
        input.lines,
        f.compressed,
        built.symbol.version().number(),
        f.compressions
    );
    if f.cut {
        note!(
            "the newest line alone does not fit: kept its last {} bytes (cut at a character boundary)",
            kept.len()
        );
    }
    if args.format == ReportFormat::Url {
        let mut text = url_text(&built, target.packing);
        text.push(b'\n');
        io::write_output(args.output.as_deref().map(Path::new), &text)?;
        return Ok(Outcome::Complete);
    }
    write_symbol(&built.symbol, &symbol_opts(args, args.output.clone()))?;
    Ok(Outcome::Complete)
}

/// The QR text of a built report: its prefix and the digits.
fn url_text(built: &build::Built<'_, '_>, packing: UrlPacking) -> Vec<u8> {
    let mut text = built.prefix.to_vec();
    match packing {
        UrlPacking::Z => {
            let mut d = vec![0u8; digits::decimal_digits(built.payload.len())];
            let n = digits::encode_z(built.payload, &mut d);
            text.extend_from_slice(d.get(..n).unwrap_or(&[]));
        }
        UrlPacking::Legacy => text.extend_from_slice(&digits::encode_zl(built.payload)),
    }
    text
}

/// `--parts`: the log over several codes, newest first.
fn encode_parts(
    args: &EncodeArgs,
    input: &io::Tail,
    target: &Target<'_>,
) -> Result<Outcome, Failure> {
    let max = match args.parts {
        Parts::Count(n) => n,
        Parts::Auto => parts::MAX_PARTS,
    };
    let v = target.max_version;
    let mut ws = vec![0u8; parts::workspace_len(v, max)];
    let mut out = vec![0u8; v.symbol_len()];
    let log = &input.data;
    let s = parts::split(log, target, max, &mut ws).map_err(|e| match e {
        BuildError::PrefixTooLong => Failure::BadInput(anyhow!(
            "the URL prefix leaves no room for the log at QR version {}",
            v.number()
        )),
        e => Failure::Other(anyhow!("{e}")),
    })?;
    let carried = log.len() - s.window_start();
    note!(
        "{} parts of version {} at most carry the newest {} of {} bytes{}",
        s.count(),
        v.number(),
        carried,
        input.total,
        if s.window_start() > 0 && max == parts::MAX_PARTS {
            " (the most parts a report has)"
        } else {
            ""
        }
    );
    if (1..=s.count()).any(|i| s.cut(i)) {
        note!("a line longer than one code was cut between parts (at a character boundary)");
    }
    let several_files =
        s.count() > 1 && args.format != ReportFormat::Url && args.format != ReportFormat::Term;
    let file = args.output.as_deref().filter(|p| *p != Path::new("-"));
    if several_files && file.is_none() {
        return Err(Failure::BadInput(anyhow!(
            "{} parts as PNG, SVG or matrix files need -o FILE (part i goes to FILE with -i before the extension)",
            s.count()
        )));
    }
    let mut text = Vec::new();
    for index in 1..=s.count() {
        let built = parts::build_part(target, &s, index, &mut ws, &mut out)
            .map_err(|e| Failure::Other(anyhow!("{e}")))?;
        match args.format {
            ReportFormat::Url => {
                text.extend_from_slice(&url_text(&built, target.packing));
                text.push(b'\n');
            }
            ReportFormat::Term => {
                text.extend_from_slice(format!("part {index}/{}\n", s.count()).as_bytes());
                text.extend_from_slice(crate::render::terminal(&built.symbol).as_bytes());
            }
            _ => {
                let path = file.map(|f| numbered(f, index, s.count()));
                write_symbol(&built.symbol, &symbol_opts(args, path))?;
            }
        }
    }
    if !text.is_empty() {
        io::write_output(args.output.as_deref().map(Path::new), &text)?;
    }
    Ok(Outcome::Complete)
}

/// `report.png` → `report-2.png` for part 2 (unchanged for a single part).
fn numbered(path: &Path, index: usize, count: usize) -> std::path::PathBuf {
    if count == 1 {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{index}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{index}"),
    };
    path.with_file_name(name)
}

/// The kernel's raw mode: the newest whole lines of text that fit one byte segment.
fn raw(args: &EncodeArgs, input: &io::Tail, opts: &Options) -> Result<Outcome, Failure> {
    let log = &input.data[..];
    let v = opts.max_version;
    let cap = (v.data_codewords(panicqr_qr::EcLevel::L) * 8
        - 4
        - panicqr_qr::Mode::Byte.count_bits(v) as usize)
        / 8;
    let mut start = log.len().saturating_sub(cap);
    if start > 0 && log.get(start - 1) != Some(&b'\n') {
        start = log
            .iter()
            .skip(start)
            .position(|&b| b == b'\n')
            .map_or(log.len(), |i| start + i + 1);
    }
    let kept = log.get(start..).unwrap_or(&[]);
    if args.format == ReportFormat::Url {
        return Err(Failure::BadInput(anyhow!(
            "--raw has no URL: use --format term, png, svg or matrix"
        )));
    }
    draw(
        &[Segment::Bytes(kept)],
        opts,
        &symbol_opts(args, args.output.clone()),
        |s| {
            note!(
                "raw mode, kept {} of {} bytes, QR version {}",
                kept.len(),
                input.total,
                s.version().number()
            );
        },
    )?;
    Ok(Outcome::Complete)
}

fn symbol_opts(args: &EncodeArgs, output: Option<std::path::PathBuf>) -> SymbolOpts {
    SymbolOpts {
        mask: match Options::kernel().mask {
            MaskChoice::Fixed(m) => MaskArg::Fixed(m.number()),
            MaskChoice::Auto => MaskArg::Auto,
        },
        min_version: 1,
        max_version: args.max_version.unwrap_or(40),
        boost_ecc: false,
        format: match args.format {
            ReportFormat::Term | ReportFormat::Url => QrFormat::Term,
            ReportFormat::Png => QrFormat::Png,
            ReportFormat::Svg => QrFormat::Svg,
            ReportFormat::Matrix => QrFormat::Matrix,
        },
        output,
        scale: args.scale,
    }
}
