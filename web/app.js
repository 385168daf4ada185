/*
 * The page: reads the report from the address, shows it. Everything from
 * the QR code is inserted as text (textContent), never as HTML.
 */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const config = window.PANICQR_CONFIG || {};
  let current = null;

  function setText(id, value) {
    $(id).textContent = value;
  }

  /* Appends text to a <pre> line by line, crash lines as <mark> (the first
   * one gets the id the "Go to the crash" link points at); returns how many. */
  function appendLines(parent, text, firstCrash) {
    if (!text) return 0;
    const lines = text.split("\n");
    const crash = new Set(window.PanicQR.crashLines(text));
    lines.forEach((line, i) => {
      if (crash.has(i)) {
        const mark = document.createElement("mark");
        mark.textContent = line;
        if (!firstCrash.done) {
          mark.id = "crash-line";
          firstCrash.done = true;
        }
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(line));
      }
      if (i < lines.length - 1) parent.appendChild(document.createTextNode("\n"));
    });
    return crash.size;
  }

  /* A result's log into the <pre>: the trusted part, then, set apart, what
   * may be wrong. Returns how many crash lines it holds. */
  function appendResultLog(pre, result, firstCrash) {
    let crashes = appendLines(pre, result.trustedLog, firstCrash);
    if (result.untrustedLog) {
      // Where trust ends, said in the log itself; what follows is set apart.
      const note = document.createElement("span");
      note.className = "trust-end";
      note.textContent = "\u2500\u2500 not verified from here on: the data is " +
        (result.condition === "damaged" ? "damaged" : "cut short or damaged") + " \u2500\u2500";
      pre.appendChild(note);
      const rest = document.createElement("span");
      rest.className = "untrusted";
      rest.id = "untrusted";
      crashes += appendLines(rest, result.untrustedLog, firstCrash);
      pre.appendChild(rest);
    }
    return crashes;
  }

  function statusText(result) {
    const why = result.problems.join("; ");
    const untrusted = result.logBytes - result.trustedBytes;
    const STATUS = {
      complete: "Complete: the whole log in the QR code was recovered.",
      truncated: `Partial \u2014 truncated: the report was cut short (${why}); only the beginning of the log was recovered. Scan the code again, closer and steadier, to get the rest.`,
      "ends-early": untrusted > 0
        ? `Partial \u2014 ends early: the report was cut short, or a digit in it is wrong; the two cannot be told apart here (${why}). If it was cut, the log below is right as far as it goes; if it was damaged, its end is wrong. Nothing below is verified.`
        : `Partial \u2014 ends early: the report was cut short, or its last digits are wrong (${why}). The log below is right as far as it goes.`,
      damaged: untrusted > 0
        ? `Partial \u2014 damaged: the data does not check out (${why}). The log is shown, but it holds at least one error at a place that cannot be known: ${result.trustedBytes === 0 ? "none of it" : "only the first " + result.trustedBytes + " bytes"} can be trusted.`
        : `Partial \u2014 damaged: the data is wrong from one point on (${why}); the log below stops before the damage and can be trusted.`,
      "output-limit": `Partial \u2014 too large: ${why}. This is not a kernel report.`,
    };
    if (result.status === "unreadable") return "Unreadable: " + (why || "no report data") + ".";
    return STATUS[result.condition];
  }

  /* The page around a log: status, metadata, actions, bug report text.
   * fillLog writes the <pre> and returns its number of crash lines. */
  function render(result, statusClass, statusValue, fillLog) {
    current = result;
    const status = $("status");
    status.className = "status " + statusClass;
    status.textContent = statusValue;
    const has = result.status !== "unreadable";
    $("meta").hidden = !has && !result.arch && !result.release;
    setText("arch", result.arch || "unknown");
    setText("release", result.release || "unknown");
    setText("distribution", result.distribution || config.distribution || "not given");
    setText("size", result.logBytes + " bytes" + (result.partsNote || "") + (result.invalidUtf8 ? " (invalid UTF-8 shown as \uFFFD)" : ""));
    $("actions").hidden = !has;
    $("log-section").hidden = !has;
    $("report").hidden = !has;
    const pre = $("log");
    pre.textContent = "";
    $("jump").hidden = fillLog(pre, { done: false }) === 0;
    $("report-text").value = window.PanicQR.bugReport(result);
    const tracker = $("tracker");
    if (config.trackerUrl && /^https:\/\//.test(config.trackerUrl)) {
      tracker.href = config.trackerUrl;
      tracker.textContent = "Open " + (config.trackerName || "the bug tracker");
      tracker.hidden = false;
      setText("tracker-hint", " on " + (config.trackerName || "the bug tracker"));
    }
  }

  function show(result) {
    $("parts").hidden = true;
    render(result, result.status + (result.condition ? " " + result.condition : ""), statusText(result),
      (pre, firstCrash) => appendResultLog(pre, result, firstCrash));
  }

  /* ---- Reports over several codes (docs/format.md §9) ----
   * The phone opens a new page for each code it scans, so the parts read
   * so far are kept in this browser's localStorage, and nowhere else: one
   * entry per report id holding the addresses scanned and when the first
   * was kept. Entries are dropped a day after that, or on "Forget". */
  const STORE_PREFIX = "panicqr-parts:";
  const KEEP_MS = 24 * 60 * 60 * 1000;
  const DRIFT_MS = 10 * 60 * 1000;
  // More than any report has parts (255), with room for conflicting
  // rescans; it bounds what one id can take of the storage.
  const MAX_URLS = 300;

  /* null where storage is off (some private modes throw on access). */
  function store() {
    try { return window.localStorage || null; } catch (_) { return null; }
  }

  function readEntry(s, key) {
    try {
      const e = JSON.parse(s.getItem(key));
      if (e && typeof e.first === "number" && Array.isArray(e.urls) && e.urls.every((u) => typeof u === "string")) return e;
    } catch (_) { /* unreadable: treated as absent, and purged */ }
    return null;
  }

  /* A crash log is private: nothing outlives a day, whatever happens to
   * the page. A time well in the future (the clock was set back) cannot be
   * aged, so it goes too; a few minutes ahead is only clock drift. */
  function purgeOld(now) {
    const s = store();
    if (!s) return;
    const keys = [];
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k && k.startsWith(STORE_PREFIX)) keys.push(k);
    }
    for (const k of keys) {
      const e = readEntry(s, k);
      if (!e || e.first > now + DRIFT_MS || now - e.first >= KEEP_MS) s.removeItem(k);
    }
  }

  const listWords = (xs) => xs.length <= 1 ? String(xs[0]) : xs.slice(0, -1).join(", ") + " and " + xs[xs.length - 1];
  const plural = (xs, word) => word + (xs.length === 1 ? " " : "s ") + listWords(xs);

  /* A part of a report: kept (when it was read whole), merged with the
   * parts kept before, shown. `text` is what was scanned or pasted. */
  function showPart(result, text, keep) {
    const { id, count } = result.part;
    const s = store();
    const key = STORE_PREFIX + id;
    let entry = s ? readEntry(s, key) : null;
    let kept = false;
    // Only a part that checks out is kept: a cut scan kept first would
    // stand against the good rescan as a conflict.
    if (keep && s && result.status === "complete") {
      entry = entry || { first: Date.now(), urls: [] };
      if (!entry.urls.includes(text) && entry.urls.length < MAX_URLS) entry.urls.push(text);
      try {
        s.setItem(key, JSON.stringify(entry));
        kept = true;
      } catch (_) { /* full or refused: this page still shows what it has */ }
    }
    const texts = entry ? entry.urls.slice() : [];
    if (!texts.includes(text)) texts.push(text);
    const decoded = texts.map((t) => (t === text ? result : window.PanicQR.decodeReport(window.PanicQR.parseParams(t))));
    const merged = window.PanicQR.mergeParts(decoded).find((m) => m.id === id && m.count === count);
    showMerged(merged, result, { kept, storage: !!s });
  }

  function showMerged(m, scanned, how) {
    const have = m.pieces.map((p) => p.index).reverse();
    const notes = [];
    let head;
    if (m.complete) head = `Complete: all ${m.count} parts were read, and together they are the whole log (checked against the report id).`;
    else if (m.missing.length > 0) head = `${have.length === 1 ? "Part" : "Parts"} ${listWords(have)} of ${m.count} read: scan ${plural(m.missing, "part")} too.`;
    else if (m.conflicts.length > 0) head = `All ${m.count} parts were read, but ${plural([...new Set(m.conflicts)], "part")} came twice with different contents: the codes may belong to two crashes. Forget this report and scan its codes again.`;
    else if (m.idMatches === false) head = `All ${m.count} parts were read, but together they do not match the report id: they may belong to two crashes. Forget this report and scan its codes again.`;
    else head = `All ${m.count} parts were read, but not all of them whole.`;
    const damage = m.pieces.filter((p) => p.result.status !== "complete").map((p) => `Part ${p.index}: ${statusText(p.result)}`);
    if (m.missing.length > 0) notes.push("The log below holds the parts read so far, oldest first; where lines are missing, it says so.");
    notes.push(...damage);
    if (scanned.status !== "complete") notes.push(`This scan of part ${scanned.part.index} was not read whole, so it is not kept: scan it again.`);
    else if (!how.storage) notes.push("This browser does not let the page keep parts, so each code shows only its own lines.");
    else if (!how.kept) notes.push("This browser's storage refused the part, so it is not kept.");

    const pieceText = m.segments.map((seg) => seg.missing ? missingText(seg.missing, m.count) : seg.result.log);
    const result = {
      arch: firstOf(m, "arch"),
      release: firstOf(m, "release"),
      distribution: firstOf(m, "distribution"),
      status: m.complete ? "complete" : "partial",
      condition: m.complete ? "complete" : "incomplete",
      problems: m.complete ? [] : [head, ...damage],
      log: pieceText.join(""),
      logBytes: m.pieces.reduce((n, p) => n + p.result.logBytes, 0),
      // Trust is per part (and said in the log and the problems), not one
      // prefix of the whole.
      trustedBytes: m.pieces.reduce((n, p) => n + p.result.logBytes, 0),
      invalidUtf8: m.pieces.some((p) => p.result.invalidUtf8),
      partsNote: ` in ${have.length === 1 ? "part" : "parts"} ${listWords(have)} of ${m.count}`,
    };
    render(result, m.complete ? "complete" : "partial", [head, ...notes].join(" "), (pre, firstCrash) => {
      let crashes = 0;
      for (const seg of m.segments) {
        if (seg.missing) {
          const gap = document.createElement("span");
          gap.className = "part-missing";
          gap.textContent = missingText(seg.missing, m.count);
          pre.appendChild(gap);
        } else crashes += appendResultLog(pre, seg.result, firstCrash);
      }
      return crashes;
    });
    $("parts").hidden = false;
    setText("parts-id", m.id);
    setText("parts-have", `${listWords(have)} of ${m.count}`);
    $("forget").hidden = !how.storage;
    $("forget").dataset.id = m.id;
    setText("forget-note", "");
  }

  function missingText(indices, count) {
    const what = indices.length === 1 ? `part ${indices[0]} of ${count} is` : `parts ${listWords(indices)} of ${count} are`;
    return `\u2500\u2500 ${what} not scanned yet: lines are missing here \u2500\u2500\n`;
  }

  function firstOf(m, field) {
    const p = m.pieces.map((x) => x.result).reverse().find((r) => r[field]);
    return p ? p[field] : null;
  }

  function forget() {
    const id = $("forget").dataset.id;
    const s = store();
    if (!id || !s) return;
    s.removeItem(STORE_PREFIX + id);
    current = null;
    const status = $("status");
    status.className = "status empty";
    status.textContent = `Forgotten: this browser no longer keeps any part of report ${id}.`;
    for (const section of ["meta", "actions", "log-section", "report"]) $(section).hidden = true;
    $("log").textContent = "";
    $("forget").hidden = true;
    setText("forget-note", "Removed.");
  }

  function copy(textValue, button) {
    const done = () => {
      const old = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = old; }, 1500);
    };
    const fallback = () => {
      const ta = document.createElement("textarea");
      ta.value = textValue;
      document.body.appendChild(ta);
      ta.select();
      try { document.execCommand("copy"); done(); } finally { ta.remove(); }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(textValue).then(done, fallback);
    } else fallback();
  }

  function download() {
    if (!current) return;
    const name = "kernel-crash-" + (current.release || "report").replace(/[^A-Za-z0-9._+-]/g, "_") + ".txt";
    const blob = new Blob([current.log], { type: "text/plain;charset=utf-8" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function fromLocation() {
    const params = window.PanicQR.paramsFromLocation(window.location);
    if (params.z === undefined && params.zl === undefined) {
      $("status").className = "status empty";
      $("status").textContent = "No report in this address. Scan a panic QR code, or paste one below.";
      $("paste").hidden = false;
      return;
    }
    handle(window.PanicQR.decodeReport(params), window.location.href, true);
  }

  function handle(result, text, keep) {
    if (result.part && result.status !== "unreadable") showPart(result, text, keep);
    else show(result);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("copy").addEventListener("click", (e) => current && copy(current.log, e.currentTarget));
    $("copy-report").addEventListener("click", (e) => copy($("report-text").value, e.currentTarget));
    $("download").addEventListener("click", download);
    $("paste-input").addEventListener("input", (e) => {
      const params = window.PanicQR.parseParams(e.target.value);
      // A paste is kept like a scan, but only once it reads whole, so
      // the text of a paste under way is never stored.
      if (params.z !== undefined || params.zl !== undefined) handle(window.PanicQR.decodeReport(params), e.target.value.trim(), true);
    });
    $("forget").addEventListener("click", forget);
    window.addEventListener("hashchange", fromLocation);
    purgeOld(Date.now());
    fromLocation();
  });
})();
