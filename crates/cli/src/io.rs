//! Standard input and output with `-`, and files.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context;

/// Reads a file, or standard input for `-` / `None`.
pub fn read_input(path: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    let mut data = Vec::new();
    match path {
        Some(p) if p != Path::new("-") => {
            data = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        }
        _ => {
            std::io::stdin()
                .lock()
                .read_to_end(&mut data)
                .context("cannot read standard input")?;
        }
    }
    Ok(data)
}

/// Writes `bytes` to a file, or to standard output for `-` / `None`.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(p) if p != Path::new("-") => {
            std::fs::write(p, bytes).with_context(|| format!("cannot write {}", p.display()))
        }
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}
