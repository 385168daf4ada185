// Unit tests of the page's decoding functions, on vectors made by
// `panicqr encode` (run make-vectors.mjs first; ci/web.sh does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const { parseParams, paramsFromLocation, decodeReport, decodeZ, decodeZl, crashLines, bugReport, cleanDigits } = require("../decode.js");
const { inflateZlib, MAX_LOG_BYTES } = require("../inflate.js");
const testdata = join(here, "..", "..", "testdata");
const { vectors } = JSON.parse(readFileSync(process.env.VECTORS || join(here, "vectors.generated.json"), "utf8"));

for (const v of vectors) {
  test(`vector: ${v.name}`, () => {
    const r = decodeReport(parseParams(v.url));
    assert.equal(r.arch, "x86_64");
    assert.equal(r.release, "6.19.11+kali-amd64", "a + in the release must survive");
    if (v.status === "complete") {
      assert.equal(r.status, "complete", r.problems.join("; "));
      assert.deepEqual(r.problems, []);
      assert.equal(r.log, v.log);
    } else if (v.status === "partial") {
      assert.equal(r.status, "partial");
      assert.ok(r.log.length > 0 && v.log.startsWith(r.log), "a cut report shows a prefix of the log");
      assert.ok(r.problems.length > 0);
    } else {
      assert.notEqual(r.status, "complete");
      assert.ok(r.problems.length > 0);
    }
  });
}

test("zl= vectors say so", () => {
  const v = vectors.find((x) => x.name === "legacy zl=");
  assert.equal(decodeReport(parseParams(v.url)).packing, "zl");
});

test("fragment, query and bare digits all parse; + is not a space", () => {
  assert.deepEqual(parseParams("https://x/#?a=arm64&v=6.1+rc&z=123"), { a: "arm64", v: "6.1+rc", z: "123" });
  assert.deepEqual(parseParams("?a=x&v=6.1%2Brc&zl=9"), { a: "x", v: "6.1+rc", zl: "9" });
  assert.deepEqual(parseParams("  00281474976710656\n000000000000255 "), { z: "00281474976710656\n000000000000255" });
  assert.deepEqual(parseParams("#a=x&z=5"), { a: "x", z: "5" });
});

test("z= worked example and precise problems", () => {
  assert.deepEqual(decodeZ("00281474976710656000000000000255").bytes, [0, 0, 0, 0, 0, 0, 1, 255, 0, 0, 0, 0, 0]);
  assert.equal(decodeZ("0028147497671065600").problem.kind, "bad-tail");
  assert.equal(decodeZ("0028147497671x656").problem.position, 13);
  assert.equal(decodeZ("00281474976710656999").problem.group, 1);
  assert.equal(decodeZl("12a4").problem.position, 2);
});

test("inflater: cut streams keep their prefix, garbage is corrupt", () => {
  const v = vectors.find((x) => x.name === "complete syzkaller-0004.log");
  const bytes = decodeZ(parseParams(v.url).z).bytes;
  const whole = inflateZlib(Uint8Array.from(bytes));
  assert.equal(whole.error, null);
  const cut = inflateZlib(Uint8Array.from(bytes.slice(0, bytes.length >> 1)));
  assert.equal(cut.error, "cut");
  assert.ok(cut.bytes.length > 0);
  assert.deepEqual(Array.from(cut.bytes), Array.from(whole.bytes.slice(0, cut.bytes.length)));
  assert.equal(inflateZlib(Uint8Array.from([1, 2, 3, 4])).error, "corrupt");
  const bad = Uint8Array.from(bytes);
  bad[bad.length - 1] ^= 1;
  assert.equal(inflateZlib(bad).error, "checksum");
});

test("nothing to decode", () => {
  const r = decodeReport(parseParams("https://x/#?a=x86_64&v=1"));
  assert.equal(r.status, "unreadable");
  assert.match(r.problems[0], /no report data/);
});

test("crash lines and the bug report text", () => {
  const log = "[ 1.0] hello\n[ 1.1] BUG: bad thing\n[ 1.2] RIP: 0010:f+0x1/0x2\n";
  assert.deepEqual(crashLines(log), [1, 2]);
  const text = bugReport({ log, arch: "x86_64", release: "6.1", distribution: null, status: "complete", problems: [] });
  assert.match(text, /^Kernel crash: BUG: bad thing/);
  assert.match(text, /Kernel release: 6\.1/);
  assert.ok(text.endsWith(log));
});

// Issue 13 item 6: one reading of a URL, the same table as the Rust decoder.
test("issue 13: every case of testdata/url-cases.json reads as the table says", () => {
  const { cases } = JSON.parse(readFileSync(join(testdata, "url-cases.json"), "utf8"));
  for (const c of cases) {
    const p = parseParams(c.input);
    if (c.expect === null) {
      assert.deepEqual(p, {}, c.name);
      continue;
    }
    const packing = p.z !== undefined ? "z" : p.zl !== undefined ? "zl" : null;
    const got = { a: p.a ?? null, v: p.v ?? null, d: p.d ?? null, packing, digits: packing ? cleanDigits(p[packing]) : null };
    assert.deepEqual(got, c.expect, c.name);
  }
  assert.equal(cases.length, 42);
});

test("the page reads its own address by the same rules", () => {
  const href = "https://x/?a=q&z=5#?a=f&v=6.1?rc&z=6";
  assert.deepEqual(paramsFromLocation({ href }), parseParams(href));
  assert.deepEqual(paramsFromLocation({ search: "?a=q&z=5", hash: "#top" }), { a: "q", z: "5" });
});

/* A zlib stream of 1 + 258 * reps zero bytes in one fixed-Huffman block: a
 * literal 0, then length 258 at distance 1 again and again (13 bits each). */
function zlibBomb(reps) {
  const out = [0x78, 0x01];
  let acc = 0, n = 0;
  const put = (v, bits, msbFirst) => {
    for (let i = 0; i < bits; i++) {
      acc |= ((msbFirst ? v >> (bits - 1 - i) : v >> i) & 1) << n;
      if (++n === 8) { out.push(acc); acc = 0; n = 0; }
    }
  };
  put(1, 1, false); put(1, 2, false); put(0x30, 8, true);
  for (let i = 0; i < reps; i++) { put(0xc5, 8, true); put(0, 5, true); }
  put(0, 7, true); put(0, 7, false);
  const len = 1 + 258 * reps;
  out.push(len % 65521 >> 8, len % 65521 & 255, 0, 1);
  return out;
}

function zDigits(bytes) {
  const W = [0, 3, 5, 8, 10, 13, 15, 17];
  let s = "";
  for (let i = 0; i < bytes.length; i += 7) {
    const g = bytes.slice(i, i + 7);
    let v = 0n;
    for (let k = g.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(g[k]);
    s += v.toString().padStart(W[g.length], "0");
  }
  return s;
}

// Issue 13 item 4: the same output cap as the Rust decoder.
test("issue 13: a zlib bomb stops at the output limit", () => {
  assert.equal(MAX_LOG_BYTES, 4 * 1024 * 1024);
  // 16 MiB of zeros in a 105 KB link; before the cap it all went to memory.
  const bomb = zlibBomb((16 << 20) / 258);
  const whole = inflateZlib(Uint8Array.from(zlibBomb(1000)));
  assert.equal(whole.error, null, "the bomb is a valid stream");
  assert.equal(whole.bytes.length, 258001);
  const rss = process.memoryUsage().rss;
  const r = decodeReport(parseParams("https://x/#?a=x&v=1&z=" + zDigits(bomb)));
  assert.equal(r.condition, "output-limit");
  assert.equal(r.status, "partial");
  assert.equal(r.logBytes, MAX_LOG_BYTES);
  assert.equal(r.trustedBytes, MAX_LOG_BYTES);
  assert.match(r.problems.join(";"), /output limit reached/);
  assert.ok(process.memoryUsage().rss - rss < 256 << 20, "memory stays bounded");
});

// Issue 13 item 5: the same sweep as crates/report/tests/hostile.rs, with
// the same counts: the page and the CLI read damage alike.
test("issue 13: single-digit damage is never called truncated, as in the Rust decoder", () => {
  const dir = join(testdata, "reports");
  const total = {};
  let cases = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".url")).sort()) {
    const url = readFileSync(join(dir, f), "utf8").trim();
    const ref = decodeReport(parseParams(url));
    assert.equal(ref.condition, "complete");
    const start = url.indexOf("z=") + 2;
    for (let i = start; i < url.length; i++) {
      for (let d = 0; d < 10; d++) {
        if (url.charCodeAt(i) === 48 + d) continue;
        const r = decodeReport(parseParams(url.slice(0, i) + d + url.slice(i + 1)));
        const kind = r.status === "unreadable" ? "unreadable" : r.condition;
        assert.ok(ref.log.startsWith(r.trustedLog), `${f} digit ${i - start}: trusted bytes are wrong`);
        if (kind === "complete") assert.equal(r.log, ref.log);
        total[kind] = (total[kind] || 0) + 1;
        cases++;
      }
    }
  }
  assert.equal(cases, 9 * 8456);
  assert.deepEqual(total, { complete: 1, damaged: 71195, "ends-early": 490, unreadable: 4418 });
});

test("a damaged report marks where trust ends in the bug report text", () => {
  const url = readFileSync(join(testdata, "reports", "syzkaller-0146.url"), "utf8").trim();
  const at = url.indexOf("z=") + 2 + 1000;
  const r = decodeReport(parseParams(url.slice(0, at) + ((Number(url[at]) + 1) % 10) + url.slice(at + 1)));
  assert.equal(r.condition, "damaged");
  assert.equal(r.trustedBytes, 0);
  assert.equal(r.untrustedLog, r.log);
  assert.match(r.problems.join(";"), /checksum mismatch \(data damaged/);
  assert.doesNotMatch(r.problems.join(";"), /truncated|cut short/);
  assert.match(bugReport(r), /Trusted: the first 0 of \d+ bytes/);
});

// The CLI and the page read damage alike, case by case, not only in total:
// a sample of the sweep and of the cut points through `panicqr decode --json`
// (PANICQR is set by ci/web.sh).
test("issue 13: the CLI and the page give the same reading of damaged and cut reports", { skip: !process.env.PANICQR && "PANICQR not set" }, () => {
  const url = readFileSync(join(testdata, "reports", "syzkaller-0146.url"), "utf8").trim();
  const start = url.indexOf("z=") + 2;
  const inputs = [];
  for (let k = 0; k < (url.length - start) * 9; k += 61) {
    const i = start + Math.floor(k / 9), d = (Number(url[i]) + 1 + (k % 9)) % 10;
    inputs.push(url.slice(0, i) + d + url.slice(i + 1));
  }
  for (let cut = start + 1; cut < url.length; cut += 23) inputs.push(url.slice(0, cut));
  const seen = {};
  for (const input of inputs) {
    const page = decodeReport(parseParams(input));
    const cli = spawnSync(process.env.PANICQR, ["decode", "--json", "-"], { input, maxBuffer: 64 << 20 });
    if (page.status === "unreadable") {
      assert.equal(cli.status, 2, input.slice(-40));
      for (const p of page.problems) assert.ok(cli.stderr.toString().includes(p), `${p} | ${cli.stderr}`);
    } else {
      const j = JSON.parse(cli.stdout.toString());
      assert.deepEqual(
        { condition: j.condition, trusted: j.trusted_bytes, bytes: j.log_bytes, problems: j.problems, compressed: j.compressed_bytes },
        { condition: page.condition, trusted: page.trustedBytes, bytes: page.logBytes, problems: page.problems, compressed: page.compressedBytes },
        input.slice(-40),
      );
      assert.equal(cli.status, page.condition === "complete" ? 0 : 3);
    }
    const kind = page.status === "unreadable" ? "unreadable" : page.condition;
    seen[kind] = (seen[kind] || 0) + 1;
  }
  // 413 changed digits and 123 cuts.
  assert.deepEqual(seen, { damaged: 386, "ends-early": 49, truncated: 67, unreadable: 34 });
});

test("a stray non-ASCII character is one digit position, as in the Rust decoder", () => {
  // 17 + 5 characters: a valid last group, so the error is the character.
  const r = decodeReport(parseParams("?z=00281474976710656\u{1F600}0000"));
  // The 7 bytes before it are not a zlib header.
  assert.deepEqual(r.problems, ["digits: non-digit at digit position 17", "invalid deflate data (data damaged)"]);
});
