//! The dashboard: server-rendered HTML, no script, no external asset. Every
//! text that comes from a report (log, title, release, arch) goes through
//! [`escape`]; the page's Content-Security-Policy forbids scripts anyway, so
//! a crafted QR code cannot run one even if an escape were missed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::store::{SignatureDetails, SignatureSummary, StoredReport};

/// The stylesheet, served as `/style.css` (the policy allows no inline
/// style).
pub(crate) const STYLE: &str = "\
body{font:15px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:75em;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f7f7f7;border:1px solid #ddd;padding:.7em;overflow:auto;white-space:pre-wrap;word-break:break-all}
.small{color:#666;font-size:90%}svg{vertical-align:middle}a{color:#0645ad}
";

/// Days shown in a sparkline.
pub(crate) const SPARK_DAYS: i64 = 30;

/// Text as HTML text or attribute value: the five characters HTML gives a
/// meaning, escaped.
///
/// # Examples
/// ```text
/// escape("<script>\"&'") == "&lt;script&gt;&quot;&amp;&#39;"
/// ```
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `/`: the crashes, most reports first.
///
/// One page of them: `sigs` are the signatures from `offset` on, `totals`
/// (signatures, reports) count all, `next` is where the next page starts.
pub(crate) fn index(
    sigs: &[SignatureSummary],
    daily: &BTreeMap<String, Vec<(i64, i64)>>,
    today: i64,
    totals: (i64, i64),
    offset: i64,
    next: Option<i64>,
) -> String {
    let mut h = head("Crashes");
    let _ = write!(
        h,
        "<h1>Crashes</h1><p class=\"small\">{} signatures, {} reports. Reports per day over the last {SPARK_DAYS} days beside each.</p>",
        totals.0, totals.1
    );
    if offset > 0 || next.is_some() {
        let first = offset.saturating_add(1);
        let last = offset.saturating_add(i64::try_from(sigs.len()).unwrap_or(i64::MAX));
        let _ = write!(h, "<p class=\"small\">Crashes {first} to {last}.</p>");
    }
    h.push_str(
        "<table><thead><tr><th>Reports</th><th>Crash</th><th>Last {SPARK_DAYS} days</th>\
         <th>First seen</th><th>Last seen</th><th>Releases</th><th>Arches</th></tr></thead><tbody>"
            .replace("{SPARK_DAYS}", &SPARK_DAYS.to_string())
            .as_str(),
    );
    for s in sigs {
        let none = Vec::new();
        let days = daily.get(&s.signature).unwrap_or(&none);
        let _ = write!(
            h,
            "<tr><td class=\"n\">{}</td><td><a href=\"/s/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            s.count,
            escape(&s.signature),
            escape(&s.title),
            sparkline(days, today),
            date(s.first_seen),
            date(s.last_seen),
            escape(&list(&s.releases)),
            escape(&list(&s.arches)),
        );
    }
    h.push_str("</tbody></table>");
    if let Some(n) = next {
        let _ = write!(h, "<p><a href=\"/?offset={n}\">Next crashes</a></p>");
    }
    h.push_str("</body></html>\n");
    h
}

/// `/s/{signature}`: a representative log, every report, a link to file a
/// bug.
/// `rep` is the report whose log is shown (see
/// [`Store::representative`](crate::store::Store::representative)); the
/// reports of `d` need no logs.
pub(crate) fn signature(
    d: &SignatureDetails,
    rep: Option<&StoredReport>,
    tracker: Option<&str>,
) -> String {
    let s = &d.summary;
    let mut h = head(&s.title);
    let _ = write!(
        h,
        "<p><a href=\"/\">All crashes</a></p><h1>{}</h1><p class=\"small\">Signature {} · {} report{} · first seen {} · last seen {}<br>Releases: {}<br>Arches: {}</p>",
        escape(&s.title),
        escape(&s.signature),
        s.count,
        if s.count == 1 { "" } else { "s" },
        date(s.first_seen),
        date(s.last_seen),
        escape(&list(&s.releases)),
        escape(&list(&s.arches)),
    );
    if let Some(t) = tracker {
        let url = bug_link(t, d, rep.map_or("", |r| r.log.as_str()));
        let _ = write!(
            h,
            "<p><a href=\"{}\" rel=\"noopener noreferrer\">File a bug</a></p>",
            escape(&url)
        );
    }
    if let Some(r) = rep {
        let _ = write!(
            h,
            "<h2>Representative log</h2><p class=\"small\">Report {} ({}, {} {}).</p><pre>{}</pre>",
            escape(&r.id),
            escape(&r.condition),
            escape(&r.release),
            escape(&r.arch),
            escape(&r.log)
        );
    }
    let _ = write!(
        h,
        "<h2>Reports</h2><table><thead><tr><th>Received</th><th>Report</th><th>Release</th><th>Arch</th><th>Distribution</th><th>State</th></tr></thead><tbody>"
    );
    for r in &d.reports {
        let parts = if r.part_count > 1 {
            format!(", {} of {} codes", r.parts_received, r.part_count)
        } else {
            String::new()
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            date(r.received_at),
            escape(&r.id),
            escape(&r.release),
            escape(&r.arch),
            escape(&r.distribution),
            escape(&r.condition),
            parts
        );
    }
    h.push_str("</tbody></table>");
    if s.count > i64::try_from(d.reports.len()).unwrap_or(i64::MAX) {
        let _ = write!(
            h,
            "<p class=\"small\">The newest {} of {} reports.</p>",
            d.reports.len(),
            s.count
        );
    }
    h.push_str("</body></html>\n");
    h
}

/// A minimal page for an error.
pub(crate) fn message(title: &str, text: &str) -> String {
    let mut h = head(title);
    let _ = writeln!(
        h,
        "<h1>{}</h1><p>{}</p><p><a href=\"/\">All crashes</a></p></body></html>",
        escape(title),
        escape(text)
    );
    h
}

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{}</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>",
        escape(title)
    )
}

/// The tracker's "new bug" URL with `{title}` and `{body}` replaced by the
/// percent-encoded prepared text. The body keeps the newest log lines that
/// fit about 4,000 encoded bytes (URLs past ~8 KB are refused by servers).
pub(crate) fn bug_link(template: &str, d: &SignatureDetails, log: &str) -> String {
    let s = &d.summary;
    let mut body = format!(
        "Crash signature: {}\nReports: {} (first seen {}, last seen {})\nReleases: {}\nArches: {}\n\nNewest lines of a representative log:\n\n",
        s.signature,
        s.count,
        date(s.first_seen),
        date(s.last_seen),
        list(&s.releases),
        list(&s.arches)
    );
    let budget = 4000usize.saturating_sub(encode(&body).len());
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    for line in log.lines().rev() {
        let n = encode(line).len() + 3;
        if used + n > budget {
            break;
        }
        used += n;
        kept.push(line);
    }
    kept.reverse();
    for l in kept {
        body.push_str("    ");
        body.push_str(l);
        body.push('\n');
    }
    template
        .replace("{title}", &encode(&s.title))
        .replace("{body}", &encode(&body))
}

/// Percent-encoding for a URL component.
fn encode(s: &str) -> String {
    crate::ingest::encode(s)
}

fn list(v: &[String]) -> String {
    let shown: Vec<&str> = v
        .iter()
        .map(|s| if s.is_empty() { "?" } else { s.as_str() })
        .collect();
    shown.join(", ")
}

/// Reports per day, oldest left, as an inline SVG polyline (an SVG in the
/// page is no external asset and needs nothing from the policy).
fn sparkline(days: &[(i64, i64)], today: i64) -> String {
    let first = today - (SPARK_DAYS - 1);
    let mut counts = vec![0i64; usize::try_from(SPARK_DAYS).unwrap_or(30)];
    for &(day, n) in days {
        if let Some(c) = usize::try_from(day - first)
            .ok()
            .and_then(|i| counts.get_mut(i))
        {
            *c += n;
        }
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (w, hgt) = (3 * (SPARK_DAYS - 1), 20);
    let points: Vec<String> = counts
        .iter()
        .zip(0i64..)
        .map(|(&n, i)| format!("{},{}", i * 3, hgt - n * hgt / max))
        .collect();
    let total: i64 = counts.iter().sum();
    format!(
        "<svg width=\"{w}\" height=\"{}\" viewBox=\"0 -1 {w} {}\" role=\"img\" aria-label=\"{total} reports in the last {SPARK_DAYS} days\"><polyline fill=\"none\" stroke=\"#c33\" stroke-width=\"1.5\" points=\"{}\"/></svg>",
        hgt + 2,
        hgt + 2,
        points.join(" ")
    )
}

/// Unix seconds as `YYYY-MM-DD HH:MM` UTC.
pub(crate) fn date(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86400), t.rem_euclid(86400));
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        secs / 3600,
        secs / 60 % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian
/// (H. Hinnant's `civil_from_days`).
fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01 00:00");
        assert_eq!(date(951_782_400), "2000-02-29 00:00");
        assert_eq!(date(1_700_000_000), "2023-11-14 22:13");
        assert_eq!(date(-1), "1969-12-31 23:59");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<script>\"&'"), "&lt;script&gt;&quot;&amp;&#39;");
    }

    #[test]
    fn sparkline_places_days() {
        let s = sparkline(&[(100, 2), (99, 1)], 100);
        assert!(s.contains("87,0"), "{s}");
        assert!(s.contains("84,10"), "{s}");
        assert!(s.contains("0,20"), "{s}");
    }
}
