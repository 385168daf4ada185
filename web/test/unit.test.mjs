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

/* ---- Reports over several codes (docs/format.md §9, issue 12) ---- */

const { mergeParts, fnv1a } = require("../decode.js");
const { partVectors } = JSON.parse(readFileSync(process.env.VECTORS || join(here, "vectors.generated.json"), "utf8"));
const partsOf = (name) => partVectors.find((v) => v.name === name);
const decodeUrl = (u) => decodeReport(parseParams(u));
/* A part's URL with its tag rewritten: how a second crash, or damage, is made. */
const retag = (url, index, count, id) => {
  const out = url.replace(/&p=[0-9]+\/[0-9]+&r=[0-9a-f]{8}&/, `&p=${index}/${count}&r=${id}&`);
  assert.notEqual(out, url);
  return out;
};

/* Tags and how part_tag reads them (null: not a part). Kept here, not in
 * testdata/url-cases.json, and held to the Rust reader by the next test. */
const TAG_CASES = [
  ["p=1/3&r=0a1b2c3d", { index: 1, count: 3, id: "0a1b2c3d" }],
  ["r=0a1b2c3d&p=3/3", { index: 3, count: 3, id: "0a1b2c3d" }],
  ["p=1/1&r=ABCDEF01", { index: 1, count: 1, id: "abcdef01" }],
  ["p=255/255&r=ffffffff", { index: 255, count: 255, id: "ffffffff" }],
  ["p=001/010&r=00000000", { index: 1, count: 10, id: "00000000" }],
  [" p =2/3& r\t=0a1b2c3d", { index: 2, count: 3, id: "0a1b2c3d" }],
  ["p=2/3&r=0a1b2c3d&p=1/3&r=ffffffff", { index: 2, count: 3, id: "0a1b2c3d" }],
  ...[
    "p=1/3", "r=0a1b2c3d", "p=0/3&r=0a1b2c3d", "p=4/3&r=0a1b2c3d", "p=1/0&r=0a1b2c3d",
    "p=1/256&r=0a1b2c3d", "p=256/256&r=0a1b2c3d", "p=0001/3&r=0a1b2c3d", "p=1/3/4&r=0a1b2c3d",
    "p=1-3&r=0a1b2c3d", "p=/3&r=0a1b2c3d", "p=1/&r=0a1b2c3d", "p=+1/3&r=0a1b2c3d", "p= 1/3&r=0a1b2c3d",
    "p=1%2F3&r=0a1b2c3d", "p=-1/3&r=0a1b2c3d", "p=1.0/3&r=0a1b2c3d", "p=\u0661/3&r=0a1b2c3d",
    "p=1/3&r=0a1b2c3", "p=1/3&r=0a1b2c3d4", "p=1/3&r=0a1b2c3g", "p=1/3&r= 0a1b2c3d", "p=1/3&r=0x1b2c3d",
    "p=1/3&r=%30a1b2c3d", "p=1/3&r=", "p&r=0a1b2c3d", "p=x&p=1/3&r=0a1b2c3d",
  ].map((q) => [q, null]),
];

test("parts: p= and r= are read together and well formed, as the Rust part_tag reads them", () => {
  const tag = (q) => parseParams(`https://x/#?a=x&${q}&z=5`).part ?? null;
  for (const [q, want] of TAG_CASES) assert.deepEqual(tag(q), want, q);
  // A tag in the query does not join the data in the fragment (§6: one part only).
  assert.equal(parseParams("https://x/?p=1/3&r=0a1b2c3d#?z=5").part, undefined);
  // No tag: the reading is exactly what it was.
  assert.deepEqual(parseParams("https://x/#?a=x&z=5"), { a: "x", z: "5" });
  assert.equal(decodeReport(parseParams("https://x/#?a=x&p=2/3&r=0a1b2c3d&z=5")).part.index, 2);
});

// `panicqr decode --json` names the reports it merged (id, count, missing):
// each case's tag on part 2 of a real report, next to that report's part 1,
// is a part where the page says so, and exactly where.
test("parts: the CLI reads every tag case as the page does", { skip: !process.env.PANICQR && "PANICQR not set" }, () => {
  const v = partVectors.find((x) => x.name === "three parts");
  const own = decodeUrl(v.urls[0]).part;
  for (const [q, want] of TAG_CASES) {
    const url = v.urls[1].replace(/&p=2\/3&r=[0-9a-f]{8}&/, `&${q}&`);
    assert.notEqual(url, v.urls[1]);
    const cli = spawnSync(process.env.PANICQR, ["decode", "--json", v.urls[0], url]);
    const reports = JSON.parse(cli.stdout.toString()).reports.filter((r) => r.id !== undefined).map((r) => ({ id: r.id, count: r.parts, missing: r.missing }));
    const mine = { id: own.id, count: 3, missing: [2, 3] };
    if (want === null) assert.deepEqual(reports, [mine], q);
    else {
      const all = Array.from({ length: want.count }, (_, i) => i + 1);
      assert.deepEqual(reports, [mine, { id: want.id, count: want.count, missing: all.filter((i) => i !== want.index) }], q);
    }
  }
});

test("parts: FNV-1a-32 over bytes", () => {
  assert.equal(fnv1a(new Uint8Array(0)), 0x811c9dc5);
  assert.equal(fnv1a(new TextEncoder().encode("a")), 0xe40c292c);
  assert.equal(fnv1a(new TextEncoder().encode("foobar")), 0xbf9cf968);
});

test("parts: each part of `encode --parts` is a report of its own, tagged", () => {
  for (const v of partVectors) {
    const ids = new Set();
    v.urls.forEach((u, i) => {
      const r = decodeUrl(u);
      assert.equal(r.status, "complete", `${v.name} part ${i + 1}`);
      assert.equal(r.part.index, i + 1, "encode prints part 1 first");
      assert.equal(r.part.count, v.urls.length);
      ids.add(r.part.id);
    });
    assert.equal(ids.size, 1);
    assert.ok(v.log.endsWith(decodeUrl(v.urls[0]).log), "part 1 holds the newest lines");
  }
});

const logOf = (m) => m.pieces.map((p) => p.result.log).join("");

test("mergeParts: any order gives the whole log, oldest first, checked against the id", () => {
  const v = partsOf("three parts");
  for (const order of [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]]) {
    const merged = mergeParts(order.map((i) => decodeUrl(v.urls[i])));
    assert.equal(merged.length, 1);
    const m = merged[0];
    assert.deepEqual([m.count, m.missing, m.conflicts, m.idMatches, m.complete], [3, [], [], true, true], String(order));
    assert.deepEqual(m.pieces.map((p) => p.index), [3, 2, 1]);
    assert.deepEqual(m.segments.map((s) => s.index), [3, 2, 1]);
    assert.equal(logOf(m), v.log);
  }
  // A report of its own is not a part.
  assert.deepEqual(mergeParts([decodeUrl(vectors[0].url)]), []);
});

test("mergeParts: missing parts are named and marked where their lines belong", () => {
  const v = partsOf("three parts");
  const [m] = mergeParts([decodeUrl(v.urls[2]), decodeUrl(v.urls[0])]);
  assert.deepEqual(m.missing, [2]);
  assert.equal(m.idMatches, null, "the id cannot be checked without every part");
  assert.equal(m.complete, false);
  assert.deepEqual(m.segments.map((s) => s.missing || s.index), [3, [2], 1]);
  const w = partsOf("four parts, another crash");
  const [only1] = mergeParts([decodeUrl(w.urls[0])]);
  assert.deepEqual(only1.missing, [2, 3, 4]);
  assert.deepEqual(only1.segments.map((s) => s.missing || s.index), [[2, 3, 4], 1]);
  const [ends] = mergeParts([decodeUrl(w.urls[1]), decodeUrl(w.urls[2])]);
  assert.deepEqual(ends.segments.map((s) => s.missing || s.index), [[4], 3, 2, [1]]);
});

test("mergeParts: two reports are never mixed, not even under one id", () => {
  const a = partsOf("three parts"), b = partsOf("four parts, another crash");
  const mixed = [b.urls[3], a.urls[1], b.urls[0], a.urls[0], b.urls[2], a.urls[2], b.urls[1]].map(decodeUrl);
  const merged = mergeParts(mixed);
  assert.deepEqual(merged.map((m) => [m.count, m.complete]), [[4, true], [3, true]], "in order of first appearance");
  assert.equal(logOf(merged[0]), b.log);
  assert.equal(logOf(merged[1]), a.log);
  // The other crash's parts under the first one's id, with another count:
  // a report of their own, whose log does not hash to the id.
  const idA = decodeUrl(a.urls[0]).part.id;
  const forged = b.urls.map((u, i) => decodeUrl(retag(u, i + 1, 4, idA)));
  const two = mergeParts([...a.urls.map(decodeUrl), ...forged]);
  assert.equal(two.length, 2);
  assert.equal(two[0].complete, true);
  assert.equal(logOf(two[0]), a.log);
  assert.deepEqual([two[1].count, two[1].missing, two[1].idMatches, two[1].complete], [4, [], false, false]);
});

test("mergeParts: a part given twice counts once; a different log for it is a conflict, the first kept", () => {
  const a = partsOf("three parts"), b = partsOf("four parts, another crash");
  const [dup] = mergeParts([a.urls[0], a.urls[1], a.urls[1], a.urls[2], a.urls[0]].map(decodeUrl));
  assert.deepEqual([dup.conflicts, dup.complete], [[], true]);
  const id = decodeUrl(a.urls[0]).part.id;
  const other2 = decodeUrl(retag(b.urls[1], 2, 3, id));
  const [m] = mergeParts([decodeUrl(a.urls[1]), other2, decodeUrl(a.urls[0]), decodeUrl(a.urls[2])]);
  assert.deepEqual(m.conflicts, [2]);
  assert.equal(m.idMatches, true, "the first part 2 was kept");
  assert.equal(m.complete, false);
  assert.equal(logOf(m), a.log);
});

test("mergeParts: all parts present but the id does not match: not complete", () => {
  const a = partsOf("three parts");
  const [m] = mergeParts(a.urls.map((u, i) => decodeUrl(retag(u, i + 1, 3, "12345678"))));
  assert.deepEqual([m.id, m.missing, m.conflicts, m.idMatches, m.complete], ["12345678", [], [], false, false]);
  assert.equal(logOf(m), a.log, "the log is still shown");
});

test("mergeParts: a part that did not read whole leaves the report incomplete", () => {
  const a = partsOf("three parts");
  const u = a.urls[1];
  const cut = u.slice(0, u.indexOf("&z=") + 3 + Math.floor((u.length - u.indexOf("&z=")) * 0.6));
  const [m] = mergeParts([a.urls[0], cut, a.urls[2]].map(decodeUrl));
  assert.deepEqual([m.missing, m.complete], [[], false]);
  assert.notEqual(m.parts[1].status, "complete");
});
