// Makes the test vectors with the real `panicqr encode` (PANICQR = path to
// the binary): complete reports, a cut one, a damaged one, legacy zl=, a `+`
// in the release sent raw as the kernel does, and a log that tries HTML
// injection. Expected logs come from the input and encode's "kept N bytes".
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const bin = process.env.PANICQR || join(root, "target", "release", "panicqr");
const BASE = "https://example.org/panic_report/#";

function vector(name, logBytes, extra = []) {
  const r = spawnSync(bin, ["encode", "--base-url", BASE, "--arch", "x86_64", "--release", "6.19.11+kali-amd64", ...extra, "-"], { input: logBytes });
  if (r.status !== 0) throw new Error(`${name}: panicqr encode failed: ${r.stderr}`);
  const n = Number(/kept (\d+) of/.exec(r.stderr.toString())[1]);
  const url = r.stdout.toString().trim();
  const expected = logBytes.subarray(logBytes.length - n).toString("utf8");
  return { name, url, log: expected };
}

const corpus = (n) => readFileSync(join(root, "testdata", "corpus", n));
const vectors = [];
for (const f of ["syzkaller-0004.log", "syzkaller-0120.log", "syzkaller-0300.log"].filter((f) => {
  try { corpus(f); return true; } catch { return false; }
})) {
  vectors.push({ ...vector(`complete ${f}`, corpus(f)), status: "complete" });
}
const big = Buffer.concat([corpus("syzkaller-0004.log"), corpus("syzkaller-0120.log"), corpus("syzkaller-0005.log")]);
const full = vector("complete, fitted (three logs)", big);
vectors.push({ ...full, status: "complete" });
const z = full.url.indexOf("&z=") + 3;
vectors.push({ name: "truncated", url: full.url.slice(0, z + Math.floor((full.url.length - z) * 0.6)), log: full.log, status: "partial" });
const digits = full.url.slice(z).split("");
digits[900] = digits[900] === "7" ? "3" : "7";
vectors.push({ name: "corrupted", url: full.url.slice(0, z) + digits.join(""), log: full.log, status: "damaged" });
vectors.push({ ...vector("legacy zl=", corpus("syzkaller-0004.log"), ["--packing", "zl"]), status: "complete" });
const raw = vector("raw + in release", corpus("syzkaller-0120.log"));
vectors.push({ ...raw, name: "raw + in release", url: raw.url.replace("%2B", "+"), status: "complete" });
const xss = Buffer.from([
  "[    1.000000] BUG: <script>window.__pwned = 1; document.title = 'PWNED';</script>",
  "[    1.000001] <img src=x onerror=\"window.__pwned = 2; document.title = 'PWNED'\">",
  "[    1.000002] </pre><a href=\"javascript:alert(1)\">click</a> & \"quotes\" 'single' \u00e9\u00e8 \u2603",
  "[    1.000003] RIP: 0010:evil+0x0/0x1",
  "",
].join("\n"));
vectors.push({ ...vector("html injection", xss), status: "complete" });

// Reports over several codes (docs/format.md §9): `encode --parts` prints one
// URL a line, part 1 (the newest lines) first; the whole log is the newest
// bytes of the input its note names. Small codes, so that a corpus log
// needs every part.
function partsVector(name, logBytes, count) {
  const r = spawnSync(bin, ["encode", "--base-url", BASE, "--arch", "x86_64", "--release", "6.19.11+kali-amd64",
    "--parts", String(count), "--max-version", "10", "-"], { input: logBytes });
  if (r.status !== 0) throw new Error(`${name}: panicqr encode --parts failed: ${r.stderr}`);
  const m = /(\d+) parts of version \d+ at most carry the newest (\d+) of/.exec(r.stderr.toString());
  const urls = r.stdout.toString().trim().split("\n");
  if (!m || Number(m[1]) !== count || urls.length !== count) throw new Error(`${name}: expected ${count} parts: ${r.stderr}`);
  return { name, urls, log: logBytes.subarray(logBytes.length - Number(m[2])).toString("utf8") };
}
const partVectors = [
  partsVector("three parts", corpus("syzkaller-0004.log"), 3),
  partsVector("four parts, another crash", corpus("syzkaller-0120.log"), 4),
];
const out = process.env.VECTORS || join(here, "vectors.generated.json");
writeFileSync(out, JSON.stringify({ base: BASE, vectors, partVectors }, null, 1));
console.log(`${vectors.length} vectors, ${partVectors.length} reports in parts -> ${out}`);
