/*
 * Decoding a panic report URL in the browser: parameters, `z=` / `zl=`
 * digits, inflate, text. Pure functions, no DOM, no network. Classic script
 * (works from file://); also loadable with require() in Node for tests.
 */
(function (root) {
  "use strict";
  const inflateZlib =
    (typeof module !== "undefined" && module.exports ? require("./inflate.js") : root.PanicQRInflate).inflateZlib;

  const TAIL_DIGITS = [0, 3, 5, 8, 10, 13, 15];

  /* `%XX` decoded; `+` kept (the kernel sends it literally in `v=`). */
  function percentDecode(s) {
    const bytes = [];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 37 && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
        bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (c < 128) bytes.push(c);
      else for (const b of new TextEncoder().encode(s[i])) bytes.push(b);
    }
    return new TextDecoder("utf-8").decode(Uint8Array.from(bytes));
  }

  /*
   * The report parameters in a URL, a fragment (`#?a=…`), a query or bare
   * digits. Never URLSearchParams: it turns `+` into a space.
   */
  function parseParams(text) {
    const t = String(text || "").trim();
    const out = {};
    if (/^[0-9\s]+$/.test(t) && /[0-9]/.test(t)) {
      out.z = t;
      return out;
    }
    let params = t;
    const q = t.lastIndexOf("?");
    if (q >= 0) params = t.slice(q + 1);
    else if (t.startsWith("#")) params = t.slice(1);
    for (const pair of params.split("&")) {
      const eq = pair.indexOf("=");
      if (eq < 0) continue;
      const key = pair.slice(0, eq).trim();
      if (["a", "v", "d", "z", "zl"].includes(key)) out[key] = percentDecode(pair.slice(eq + 1));
    }
    return out;
  }

  /* The parameters of the page's own address: fragment first, then query. */
  function paramsFromLocation(loc) {
    const fromHash = parseParams(loc.hash || "");
    if (fromHash.z !== undefined || fromHash.zl !== undefined) return fromHash;
    const fromQuery = parseParams(loc.search || "");
    return Object.assign({}, fromQuery, fromHash.a || fromHash.v ? fromHash : {});
  }

  /* Whitespace, line breaks and `+` dropped; anything else is kept so a bad
   * character is reported at its position. */
  function cleanDigits(s) {
    return String(s).replace(/[\s+]/g, "");
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
      if (v >> BigInt(8 * n) !== 0n) return { bytes, problem: { kind: "out-of-range", group: g, text: `digit group ${g} is out of range for its length (data damaged)` } };
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
      if (v >= 2 ** size) return { bytes, problem: { kind: "out-of-range", group: g, text: `digit group ${g} is out of range for its length (data damaged)` } };
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

  const INFLATE_PROBLEM = {
    cut: "zlib stream cut short (truncated data)",
    corrupt: "zlib stream corrupt",
    checksum: "zlib checksum mismatch (data damaged)",
  };

  /*
   * Decodes report parameters. status: "complete", "partial" (a prefix of
   * the log was recovered) or "unreadable"; problems: plain sentences.
   */
  function decodeReport(params) {
    const res = {
      arch: params.a || null,
      release: params.v || null,
      distribution: params.d || null,
      packing: null,
      status: "unreadable",
      problems: [],
      log: "",
      logBytes: 0,
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
    const unpack = (d, whole) => res.packing === "z" ? decodeZ(whole ? d.slice(0, d.length - (d.length % 17)) : d) : decodeZl(whole ? d.slice(0, d.length - (d.length % 4)) : d, whole);
    let { bytes, problem } = unpack(digits, false);
    let inflated = inflateZlib(Uint8Array.from(bytes));
    if (inflated.error && !problem) {
      // The stream is incomplete, so the digits were cut: a cut can leave a
      // last group of a valid length that is really the start of a longer one.
      const whole = unpack(digits, true);
      if (whole.bytes.length < bytes.length) {
        bytes = whole.bytes;
        inflated = inflateZlib(Uint8Array.from(bytes));
      }
    }
    res.compressedBytes = bytes.length;
    if (problem) res.problems.push(problem.text);
    if (inflated.error && !(inflated.error === "cut" && problem)) res.problems.push(INFLATE_PROBLEM[inflated.error]);
    const t = text(inflated.bytes);
    res.log = t.text;
    res.invalidUtf8 = t.invalid;
    res.logBytes = inflated.bytes.length;
    res.status = res.problems.length === 0 ? "complete" : inflated.bytes.length > 0 ? "partial" : "unreadable";
    return res;
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
      `Report: ${r.status}${r.problems.length ? " (" + r.problems.join("; ") + ")" : ""}`,
      "",
      "Log (from the panic QR code):",
      r.log,
    ].filter((l) => l !== null).join("\n");
  }

  const api = { parseParams, paramsFromLocation, decodeZ, decodeZl, decodeReport, crashLines, bugReport, cleanDigits };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.PanicQR = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
