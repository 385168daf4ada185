// Unit tests of the page's decoding functions, on vectors made by
// `panicqr encode` (run make-vectors.mjs first; ci/web.sh does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const { parseParams, decodeReport, decodeZ, decodeZl, crashLines, bugReport } = require("../decode.js");
const { inflateZlib } = require("../inflate.js");
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
