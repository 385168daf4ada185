//! `panicqr qr`: text to a QR code.

use std::path::Path;

use panicqr_qr::{encode, Mask, MaskChoice, Options, Segment, Symbol, Version};

use crate::args::{MaskArg, QrArgs, QrFormat, SymbolOpts};
use crate::{io, render, Failure, Outcome};

pub fn run(args: &QrArgs) -> Result<Outcome, Failure> {
    let text = match args.text.as_deref() {
        Some("-") | None => io::read_input(None, io::QR_INPUT_LIMIT)?,
        Some(t) => t.as_bytes().to_vec(),
    };
    let segment = best_segment(&text);
    let opts = options(&args.symbol, args.ecc.into())?;
    draw(&[segment], &opts, &args.symbol, |sym| {
        note!(
            "version {} ({}x{} modules), level {:?}, mask {}",
            sym.version().number(),
            sym.width(),
            sym.width(),
            sym.ec_level(),
            sym.mask().number()
        );
    })?;
    Ok(Outcome::Complete)
}

/// The most compact single mode that holds all of `text`.
fn best_segment(text: &[u8]) -> Segment<'_> {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    if !text.is_empty() && text.iter().all(u8::is_ascii_digit) {
        Segment::Numeric(text)
    } else if !text.is_empty() && text.iter().all(|b| ALNUM.contains(b)) {
        Segment::Alphanumeric(text)
    } else {
        Segment::Bytes(text)
    }
}

/// Encoder options from the command line.
pub fn options(s: &SymbolOpts, ec_level: panicqr_qr::EcLevel) -> Result<Options, Failure> {
    let bad = |m: String| Failure::BadInput(anyhow::anyhow!(m));
    let min_version = Version::new(s.min_version).ok_or_else(|| bad("bad --min-version".into()))?;
    let max_version = Version::new(s.max_version).ok_or_else(|| bad("bad --max-version".into()))?;
    if min_version > max_version {
        return Err(bad(format!(
            "--min-version {} is above --max-version {}",
            s.min_version, s.max_version
        )));
    }
    let mask = match s.mask {
        MaskArg::Auto => MaskChoice::Auto,
        MaskArg::Fixed(n) => {
            MaskChoice::Fixed(Mask::new(n).ok_or_else(|| bad(format!("bad mask {n}")))?)
        }
    };
    Ok(Options {
        ec_level,
        min_version,
        max_version,
        boost_ec: s.boost_ecc,
        mask,
    })
}

/// Encodes the segments and writes the symbol in the chosen format; `info`
/// sees the symbol first (for a summary on stderr).
pub fn draw(
    segments: &[Segment<'_>],
    opts: &Options,
    s: &SymbolOpts,
    info: impl FnOnce(&Symbol<'_>),
) -> Result<(), Failure> {
    let mut scratch = vec![0u8; opts.max_version.scratch_len(opts.mask)];
    let mut out = vec![0u8; opts.max_version.symbol_len()];
    let sym =
        encode(segments, opts, &mut scratch, &mut out).map_err(|e| Failure::BadInput(e.into()))?;
    info(&sym);
    write_symbol(&sym, s)
}

/// Writes a symbol in the chosen format to the chosen output.
pub fn write_symbol(sym: &Symbol<'_>, s: &SymbolOpts) -> Result<(), Failure> {
    let bytes = match s.format {
        QrFormat::Term => render::terminal(sym).into_bytes(),
        QrFormat::Matrix => render::matrix(sym).into_bytes(),
        QrFormat::Svg => render::svg(sym, s.scale).into_bytes(),
        QrFormat::Png => {
            let mut v = Vec::new();
            render::png(sym, s.scale, &mut v)?;
            v
        }
    };
    io::write_output(s.output.as_deref().map(Path::new), &bytes)?;
    Ok(())
}
