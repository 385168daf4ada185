//! `panicqr encode`: a log to the report QR code a crashed machine shows.

use std::path::Path;

use anyhow::anyhow;
use panicqr_qr::{Options, Segment, Version};
use panicqr_report::{deflate, digits, fit, url};

use crate::args::{EncodeArgs, MaskArg, Packing, QrFormat, ReportFormat, SymbolOpts};
use crate::cmd::qr::draw;
use crate::{io, Failure, Outcome};

pub fn run(args: &EncodeArgs) -> Result<Outcome, Failure> {
    let log = io::read_input(args.log.as_deref())?;
    let version = Version::new(args.max_version)
        .ok_or_else(|| Failure::BadInput(anyhow!("bad --max-version")))?;
    let opts = Options {
        max_version: version,
        ..Options::kernel()
    };
    if args.raw {
        return raw(args, &log, &opts);
    }
    let arch = args.target.arch();
    let release = args.target.release();
    let mut prefix = vec![
        0u8;
        url::prefix_len(
            args.target.base_url.as_bytes(),
            arch.as_bytes(),
            release.as_bytes()
        ) + 1
    ];
    let mut plen = url::write_prefix(
        args.target.base_url.as_bytes(),
        arch.as_bytes(),
        release.as_bytes(),
        &mut prefix,
    )
    .map_err(|e| anyhow!("URL prefix needs {} bytes", e.needed))?;
    if args.packing == Packing::Zl {
        // `…&z=` becomes `…&zl=`.
        prefix[plen - 1] = b'l';
        prefix[plen] = b'=';
        plen += 1;
    }
    let cap = fit::capacity(plen, version).ok_or_else(|| {
        Failure::BadInput(anyhow!(
            "the URL prefix ({plen} bytes) leaves no room for data at version {}",
            version.number()
        ))
    })?;
    let mut ws = vec![0u8; deflate::WORKSPACE_LEN];
    let mut z = vec![0u8; cap];
    let f = fit::fit(&log, cap, &mut ws, &mut z)
        .map_err(|e| Failure::BadInput(anyhow!("cannot fit the log: {e:?}")))?;
    let kept = &log[f.start..];
    let lines = |s: &[u8]| s.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
    let z = &z[..f.compressed];
    let payload_segment = match args.packing {
        Packing::Z => Segment::DecimalBytes(z),
        Packing::Zl => Segment::DecimalBytesLegacy(z),
    };
    let segs = [Segment::Bytes(&prefix[..plen]), payload_segment];
    let summary = |v: Version| {
        eprintln!(
            "panicqr: kept {} of {} bytes ({} of {} lines), {} bytes compressed, QR version {} ({} compressions)",
            kept.len(),
            log.len(),
            lines(kept),
            lines(&log),
            f.compressed,
            v.number(),
            f.compressions
        );
    };
    if args.format == ReportFormat::Url {
        let mut text = prefix[..plen].to_vec();
        match args.packing {
            Packing::Z => {
                let mut d = vec![0u8; digits::decimal_digits(z.len())];
                let n = digits::encode_z(z, &mut d);
                text.extend_from_slice(&d[..n]);
            }
            Packing::Zl => text.extend_from_slice(&digits::encode_zl(z)),
        }
        text.push(b'\n');
        let mut scratch = vec![0u8; version.scratch_len(opts.mask)];
        let mut out = vec![0u8; version.symbol_len()];
        let sym = panicqr_qr::encode(&segs, &opts, &mut scratch, &mut out)
            .map_err(|e| Failure::BadInput(e.into()))?;
        summary(sym.version());
        io::write_output(args.output.as_deref().map(Path::new), &text)?;
        return Ok(Outcome::Complete);
    }
    draw(&segs, &opts, &symbol_opts(args), |s| summary(s.version()))?;
    Ok(Outcome::Complete)
}

/// The kernel's raw mode: the newest whole lines of text that fit one byte segment.
fn raw(args: &EncodeArgs, log: &[u8], opts: &Options) -> Result<Outcome, Failure> {
    let v = opts.max_version;
    let cap = (v.data_codewords(panicqr_qr::EcLevel::L) * 8
        - 4
        - panicqr_qr::Mode::Byte.count_bits(v) as usize)
        / 8;
    let mut start = log.len().saturating_sub(cap);
    if start > 0 && log[start - 1] != b'\n' {
        start = log[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(log.len(), |i| start + i + 1);
    }
    let kept = &log[start..];
    if args.format == ReportFormat::Url {
        return Err(Failure::BadInput(anyhow!(
            "--raw has no URL: use --format term, png, svg or matrix"
        )));
    }
    draw(&[Segment::Bytes(kept)], opts, &symbol_opts(args), |s| {
        eprintln!(
            "panicqr: raw mode, kept {} of {} bytes, QR version {}",
            kept.len(),
            log.len(),
            s.version().number()
        );
    })?;
    Ok(Outcome::Complete)
}

fn symbol_opts(args: &EncodeArgs) -> SymbolOpts {
    SymbolOpts {
        mask: MaskArg::Fixed(0),
        min_version: 1,
        max_version: args.max_version,
        boost_ecc: false,
        format: match args.format {
            ReportFormat::Term | ReportFormat::Url => QrFormat::Term,
            ReportFormat::Png => QrFormat::Png,
            ReportFormat::Svg => QrFormat::Svg,
            ReportFormat::Matrix => QrFormat::Matrix,
        },
        output: args.output.clone(),
        scale: args.scale,
    }
}
