/*
 * Decoding a panic report URL in the browser: parameters, `z=` / `zl=`
 * digits, inflate, text. Pure functions, no DOM, no network. Classic script
 * (works from file://); also loadable with require() in Node for tests.
 */
(function (root) {
  "use strict";
  const { inflateZlib, MAX_LOG_BYTES } =
    typeof module !== "undefined" && module.exports ? require("./inflate.js") : root.PanicQRInflate;

  const TAIL_DIGITS = [0, 3, 5, 8, 10, 13, 15];

  /* The whitespace the parser drops: ASCII only, as in the Rust decoder
   * (`\s` and trim() would also take Unicode spaces). */
  const SPACE = "[ \\t\\n\\r\\f]";
  const trimSpace = (s) => s.replace(new RegExp(`^${SPACE}+|${SPACE}+$`, "g"), "");

  /* `%XX` decoded (two hex digits exactly); `+` kept (the kernel sends it
   * literally in `v=`); invalid UTF-8 becomes U+FFFD. */
  function percentDecode(s) {
    const bytes = [];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 37 && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
        bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (c < 128) bytes.push(c);
      else {
        const ch = String.fromCodePoint(s.codePointAt(i));
        for (const b of new TextEncoder().encode(ch)) bytes.push(b);
        i += ch.length - 1;
      }
    }
    return new TextDecoder("utf-8").decode(Uint8Array.from(bytes));
  }

  /* One `k=v&k=v` string: the first of each key counts, a piece without
   * `=` is not a parameter; null when it has neither `z` nor `zl`. */
  function paramsOf(s) {
    const found = {};
    for (const pair of s.split("&")) {
      const eq = pair.indexOf("=");
      if (eq < 0) continue;
      const key = trimSpace(pair.slice(0, eq));
      if (["a", "v", "d", "z", "zl", "p", "r"].includes(key) && !(key in found)) found[key] = pair.slice(eq + 1);
    }
    if (found.z === undefined && found.zl === undefined) return null;
    const out = {};
    for (const k of ["a", "v", "d"]) if (found[k] !== undefined) out[k] = percentDecode(trimSpace(found[k]));
    // `z` (current) wins over `zl` (Linux 6.12–6.14), whatever the order.
    if (found.z !== undefined) out.z = percentDecode(found.z);
    else out.zl = percentDecode(found.zl);
    const part = partTag(found.p, found.r);
    if (part) out.part = part;
    return out;
  }

  /* `p=<i>/<n>` and `r=<8 hex digits>` (docs/format.md §9), read as the
   * Rust decoder's part_tag does: raw values (not trimmed, not
   * percent-decoded), both well formed with 1 <= i <= n <= 255, or neither,
   * so a malformed tag leaves a report that stands on its own rather than
   * one that might be merged with the wrong crash. The id is lowercased:
   * it names a number, and storage keys must not depend on its case. */
  function partTag(p, r) {
    if (p === undefined || r === undefined) return null;
    const m = /^([0-9]{1,3})\/([0-9]{1,3})$/.exec(p);
    if (!m || !/^[0-9a-fA-F]{8}$/.test(r)) return null;
    const index = Number(m[1]), count = Number(m[2]);
    if (index < 1 || index > count || count > 255) return null;
    return { index, count, id: r.toLowerCase() };
  }

  /*
   * The report parameters in a URL, a fragment (`#?a=…`), a query, a bare
   * `a=…&z=…` or bare digits, by the rules of docs/format.md §6 (the Rust
   * decoder's parse_params applies the same; testdata/url-cases.json holds
   * both to them). {} when there is no report data. Never URLSearchParams:
   * it turns `+` into a space.
   */
  function parseParams(text) {
    const t = trimSpace(String(text || ""));
    if (new RegExp(`^(?:[0-9]|${SPACE})+$`).test(t) && /[0-9]/.test(t)) return { z: t };
    // The fragment first (the kernel starts it with `?`), then the query,
    // then the whole text: the first that carries data. Each part starts at
    // the first `#` or `?`, so one in a later value never moves the start,
    // and two parts are never mixed.
    const hash = t.indexOf("#");
    const before = hash < 0 ? t : t.slice(0, hash);
    const parts = [];
    if (hash >= 0) {
      const f = t.slice(hash + 1);
      parts.push(f.startsWith("?") ? f.slice(1) : f);
    }
    const q = before.indexOf("?");
    if (q >= 0) parts.push(before.slice(q + 1));
    parts.push(t);
    for (const p of parts) {
      const r = paramsOf(p);
      if (r) return r;
    }
    return {};
  }

  /* The parameters of the page's own address, read as one text by the
   * same rules as a pasted one. */
  function paramsFromLocation(loc) {
    return parseParams(loc.href !== undefined ? loc.href : (loc.search || "") + (loc.hash || ""));
  }

  /* Whitespace, line breaks and `+` dropped; anything else is kept so a bad
   * character is reported at its position. */
  function cleanDigits(s) {
    return String(s).replace(new RegExp(`${SPACE}|\\+`, "g"), "");
  }

  /* `z=`: 17 digits → 7 little-endian bytes; a last group of 3..15 digits. */
  function decodeZ(digits) {
    const bytes = [];
    const full = Math.floor(digits.length / 17), tail = digits.length % 17;
    for (let g = 0, pos = 0; ; g++) {
      let len, n;
      if (g < full) { len = 17; n = 7; }
      else if (g === full && tail > 0) {
        n = TAIL_DIGITS.indexOf(tail);
        if (n < 0) return { bytes, problem: { kind: "bad-tail", tail, text: `last group has ${tail} digits, which no packing produces (data cut short)` } };
        len = tail;
      } else return { bytes, problem: null };
      const chunk = digits.slice(pos, pos + len);
      const bad = chunk.search(/[^0-9]/);
      if (bad >= 0) return { bytes, problem: { kind: "not-a-digit", position: pos + bad, text: `non-digit at digit position ${pos + bad}` } };
      let v = BigInt(chunk);
      if (v >> BigInt(8 * n) !== 0n) return { bytes, problem: { kind: "out-of-range", group: g, text: `digit group ${g} is out of range for its length` } };
      for (let i = 0; i < n; i++) { bytes.push(Number(v & 255n)); v >>= 8n; }
      pos += len;
    }
  }

  function legacyDigits(n) {
    const bits = n * 8, k = bits % 13;
    return Math.floor(bits / 13) * 4 + (k === 1 ? 1 : Math.floor((k + 1) / 3));
  }

  /* Legacy `zl=`: 4 digits → 13 bits, big-endian; the last group holds the
   * remaining bits right-aligned. `wholeOnly` decodes whole groups of a cut string. */
  function decodeZl(digits, wholeOnly) {
    const bytes = [];
    const bad = digits.search(/[^0-9]/);
    if (bad >= 0) {
      const r = decodeZl(digits.slice(0, bad - (bad % 4)), true);
      return { bytes: r.bytes, problem: { kind: "not-a-digit", position: bad, text: `non-digit at digit position ${bad}` } };
    }
    let nbytes = -1;
    if (!wholeOnly) {
      const l = digits.length, base = Math.floor((l * 13) / 32);
      for (let n = base; n <= base + 2; n++) if (legacyDigits(n) === l) { nbytes = n; break; }
      if (nbytes < 0) {
        const r = decodeZl(digits.slice(0, l - (l % 4)), true);
        return { bytes: r.bytes, problem: r.problem || { kind: "bad-tail", tail: l % 4, text: `last group has ${l % 4} digits, which no packing produces (data cut short)` } };
      }
    }
    let acc = 0, accBits = 0, left = wholeOnly ? Infinity : nbytes * 8;
    for (let g = 0; g * 4 < digits.length; g++) {
      const chunk = digits.slice(g * 4, g * 4 + 4);
      if (wholeOnly && chunk.length < 4) break;
      const v = parseInt(chunk, 10), size = Math.min(13, left);
      if (v >= 2 ** size) return { bytes, problem: { kind: "out-of-range", group: g, text: `digit group ${g} is out of range for its length` } };
      acc = (acc * 2 ** size + v) % 2 ** 40;
      accBits += size;
      left -= size;
      while (accBits >= 8) {
        accBits -= 8;
        bytes.push(Math.floor(acc / 2 ** accBits) & 255);
      }
    }
    return { bytes, problem: null };
  }

  /* UTF-8, with invalid bytes shown as U+FFFD and counted. */
  function text(bytes) {
    try {
      return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), invalid: false };
    } catch (_) {
      return { text: new TextDecoder("utf-8").decode(bytes), invalid: true };
    }
  }

  /* The same sentences as the Rust decoder's. */
  const INFLATE_PROBLEM = {
    cut: "zlib stream ends early (cut short at a digit group boundary, or damaged)",
    corrupt: "invalid deflate data (data damaged)",
    checksum: "zlib checksum mismatch (data damaged at an unknown place)",
    limit: `output limit reached: the log stops at ${MAX_LOG_BYTES / 1048576} MiB, no report is that long`,
  };

  /*
   * Decodes report parameters, as the Rust decoder does (docs/format.md §7).
   * status: "complete", "partial" (some log, not all of it verified) or
   * "unreadable"; condition: "complete", "truncated" (cut: the digit count is
   * impossible), "ends-early" (cut at a group boundary, or damaged),
   * "damaged", "output-limit", or null when unreadable; the first
   * trustedBytes bytes of the log (trustedLog) can be trusted, the rest
   * (untrustedLog) may be wrong; problems: plain sentences.
   */
  function decodeReport(params) {
    const res = {
      arch: params.a || null,
      release: params.v || null,
      distribution: params.d || null,
      part: params.part || null,
      packing: null,
      status: "unreadable",
      condition: null,
      problems: [],
      log: "",
      trustedLog: "",
      untrustedLog: "",
      logBytes: 0,
      // The log as bytes: merging parts compares and hashes bytes, as the
      // Rust decoder does, so invalid UTF-8 cannot make two logs look equal.
      logData: new Uint8Array(0),
      trustedBytes: 0,
      compressedBytes: 0,
      invalidUtf8: false,
    };
    let digits;
    if (params.z !== undefined) { res.packing = "z"; digits = cleanDigits(params.z); }
    else if (params.zl !== undefined) { res.packing = "zl"; digits = cleanDigits(params.zl); }
    if (!digits) {
      res.problems.push("no report data: expected z= or zl= in the address");
      return res;
    }
    // One unit per character (code point), so that positions and group
    // lengths count characters as the Rust decoder does.
    digits = Array.from(digits, (c) => (c.charCodeAt(0) < 128 ? c : "?")).join("");
    const unpack = (d, whole) => res.packing === "z" ? decodeZ(whole ? d.slice(0, d.length - (d.length % 17)) : d) : decodeZl(whole ? d.slice(0, d.length - (d.length % 4)) : d, whole);
    let { bytes, problem } = unpack(digits, false);
    let inflated = inflateZlib(Uint8Array.from(bytes));
    if (!problem && (inflated.error === "cut" || inflated.error === "corrupt")) {
      // A cut can leave a last group of a valid length that is really the
      // start of a longer one, read as wrong bytes. Whole groups only: if
      // they end early without any invalid data, the failure was in the
      // last group, which a cut and damage explain alike.
      const whole = unpack(digits, true);
      if (whole.bytes.length < bytes.length) {
        const w = inflateZlib(Uint8Array.from(whole.bytes));
        if (w.error === "cut") {
          bytes = whole.bytes;
          inflated = w;
        }
      }
    }
    res.compressedBytes = bytes.length;
    if (problem) res.problems.push("digits: " + problem.text);
    // Bad digits stop the bytes, so the stream necessarily ends early.
    if (inflated.error && !(inflated.error === "cut" && problem)) res.problems.push(INFLATE_PROBLEM[inflated.error]);
    const n = inflated.bytes.length;
    if (res.problems.length > 0 && n === 0) return res;
    // A value too large for the last, shorter group is what a cut inside a
    // 17-digit group often leaves, as well as damage there.
    const lastGroup = res.packing === "z" ? (digits.length % 17 ? Math.floor(digits.length / 17) : -1) : Math.floor(Math.max(digits.length - 1, 0) / 4);
    let trusted = n;
    if (res.problems.length === 0) res.condition = "complete";
    else if (inflated.error === "corrupt" || inflated.error === "checksum") {
      // The inflater read damaged data somewhere before it noticed.
      res.condition = "damaged";
      trusted = 0;
    } else if (problem && problem.kind === "out-of-range" && problem.group === lastGroup) res.condition = "ends-early";
    else if (problem && problem.kind !== "bad-tail") res.condition = "damaged";
    else if (inflated.error === "limit") res.condition = "output-limit";
    else if (problem) res.condition = "truncated";
    else {
      res.condition = "ends-early";
      trusted = 0;
    }
    const t = text(inflated.bytes);
    res.log = t.text;
    res.trustedLog = text(inflated.bytes.subarray(0, trusted)).text;
    res.untrustedLog = text(inflated.bytes.subarray(trusted)).text;
    res.invalidUtf8 = t.invalid;
    res.logData = inflated.bytes;
    res.logBytes = n;
    res.trustedBytes = trusted;
    res.status = res.condition === "complete" ? "complete" : "partial";
    return res;
  }

  /* FNV-1a, 32 bits, over bytes: the report id of docs/format.md §9. */
  function fnv1a(bytes) {
    let h = 0x811c9dc5;
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    return h;
  }

  const hex8 = (n) => n.toString(16).padStart(8, "0");

  function sameBytes(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /*
   * The parts of reports over several codes, merged as the Rust decoder's
   * decode::merge does (docs/format.md §9): decoded results (decodeReport)
   * grouped by id and count, so two crashes are never mixed even when one
   * id is shared; in the order each report first appears; results without
   * a part tag are left out (each is a report of its own). The first of
   * two different logs for one index is kept and the index is listed in
   * conflicts. Each merged report:
   *   id, count, parts (parts[0] is part 1, null when not given),
   *   conflicts, missing (1-based indices), idMatches (null while parts are
   *   missing: the id can only be checked on the whole log), complete,
   *   pieces (the given parts oldest first: {index, result}),
   *   segments (oldest first: {index, result} or {missing: [indices]} for
   *   each run of absent parts, so a reader can mark where lines are lost).
   */
  function mergeParts(decoded) {
    const out = [];
    for (const d of decoded) {
      const tag = d && d.part;
      if (!tag) continue;
      let m = out.find((x) => x.id === tag.id && x.count === tag.count);
      if (!m) {
        m = { id: tag.id, count: tag.count, parts: new Array(tag.count).fill(null), conflicts: [] };
        out.push(m);
      }
      const first = m.parts[tag.index - 1];
      if (first === null) m.parts[tag.index - 1] = d;
      else if (!sameBytes(first.logData, d.logData)) m.conflicts.push(tag.index);
    }
    for (const m of out) {
      m.missing = [];
      m.pieces = [];
      m.segments = [];
      for (let i = m.count; i >= 1; i--) {
        const r = m.parts[i - 1];
        if (r) {
          m.pieces.push({ index: i, result: r });
          m.segments.push({ index: i, result: r });
        } else {
          m.missing.unshift(i);
          const last = m.segments[m.segments.length - 1];
          if (last && last.missing) last.missing.unshift(i);
          else m.segments.push({ missing: [i] });
        }
      }
      if (m.missing.length > 0) m.idMatches = null;
      else {
        const whole = new Uint8Array(m.pieces.reduce((n, p) => n + p.result.logData.length, 0));
        let at = 0;
        for (const p of m.pieces) { whole.set(p.result.logData, at); at += p.result.logData.length; }
        m.idMatches = hex8(fnv1a(whole)) === m.id;
      }
      m.complete = m.missing.length === 0 && m.conflicts.length === 0 &&
        m.pieces.every((p) => p.result.status === "complete") && m.idMatches === true;
    }
    return out;
  }

  /* Indexes of the lines that start a crash report (for highlighting). */
  const CRASH = /(BUG:|Oops|RIP:|Call Trace:|Kernel panic|WARNING:|general protection fault|Unable to handle)/;
  function crashLines(log) {
    const idx = [];
    log.split("\n").forEach((l, i) => { if (CRASH.test(l)) idx.push(i); });
    return idx;
  }

  /* A bug report text for pasting into a tracker. */
  function bugReport(r) {
    const lines = r.log.split("\n");
    const first = crashLines(r.log).map((i) => lines[i].replace(/^\[[^\]]*\]\s*/, ""))[0] || "(no crash line found)";
    return [
      `Kernel crash: ${first}`,
      "",
      `Architecture: ${r.arch || "unknown"}`,
      `Kernel release: ${r.release || "unknown"}`,
      r.distribution ? `Distribution: ${r.distribution}` : null,
      `Report: ${r.condition || r.status}${r.problems.length ? " (" + r.problems.join("; ") + ")" : ""}`,
      r.trustedBytes < r.logBytes ? `Trusted: the first ${r.trustedBytes} of ${r.logBytes} bytes of the log; the rest may be wrong` : null,
      "",
      "Log (from the panic QR code):",
      r.log,
    ].filter((l) => l !== null).join("\n");
  }

  const api = { parseParams, paramsFromLocation, decodeZ, decodeZl, decodeReport, crashLines, bugReport, cleanDigits, mergeParts, fnv1a };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.PanicQR = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
