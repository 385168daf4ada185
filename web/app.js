/*
 * The page: reads the report from the address, shows it. Everything from
 * the QR code is inserted as text (textContent), never as HTML.
 *
 * First, the pure part of sending a report to the distribution's intake
 * (issue 14), kept free of the DOM so that Node's tests (and
 * web/configure.mjs) load it with require(): under Node this file exports
 * it and stops there.
 */
(function () {
  "use strict";
  const intake = (function () {
    // http is allowed only where nothing leaves the machine (a local intake
    // under test); anywhere else the report would cross the network in clear.
    const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];
    const ENDPOINT = "/api/reports";
    // Above any answer the API defines; a longer error is cut for display.
    const MAX_MESSAGE = 300;
    const TIMEOUT_MS = 30000;

    /*
     * config.intakeUrl read: null when empty (no button), else
     * { origin, endpoint } or { error } saying what to fix.
     *   intakeTarget("https://crash.example.org/panic")
     *     -> { origin: "https://crash.example.org",
     *          endpoint: "https://crash.example.org/panic/api/reports" }
     */
    function intakeTarget(value) {
      if (value === undefined || value === null || value === "") return null;
      if (typeof value !== "string") return { error: "intakeUrl is not a string" };
      let u;
      try { u = new URL(value); } catch (_) { return { error: `intakeUrl ${JSON.stringify(value)} is not an absolute URL` }; }
      if (u.protocol !== "https:" && !(u.protocol === "http:" && LOOPBACK.includes(u.hostname))) {
        return { error: `intakeUrl ${JSON.stringify(value)} must start with https:// (http:// only on 127.0.0.1, localhost or [::1])` };
      }
      if (u.username || u.password) return { error: `intakeUrl ${JSON.stringify(value)} must not carry a user name or password` };
      // Checked on the text: new URL() drops an empty "?" or "#".
      if (/[?#]/.test(value)) return { error: `intakeUrl ${JSON.stringify(value)} must not have a query or a fragment` };
      return { origin: u.origin, endpoint: u.origin + u.pathname.replace(/\/+$/, "") + ENDPOINT };
    }

    /* A policy's directives by name, the first of a name winning, as the
     * browser applies them (CSP3 §2.2.1). */
    function cspDirectives(policy) {
      const out = new Map();
      for (const piece of String(policy).split(";")) {
        const tokens = piece.trim().split(/[ \t\n\r\f]+/).filter(Boolean);
        if (tokens.length === 0) continue;
        const name = tokens[0].toLowerCase();
        if (!out.has(name)) out.set(name, tokens.slice(1));
      }
      return out;
    }

    /*
     * Whether the page may offer to send, given the config and the
     * contents of its Content-Security-Policy <meta> tags:
     * { enabled: true, origin, endpoint, name } only when intakeUrl is set
     * and valid and the one policy's connect-src is exactly its origin;
     * else { enabled: false, note } where note (null when intakeUrl is
     * empty) tells the deployer what to fix. A connect-src wider than the
     * intake would let a later bug send elsewhere; a narrower one would
     * show a button whose request the browser blocks.
     *   intakeState({ intakeUrl: "https://c.example" }, ["connect-src https://c.example"]).enabled === true
     */
    function intakeState(config, policies) {
      const cfg = config || {};
      const target = intakeTarget(cfg.intakeUrl);
      if (target === null) return { enabled: false, note: null };
      const fix = `run: node web/configure.mjs --intake ${cfg.intakeUrl}`;
      const note = (why) => ({ enabled: false, note: `panicqr: no "Send this report" button: ${why}` });
      if (target.error) return note(target.error + ".");
      if (policies.length !== 1) return note(`the page needs exactly one Content-Security-Policy <meta>, it has ${policies.length}; ${fix}`);
      const connect = cspDirectives(policies[0]).get("connect-src");
      if (!connect) return note(`the Content-Security-Policy <meta> has no connect-src; ${fix}`);
      if (connect.length !== 1 || connect[0].toLowerCase() !== target.origin) {
        return note(`the Content-Security-Policy <meta> says "connect-src ${connect.join(" ")}", but intakeUrl needs exactly "connect-src ${target.origin}"; ${fix}`);
      }
      const name = typeof cfg.distribution === "string" && cfg.distribution.trim() ? cfg.distribution.trim() : new URL(target.origin).host;
      return { enabled: true, origin: target.origin, endpoint: target.endpoint, name };
    }

    /* The one request for one report text: the text and nothing else, no
     * cookie or other credential, no referrer, no redirect followed. */
    function buildRequest(endpoint, text) {
      return {
        url: endpoint,
        init: {
          method: "POST",
          headers: { "Content-Type": "text/plain" },
          body: text,
          credentials: "omit",
          referrerPolicy: "no-referrer",
          mode: "cors",
          cache: "no-store",
          redirect: "error",
        },
      };
    }

    const cut = (s) => (s.length > MAX_MESSAGE ? s.slice(0, MAX_MESSAGE) + "\u2026" : s);

    /*
     * The intake's answer as one line for the page: { ok, text }. The
     * answer is data from the network: read as JSON, each field checked,
     * shown as text by the caller.
     *   describeAnswer(200, '{"id":7,"signature":"ab","title":"BUG: x","duplicate":false}')
     *     -> { ok: true, text: 'Received: "BUG: x" (report 7).' }
     */
    function describeAnswer(status, body) {
      let json = null;
      try { json = JSON.parse(body); } catch (_) { /* not JSON: said below */ }
      if (status < 200 || status > 299) {
        const why = json && typeof json.error === "string" ? json.error : String(body).trim();
        return { ok: false, text: cut(`Refused by the server (HTTP ${status})${why ? ": " + why : ""}`) };
      }
      const id = json && (typeof json.id === "number" || typeof json.id === "string") ? String(json.id) : null;
      if (!json || id === null || typeof json.title !== "string" || typeof json.duplicate !== "boolean") {
        return { ok: false, text: cut("The server answered, but not as the intake API does: " + String(body).trim()) };
      }
      const title = `"${json.title}" (report ${id})`;
      if (!json.duplicate) return { ok: true, text: cut(`Received: ${title}.`) };
      // The API's answer need not count the reports; a count is shown if given.
      const count = Number.isSafeInteger(json.count) && json.count > 0 ? `${json.count} report${json.count === 1 ? "" : "s"}` : "reported before";
      return { ok: true, text: cut(`Already known: ${count} \u2014 ${title}.`) };
    }

    /*
     * Sends each { label, text } in turn (one POST each), through fetchFn
     * (the page's fetch), and returns one { label, ok, text } per item
     * tried; after a failure the rest are not sent, and say so.
     */
    async function sendAll(fetchFn, endpoint, items) {
      const out = [];
      for (const item of items) {
        if (out.some((r) => !r.ok)) {
          out.push({ label: item.label, ok: false, text: "Not sent: an earlier request failed." });
          continue;
        }
        const { url, init } = buildRequest(endpoint, item.text);
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
        try {
          const response = await fetchFn(url, { ...init, signal: abort.signal });
          out.push({ label: item.label, ...describeAnswer(response.status, await response.text()) });
        } catch (e) {
          out.push({ label: item.label, ok: false, text: `Not sent, or no answer (${e && e.name === "AbortError" ? "no answer in " + TIMEOUT_MS / 1000 + " s" : String(e && e.message || e)}).` });
        } finally {
          clearTimeout(timer);
        }
      }
      return out;
    }

    return { intakeTarget, cspDirectives, intakeState, buildRequest, describeAnswer, sendAll, ENDPOINT };
  })();
  if (typeof module !== "undefined" && module.exports) {
    module.exports = intake;
    return;
  }

  const $ = (id) => document.getElementById(id);
  const config = window.PANICQR_CONFIG || {};
  let current = null;
  // What "Send" would send for the report shown: { label, text } per code.
  let sendable = [];
  let intakeConf = { enabled: false, note: null };
  // What the preview showed, and so what "Send" sends, even if the page
  // changed since.
  let pending = [];
  // Bumped when the page shows another report, so that the answers to a
  // send still under way are not shown under it.
  let shownReport = 0;

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
  function render(result, statusClass, statusValue, fillLog, items) {
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
    sendable = has ? items : [];
    resetSubmit();
  }

  /* `text` is what was scanned (the page's address) or pasted. */
  function show(result, text) {
    $("parts").hidden = true;
    render(result, result.status + (result.condition ? " " + result.condition : ""), statusText(result),
      (pre, firstCrash) => appendResultLog(pre, result, firstCrash), [{ label: "The report", text }]);
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
    // The texts of the parts the page merged, those it shows: never a
    // second, conflicting scan of a part, nor a part of another report.
    const items = merged.pieces.slice().reverse().map((p) => ({
      label: `Part ${p.index} of ${count}`,
      text: texts[decoded.indexOf(p.result)],
    }));
    showMerged(merged, result, { kept, storage: !!s }, items);
  }

  function showMerged(m, scanned, how, items) {
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
    }, items);
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
    sendable = [];
    resetSubmit();
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
    else show(result, text);
  }

  /* ---- Sending the report to the distribution (issue 14) ----
   * Only with an intake configured and a policy that allows exactly it;
   * only after the click that shows what goes, and the click on "Send". */
  function setupIntake() {
    const metas = Array.from(document.querySelectorAll("meta[http-equiv]"))
      .filter((m) => m.httpEquiv.toLowerCase() === "content-security-policy");
    intakeConf = intake.intakeState(config, metas.map((m) => m.content));
    if (intakeConf.note) {
      // For whoever deploys the page; the reader is not bothered with it.
      console.warn(intakeConf.note);
      setText("intake-note", intakeConf.note);
    }
    if (!intakeConf.enabled) return;
    setText("submit-open", `Send this report to ${intakeConf.name}`);
    setText("privacy", `Decoded on this device. Nothing is sent unless you press \u201cSend this report to ${intakeConf.name}\u201d and confirm; then only the report's address goes to ${intakeConf.origin}.`);
    setText("parts-privacy", "not sent anywhere unless you send the report below");
  }

  function resetSubmit() {
    $("submit").hidden = !intakeConf.enabled || sendable.length === 0;
    $("submit-preview").hidden = true;
    $("submit-open").disabled = false;
    $("submit-result").textContent = "";
    pending = [];
    shownReport++;
  }

  function previewSubmit() {
    const items = sendable.slice();
    const n = items.length;
    setText("submit-what", `${n === 1 ? "One request" : n + " requests, one for each part read,"} to ${intakeConf.name} (${intakeConf.origin}): POST ${intakeConf.endpoint}, Content-Type text/plain, ${n === 1 ? "whose body is this address" : "whose bodies are these addresses"}, exactly as read:`);
    const list = $("submit-bodies");
    list.textContent = "";
    for (const item of items) {
      const li = document.createElement("li");
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = item.label + ":";
      const body = document.createElement("code");
      body.className = "body";
      body.textContent = item.text;
      li.append(label, " ", body);
      list.appendChild(li);
    }
    setText("submit-nothing-else", `Nothing else is sent: not the decoded log (${intakeConf.name}'s server decodes the address itself), no cookies, no referrer.` +
      (n > 1 ? ` The server joins the parts; parts scanned later can be sent later.` : ""));
    $("submit-preview").hidden = false;
    $("submit-result").textContent = "";
    $("submit-send").disabled = false;
    pending = items;
    $("submit-send").focus();
  }

  async function submit() {
    const send = $("submit-send");
    const items = pending;
    pending = [];
    if (!intakeConf.enabled || items.length === 0) return;
    send.disabled = true;
    $("submit-open").disabled = true;
    const out = $("submit-result");
    out.textContent = "";
    const sending = document.createElement("li");
    sending.textContent = "Sending\u2026";
    out.appendChild(sending);
    const round = shownReport;
    const results = await intake.sendAll((url, init) => window.fetch(url, init), intakeConf.endpoint, items);
    if (round !== shownReport) return;
    out.textContent = "";
    for (const r of results) {
      const li = document.createElement("li");
      li.className = r.ok ? "ok" : "failed";
      li.textContent = (items.length > 1 ? r.label + ": " : "") + r.text;
      out.appendChild(li);
    }
    $("submit-preview").hidden = true;
    $("submit-open").disabled = false;
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
    $("submit-open").addEventListener("click", previewSubmit);
    $("submit-send").addEventListener("click", submit);
    $("submit-cancel").addEventListener("click", () => { $("submit-preview").hidden = true; pending = []; });
    setupIntake();
    window.addEventListener("hashchange", fromLocation);
    purgeOld(Date.now());
    fromLocation();
  });
})();
