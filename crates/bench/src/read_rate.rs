//! Read rate on hard photos (issue 12): the classic screen's one dense code
//! against the parts of a multi-code screen, same screen size, same log,
//! same camera.
//!
//! Each screen is drawn for the same log (the newest 16 KiB of three corpus
//! files, as the multi-code photo test uses), framed as a person photographs
//! a whole screen (`panicqr_testkit::photos::screen_shot`), then degraded:
//! the hard class of the photo set (blur, noise, downscaling, rotation,
//! perspective, low contrast, JPEG, a combination) and a sweep of the three
//! a phone does most — downscaling, blur, JPEG — at three levels each, plus
//! three combinations of them. Both screens get the very same degradation
//! and seed. Each photo is read as `panicqr scan` reads it
//! (`panicqr_scan::scan_all`, stopping once every part is read), and every
//! code read is checked against the log the screen carried: a wrong read is
//! counted apart, never as a read.
//!
//! Prints, per screen: photos read fully, codes read, bytes of log
//! recovered (each code read gives its own lines), and seconds per photo;
//! then the ratio parts / one code. Progress goes to standard error.
//!
//! Run: `cargo run --release -p panicqr-bench --bin read-rate` (about 20 s
//! on one core; `-v` saves the photos not read whole in the temporary
//! directory).
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::time::Instant;

use panicqr_report::decode::{decode, merge, parse_params};
use panicqr_testkit::photos::{degrade, screen_shot, steps, Class, Screen, ScreenShot, Step};

/// The degradations: a group name and the steps, in order.
fn degradations() -> Vec<(&'static str, Vec<Step>)> {
    use Step::*;
    let mut out: Vec<(&'static str, Vec<Step>)> = steps(Class::Hard)
        .into_iter()
        .map(|s| ("hard class", s))
        .collect();
    for f in [0.5, 0.4, 0.33] {
        out.push(("downscaled", vec![Scale(f)]));
    }
    for sigma in [1.5, 2.0, 2.5] {
        out.push(("blurred", vec![Blur(sigma)]));
    }
    for q in [30, 20, 12] {
        out.push(("JPEG", vec![Jpeg(q)]));
    }
    out.push(("combined", vec![Scale(0.6), Blur(1.0), Jpeg(40)]));
    out.push(("combined", vec![Scale(0.5), Jpeg(30)]));
    out.push(("combined", vec![Blur(1.2), Noise(8.0), Jpeg(25)]));
    out
}

/// What was read from the photos of one screen (or of one group).
#[derive(Default)]
struct Tally {
    photos: usize,
    full: usize,
    codes: usize,
    codes_read: usize,
    wrong: usize,
    bytes: usize,
    bytes_on_screen: usize,
    seconds: f64,
}

/// A screen's tallies by group of degradations, in order.
type Groups = Vec<(&'static str, Tally)>;

/// Whether the codes read so far suffice (the CLI's rule): a code that is
/// not a part, or every part of the report.
fn enough(found: &[panicqr_scan::Found]) -> bool {
    let tags: Vec<_> = found
        .iter()
        .filter_map(|f| std::str::from_utf8(&f.text).ok().and_then(parse_params))
        .collect();
    if tags.iter().any(|p| p.part.is_none()) {
        return true;
    }
    let parts: Vec<_> = tags.iter().filter_map(|p| p.part).collect();
    parts
        .first()
        .is_some_and(|t| (1..=t.count).all(|i| parts.iter().any(|u| u.index == i)))
}

/// Reads `img`, a photo of `shot`: (codes read right, codes read wrong,
/// bytes of log recovered).
fn read(img: &image::GrayImage, shot: &ScreenShot) -> (usize, usize, usize) {
    let found = panicqr_scan::scan_all(&image::DynamicImage::ImageLuma8(img.clone()), enough)
        .unwrap_or_default();
    let decoded: Vec<_> = found
        .iter()
        .filter_map(|f| decode(std::str::from_utf8(&f.text).ok()?).ok())
        .collect();
    let (mut right, mut wrong, mut bytes) = (0, 0, 0);
    if shot.codes == 1 {
        for d in &decoded {
            if d.part.is_none() && d.is_complete() && d.log == shot.log {
                right += 1;
                bytes += d.log.len();
            } else {
                wrong += 1;
            }
        }
        return (right.min(1), wrong, bytes.min(shot.log.len()));
    }
    wrong += decoded.iter().filter(|d| d.part.is_none()).count();
    for m in merge(decoded) {
        // Part i holds the bytes just before part i-1's: walk from the end.
        let mut end = Some(shot.log.len());
        for piece in &m.parts {
            match (piece, end) {
                (Some(d), Some(e))
                    if m.count == shot.codes
                        && d.is_complete()
                        && shot.log[..e].ends_with(&d.log) =>
                {
                    right += 1;
                    bytes += d.log.len();
                    end = Some(e - d.log.len());
                }
                (Some(_), Some(_)) => {
                    wrong += 1;
                    end = None;
                }
                // A part missing: where the next one starts is unknown, so
                // it is checked to be somewhere in the log.
                (Some(d), None) => {
                    if d.is_complete() && contains(&shot.log, &d.log) {
                        right += 1;
                        bytes += d.log.len();
                    } else {
                        wrong += 1;
                    }
                }
                (None, _) => end = None,
            }
        }
    }
    (right, wrong, bytes)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let corpus = panicqr_testkit::corpus();
    let log: Vec<u8> = corpus
        .iter()
        .skip(20)
        .take(3)
        .flat_map(|(_, d)| d.clone())
        .collect();
    let log = &log[log.len().saturating_sub(16 << 10)..];
    let sizes = [(1366, 768), (1920, 1080)];
    let degr = degradations();
    let total = sizes.len() * 2 * degr.len();
    let mut rows: Vec<(String, String, Tally)> = Vec::new();
    let mut groups: Vec<(String, Groups)> = Vec::new();
    let mut done = 0;
    for (w, h) in sizes {
        for screen in [Screen::OneCode, Screen::Parts] {
            let shot = screen_shot(log, (w, h), screen);
            let what = match screen {
                Screen::OneCode => format!("1 × v{} at {} px", shot.version, shot.module_px),
                Screen::Parts => format!(
                    "{} × v≤{} at {} px",
                    shot.codes, shot.version, shot.module_px
                ),
            };
            let mut t = Tally::default();
            let mut by_group: Groups = Vec::new();
            for (i, (group, s)) in degr.iter().enumerate() {
                let img = degrade(&shot.image, s, 2000 + i as u64);
                let start = Instant::now();
                let (right, wrong, bytes) = read(&img, &shot);
                let secs = start.elapsed().as_secs_f64();
                t.photos += 1;
                t.full += usize::from(right == shot.codes && wrong == 0);
                t.codes += shot.codes;
                t.codes_read += right;
                t.wrong += wrong;
                t.bytes += bytes;
                t.bytes_on_screen += shot.log.len();
                t.seconds += secs;
                if by_group.last().is_none_or(|g| g.0 != *group) {
                    by_group.push((group, Tally::default()));
                }
                if let Some((_, g)) = by_group.last_mut() {
                    g.photos += 1;
                    g.full += usize::from(right == shot.codes && wrong == 0);
                    g.codes_read += right;
                    g.codes += shot.codes;
                }
                done += 1;
                eprintln!(
                    "[{done:>2}/{total}] {w}x{h} {what:<9} {group:<10} {:<60} {right:>2}/{} codes{} {secs:.2} s",
                    format!("{s:?}"),
                    shot.codes,
                    if wrong > 0 { format!(", {wrong} WRONG") } else { String::new() }
                );
                if verbose && right < shot.codes {
                    let path = std::env::temp_dir()
                        .join(format!("read-rate-{w}x{h}-{}-{i}.png", shot.codes));
                    img.save(&path).unwrap();
                    eprintln!("    saved {}", path.display());
                }
            }
            groups.push((format!("{w}x{h} {what}"), by_group));
            rows.push((format!("{w}x{h}"), what, t));
        }
    }
    println!(
        "\nHard photos of a whole panic screen ({} degradations each, the same for both screens), log of {} bytes, read by panicqr scan:\n",
        degr.len(),
        log.len()
    );
    println!(
        "| screen | codes | log on screen | photos read fully | codes read | bytes of log recovered | wrong reads | s per photo |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (size, what, t) in &rows {
        println!(
            "| {size} | {what} | {} B | {} of {} | {} of {} | {} B ({:.0} %) | {} | {:.2} |",
            t.bytes_on_screen / t.photos,
            t.full,
            t.photos,
            t.codes_read,
            t.codes,
            t.bytes / t.photos,
            100.0 * t.bytes as f64 / t.bytes_on_screen as f64,
            t.wrong,
            t.seconds / t.photos as f64
        );
    }
    println!("\nBy kind of degradation: photos read fully, codes read\n");
    let kinds: Vec<&str> = groups
        .first()
        .map(|(_, g)| g.iter().map(|k| k.0).collect())
        .unwrap_or_default();
    print!("| screen |");
    for k in &kinds {
        print!(" {k} |");
    }
    println!("\n|---|{}", "---|".repeat(kinds.len()));
    for (screen, g) in &groups {
        print!("| {screen} |");
        for (_, t) in g {
            print!(
                " {} of {}, {} of {} |",
                t.full, t.photos, t.codes_read, t.codes
            );
        }
        println!();
    }
    println!();
    for pair in rows.chunks(2) {
        let [(size, _, one), (_, _, parts)] = pair else {
            continue;
        };
        let ratio = |a: usize, b: usize| {
            if b == 0 {
                "∞".to_string()
            } else {
                format!("{:.2}", a as f64 / b as f64)
            }
        };
        println!(
            "{size}: parts / one code: photos read fully {}, codes read (share) {}, bytes of log recovered {}",
            ratio(parts.full, one.full),
            if one.codes_read == 0 {
                "∞".to_string()
            } else {
                format!(
                    "{:.2}",
                    (parts.codes_read as f64 / parts.codes as f64)
                        / (one.codes_read as f64 / one.codes as f64)
                )
            },
            ratio(parts.bytes, one.bytes)
        );
    }
}
