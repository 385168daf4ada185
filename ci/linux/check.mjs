// Checks the panic screens ci/linux-qemu.sh took from real Linux kernels and
// prints what each screen carried next to `panicqr screen` on the same log.
//
//   node ci/linux/check.mjs DIR     (DIR holds manifest.json, written by the script)
//
// For every screenshot:
// - its size is the size the display was given;
// - Linux's own rule says whether it holds a QR code: drm_panic draws the
//   code at scale = min(3w/4, 3h/4) / (modules + 8 margin) and falls back to
//   the text-only screen when that is below 2 (drm_panic.c);
// - a screen with a code: `panicqr scan` reads it (exit 0, complete), zbarimg
//   reads the same URL and `panicqr decode` of that URL gives the same bytes,
//   the version and pixels per module measured in the screenshot are the
//   smallest version that holds the URL and Linux's scale, and the log is
//   exactly the newest lines of the serial console's kernel log (below);
// - a screen without one: neither `panicqr scan` nor zbarimg finds a code.
//
// "Exactly the newest lines": drm_panic takes kmsg_dump_get_buffer(syslog =
// false) of the newest whole records that fit min(3 * max_data, 8868) - 1
// bytes, each line formatted "[%5lu.%06lu] text\n" (CONFIG_PRINTK_TIME=y,
// no caller id; a record with line breaks gets the prefix on every line),
// then drops its first line until zlib (level 6, windowBits 12, memLevel 4)
// fits max_data = (2956 - url_len - 5) * 39 / 40 bytes. The serial console
// prints the same records in the same format, so the expected log is the
// serial text with one normalisation, "\r\n" -> "\n" (the 8250 console adds
// the "\r"), cut before "---[ end Kernel panic", the line panic() prints
// after the kmsg dump. The QR code's log must be a suffix of that text
// starting at a line start, within both limits, and the line before it
// must not have fitted (one limit or the other).
//
// A kernel whose manifest says "fit" (ci/kernel-build.sh's panicqr-fit
// kernel: drm_panic_panicqr_build() in place of the zlib loop) follows
// panicqr's rules instead: drm_panic dumps the newest records that fit
// fitLogSize - 1 bytes, and the QR code's largest version is the largest
// whose canvas the screen shows at 2 px per module (at most 40). Then the
// URL that zbarimg reads must be, byte for byte, the URL `panicqr encode
// --max-version V` builds from that dump (the same fitter, compressor and
// packing, run by the CLI on the serial console's text): every screen has a
// code, and the zlib and record limits above do not apply.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
const panicqr = manifest.panicqr;
const fit = manifest.fit === true;
const kname = fit ? "Linux + panicqr fitter" : "Linux";

// QR data codewords at level L, versions 1..40 (ISO/IEC 18004 table 7).
const CAPACITY_L = [19, 34, 55, 80, 108, 136, 156, 194, 232, 274, 324, 370, 428, 461, 523, 589, 647,
  721, 795, 861, 932, 1006, 1094, 1174, 1276, 1370, 1468, 1531, 1631, 1735, 1843, 1955, 2071, 2191,
  2306, 2434, 2566, 2702, 2812, 2956];

/* Smallest version holding a byte segment (the URL up to "z=") and a
 * numeric segment (the digits), as Linux's encoder segments its URL. */
function smallestVersion(prefixLen, digits) {
  for (let v = 1; v <= 40; v++) {
    const byteCount = v < 10 ? 8 : 16;
    const numCount = v < 10 ? 10 : v < 27 ? 12 : 14;
    const numBits = 10 * Math.floor(digits / 3) + [0, 4, 7][digits % 3];
    const bits = 4 + byteCount + 8 * prefixLen + 4 + numCount + numBits;
    if (bits <= 8 * CAPACITY_L[v - 1]) return v;
  }
  return null;
}

/* Linux's drm_panic_qr_max_data_size(40, url_len): bytes of zlib stream. */
const linuxMaxData = (urlLen) => Math.floor(((2956 - urlLen - 5) * 39) / 40);
/* drm_panic's qr_canvas scale; < 2 means no QR code. */
const linuxScale = (w, h, version) =>
  Math.floor(Math.min(Math.floor((3 * w) / 4), Math.floor((3 * h) / 4)) / (17 + 4 * version + 8));

/* drm_panic_qr_max_version() of the fit patch: the largest version whose
 * canvas (4v + 17 + 8 margin modules) fits the screen's square at 2 px. */
const fitMaxVersion = (w, h) =>
  Math.min(40, Math.floor((Math.floor(Math.min(Math.floor((3 * w) / 4), Math.floor((3 * h) / 4)) / 2) - 25) / 4));

/* What the fit kernel hands drm_panic_panicqr_build(): the newest lines of
 * E within fitLogSize - 1 bytes (kmsg_dump_get_buffer keeps whole records
 * and a NUL; E's records are lines except the known two-line record). */
function fitInput(e) {
  const limit = manifest.fitLogSize - 1;
  if (e.length <= limit) return e;
  let start = e.length - limit;
  if (e[start - 1] !== 0x0a) start = e.indexOf(0x0a, start) + 1;
  return e.subarray(start);
}

/* QEMU's screendump PPM. QEMU 7.2 pads every row to a multiple of 4 bytes
 * (the pixman image it writes from) without saying so in the header, which
 * shears a 1366-pixel-wide screen; such a file is rewritten unpadded. */
function readPpm(path) {
  const b = readFileSync(path);
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(b.subarray(0, 64).toString("latin1"));
  assert.ok(m, `${path}: not a binary PPM`);
  const [w, h] = [Number(m[1]), Number(m[2])];
  let px = b.subarray(m[0].length);
  const padded = Math.ceil((w * 3) / 4) * 4;
  if (px.length !== w * h * 3 && px.length === padded * h) {
    const out = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) px.copy(out, y * w * 3, y * padded, y * padded + w * 3);
    px = out;
    writeFileSync(path, Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), px]));
  }
  assert.equal(px.length, w * h * 3, `${path}: pixel data length`);
  return { w, h, light: (x, y) => px[3 * (y * w + x)] + px[3 * (y * w + x) + 1] + px[3 * (y * w + x) + 2] > 384 };
}

/* Finds drm_panic's QR canvas (a light square: the code plus a 4-module
 * light margin) and measures it: the first dark row inside the square is 4
 * modules down, the square is modules + 8 wide. Every figure is checked
 * against the others, so a misread gives null rather than a wrong number. */
function measure(img) {
  for (let y = 0; y < img.h; y++) {
    let x = 0;
    while (x < img.w) {
      if (!img.light(x, y)) { x++; continue; }
      const x0 = x;
      while (x < img.w && img.light(x, y)) x++;
      const side = x - x0;
      if (side < 58) continue; // narrower than version 1 at 2 px: text
      let y1 = y;
      while (y1 < img.h && img.light(x0 + Math.floor(side / 2), y1) && img.light(x0, y1)) {
        let row = true;
        for (let i = x0; i < x0 + side && row; i++) row = img.light(i, y1);
        if (!row) break;
        y1++;
      }
      const margin = y1 - y;
      if (margin % 4 !== 0 || margin === 0) continue;
      const px = margin / 4;
      if (side % px !== 0) continue;
      const width = side / px - 8;
      if ((width - 17) % 4 !== 0 || width < 21 || width > 177) continue;
      // The top-left finder pattern: 7 dark modules starting 4 modules in.
      let ok = true;
      for (let i = 0; i < 7 * px && ok; i++) ok = !img.light(x0 + 4 * px + i, y1);
      ok = ok && img.light(x0 + 4 * px - 1, y1) && img.light(x0 + 11 * px, y1);
      // The square is as tall as it is wide.
      ok = ok && img.light(x0, y + side - 1) && (y + side === img.h || !img.light(x0, y + side));
      if (ok) return { version: (width - 17) / 4, px, x: x0, y };
    }
  }
  return null;
}

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { maxBuffer: 1 << 26, ...opts });

/* Length of the zlib stream Linux's settings give (level 6, windowBits 12,
 * memLevel 4), from the system's zlib through Perl's Compress::Raw::Zlib.
 * Node's own zlib is Chromium's fork, whose streams differ by a few bytes;
 * Debian's zlib 1.2.13 gives the kernel's lengths exactly (asserted below). */
function zlibLen(buf) {
  const r = run("perl", ["-MCompress::Raw::Zlib", "-e", `
    my ($d, $st) = Compress::Raw::Zlib::Deflate->new(-Level => 6, -WindowBits => 12, -MemLevel => 4, -AppendOutput => 1);
    binmode STDIN; local $/; my $in = <STDIN>; my $out = "";
    $d->deflate($in, $out) == Z_OK or die; $d->flush($out) == Z_OK or die; print length($out);`], { input: buf });
  assert.equal(r.status, 0, `perl zlib: ${r.stderr}`);
  return Number(r.stdout.toString());
}

/* "\r\n" -> "\n" only; every other byte as it came. */
function crlf(b) {
  const out = [];
  for (let i = 0; i < b.length; i++) if (!(b[i] === 0x0d && b[i + 1] === 0x0a)) out.push(b[i]);
  return Buffer.from(out);
}

/* The kernel log as the serial console printed it, up to the kmsg dump. */
function expectedLog(serialPath) {
  const s = crlf(readFileSync(serialPath));
  const end = s.indexOf("---[ end Kernel panic - not syncing");
  assert.ok(end > 0, `${serialPath}: no end of panic`);
  const e = s.subarray(0, s.lastIndexOf(0x0a, end) + 1);
  assert.ok(e.includes("Kernel panic - not syncing: sysrq triggered crash\n"), `${serialPath}: no panic line`);
  return e;
}

const lines = (b) => {
  const out = [];
  let i = 0;
  while (i < b.length) {
    const j = b.indexOf(0x0a, i);
    out.push(b.subarray(i, j + 1));
    i = j + 1;
  }
  return out;
};

/* The log must be E's last bytes, starting at a line start. */
function assertNewestLines(log, e, what) {
  assert.ok(log.length > 0 && log[log.length - 1] === 0x0a, `${what}: log does not end a line`);
  assert.ok(log.length <= e.length, `${what}: log longer than the kernel log`);
  const start = e.length - log.length;
  assert.ok(e.subarray(start).equals(log), `${what}: log is not the newest lines of the serial console's kernel log`);
  assert.ok(start === 0 || e[start - 1] === 0x0a, `${what}: log starts inside a line`);
  return start;
}

const rows = [];
const screens = [];
let read = 0;
let noQr = 0;
for (const boot of manifest.boots) {
  const e = expectedLog(join(dir, boot.serial));
  const eFile = join(dir, `boot${boot.n}.expected.log`);
  writeFileSync(eFile, e);
  const known = lines(readFileSync(join(dir, boot.known)));
  // The edge cases every QR code must carry (the newest known lines).
  const edge = lines(readFileSync(join(dir, manifest.edge)));
  // The serial console carries every known line, byte for byte, prefixed.
  for (const k of known) {
    assert.ok(e.includes(Buffer.concat([Buffer.from("] "), k])), `boot ${boot.n}: known line missing on the serial console: ${k}`);
  }
  let bootLog = null;
  let version = null;
  const results = [];
  for (const d of boot.displays) {
    const img = readPpm(join(dir, `${d.name}.ppm`));
    assert.deepEqual([img.w, img.h], [d.w, d.h], `${d.name}: screen size`);
    // `panicqr scan` reads PNG and JPEG; netpbm turns the PPM into PNG.
    const png = join(dir, `${d.name}.png`);
    const conv = run("pnmtopng", [join(dir, `${d.name}.ppm`)]);
    assert.equal(conv.status, 0, `${d.name}: pnmtopng`);
    writeFileSync(png, conv.stdout);
    const scan = run(panicqr, ["scan", png]);
    // QR codes only: zbarimg also "finds" a DataBar in the 1920x1080 screen.
    const zbar = run("zbarimg", ["-q", "--raw", "-Sdisable", "-Sqrcode.enable", png]);
    const m = measure(img);
    results.push({ d, img, png, scan, zbar, m });
    if (scan.status !== 0) continue;
    // A code: both readers, the same URL, the same log.
    assert.equal(zbar.status, 0, `${d.name}: zbarimg read nothing`);
    const url = zbar.stdout.toString("latin1").replace(/\n$/, "");
    assert.ok(url.startsWith(`${manifest.baseUrl}?a=x86_64&v=${manifest.kernel}&z=`), `${d.name}: URL ${url.slice(0, 80)}`);
    const dec = run(panicqr, ["decode", url]);
    assert.equal(dec.status, 0, `${d.name}: panicqr decode of zbarimg's URL`);
    assert.ok(dec.stdout.equals(scan.stdout), `${d.name}: zbarimg's URL and panicqr scan differ`);
    const json = JSON.parse(run(panicqr, ["scan", "--json", png]).stdout.toString());
    assert.equal(json.complete, true);
    assert.equal(json.release, manifest.kernel);
    const log = scan.stdout;
    const start = assertNewestLines(log, e, d.name);
    const maxV = fit ? fitMaxVersion(d.w, d.h) : 40;
    // Every edge-case line and the two-line record arrive intact.
    for (const k of edge) assert.ok(log.includes(Buffer.concat([Buffer.from("] "), k])), `${d.name}: known line lost: ${k}`);
    assert.match(log.toString("latin1"), /\[([ 0-9.]+)\] panicqr: one record,\n\[\1\] two lines\n/, `${d.name}: two-line record`);
    const prefixLen = url.indexOf("z=") + 2;
    let bound = "start of the log";
    if (fit) {
      // The same URL as `panicqr encode` on the same dump, same version cap.
      const inFile = join(dir, `${d.name}.fit-input.log`);
      const input = fitInput(e);
      writeFileSync(inFile, input);
      const enc = run(panicqr, ["encode", "--max-version", String(maxV), "--base-url", manifest.baseUrl,
        "--arch", "x86_64", "--release", manifest.kernel, "--format", "url", inFile]);
      assert.equal(enc.status, 0, `${d.name}: panicqr encode: ${enc.stderr}`);
      const want = enc.stdout.toString("latin1").replace(/\n$/, "");
      assert.equal(url, want, `${d.name}: the kernel's URL is not panicqr encode's on the same ${input.length}-byte dump at v${maxV} (${url.length} vs ${want.length} chars)`);
      if (start > 0) bound = `panicqr fit (v${maxV} cap, ${input.length} B dump)`;
    } else {
      // Within Linux's limits, and the line before did not fit.
      const maxData = linuxMaxData(prefixLen);
      const recordLimit = Math.min(3 * maxData, 8868) - 1;
      assert.ok(json.compressed_bytes <= maxData, `${d.name}: ${json.compressed_bytes} > ${maxData} compressed bytes`);
      assert.equal(zlibLen(log), json.compressed_bytes, `${d.name}: zlib at Linux's settings gives another stream length`);
      assert.ok(log.length <= recordLimit, `${d.name}: ${log.length} > ${recordLimit} bytes`);
      if (start > 0) {
        const prev = e.subarray(e.lastIndexOf(0x0a, start - 2) + 1, start);
        if (log.length + prev.length > recordLimit) bound = `record buffer (${recordLimit} B)`;
        else {
          const z = zlibLen(Buffer.concat([prev, log]));
          assert.ok(z > maxData, `${d.name}: the line before (${prev.length} B) would have fitted (${z} <= ${maxData} compressed)`);
          bound = `zlib stream (${maxData} B)`;
        }
      }
    }
    // The code measured in the screenshot: smallest version, Linux's scale.
    assert.ok(m, `${d.name}: QR canvas not found in the screenshot`);
    const digits = url.length - prefixLen;
    assert.equal(m.version, smallestVersion(prefixLen, digits), `${d.name}: version`);
    assert.equal(m.px, linuxScale(d.w, d.h, m.version), `${d.name}: pixels per module`);
    if (fit) {
      // Every screen gets its own fit; screens with the same cap agree.
      const same = results.find((r) => r.maxV === maxV && r.log);
      if (same) {
        assert.ok(log.equals(same.log), `${d.name}: another log than ${same.d.name} at the same cap`);
        assert.equal(m.version, same.m.version);
      }
      bootLog ??= log;
      version ??= m.version;
    } else if (bootLog === null) {
      bootLog = log;
      version = m.version;
    } else {
      // drm_panic draws every display from the same kmsg dump.
      assert.ok(log.equals(bootLog), `${d.name}: another log than this boot's other screens`);
      assert.equal(m.version, version);
    }
    Object.assign(results.at(-1), { url, log, bound, maxV, compressed: json.compressed_bytes });
    screens.push({ name: d.name, url, log: log.toString("base64"), release: manifest.kernel, arch: "x86_64",
      version: m.version, px: m.px });
  }
  assert.ok(bootLog !== null, `boot ${boot.n}: no screen with a QR code`);
  for (const r of results) {
    const { d } = r;
    const scale = linuxScale(d.w, d.h, version);
    if (r.scan.status === 0) {
      read++;
    } else {
      assert.ok(!fit, `${d.name}: the fit kernel drew no QR code that panicqr scan reads: ${r.scan.stderr}`);
      // No code: only where Linux's rule says so, and really none there.
      assert.ok(scale < 2, `${d.name}: Linux draws v${version} at ${scale} px here, but it was not read: ${r.scan.stderr}`);
      assert.equal(r.scan.status, 2, `${d.name}: panicqr scan exit`);
      assert.notEqual(r.zbar.status, 0, `${d.name}: zbarimg found a code panicqr scan missed`);
      assert.equal(r.m, null, `${d.name}: a QR canvas on a text-only screen`);
      noQr++;
    }
    // The same log through panicqr's own panic screen at the same size.
    const ours = join(dir, `${d.name}.panicqr.png`);
    const s = run(panicqr, ["screen", "--size", `${d.w}x${d.h}`, "--base-url", manifest.baseUrl,
      "--arch", "x86_64", "--release", manifest.kernel, "-o", ours, eFile]);
    assert.equal(s.status, 0, `${d.name}: panicqr screen: ${s.stderr}`);
    const said = /QR version (\d+) at (\d+) px per module, (\d+) of \d+ bytes/.exec(s.stderr.toString());
    let oursCell = { text: "no QR" };
    if (said) {
      const back = run(panicqr, ["scan", ours]);
      assert.equal(back.status, 0, `${d.name}: panicqr's own screen unreadable`);
      assertNewestLines(back.stdout, e, `${d.name} (panicqr screen)`);
      assert.equal(back.stdout.length, Number(said[3]));
      oursCell = { bytes: Number(said[3]), text: `v${said[1]} at ${said[2]} px` };
    }
    rows.push({
      screen: `${d.w}×${d.h}`, driver: d.driver, boot: boot.n, known: boot.known,
      linux: r.log ? { bytes: r.log.length, text: `v${r.m.version} at ${r.m.px} px`, bound: r.bound }
        : { text: `no QR (v${version} would be ${scale} px)` },
      ours: oursCell,
    });
  }
}

const total = manifest.boots.reduce((n, b) => n + b.displays.length, 0);
assert.equal(read + noQr, total);
assert.equal(rows.length, total);
assert.ok(read > 0);
writeFileSync(join(dir, "screens.json"), JSON.stringify({ base: manifest.baseUrl, expected: read, screens }, null, 1));

const n = (x) => (x === undefined ? "—" : x.toLocaleString("en-US"));
const range = (xs) => {
  const v = xs.filter((x) => x !== undefined);
  if (v.length === 0) return "—";
  const [lo, hi] = [Math.min(...v), Math.max(...v)];
  return lo === hi ? n(lo) : `${n(lo)}–${n(hi)}`;
};
const uniq = (xs) => [...new Set(xs)];
console.log(`\nEvery screenshot: ${kname} ${manifest.kernel} (Debian ${manifest.version}) and panicqr screen on the same log\n`);
console.log(`| screen | driver | boot (log) | ${kname}: bytes of log | ${kname}: QR | panicqr: bytes of log | panicqr: QR |`);
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.screen} | ${r.driver} | ${r.boot} (${r.known.replace(/\.log$/, "")}) | ${n(r.linux.bytes)} | ${r.linux.text} | ${n(r.ours.bytes)} | ${r.ours.text} |`);
}
// The same, one row per log and screen size (both drivers, every boot).
console.log(`\nSummary (README): ${kname} ${manifest.kernel} measured in QEMU vs panicqr screen, same log\n`);
console.log(`| log | screen | ${kname}: bytes of log | ${kname}: QR | panicqr screen: bytes of log | panicqr screen: QR |`);
console.log("|---|---|---|---|---|---|");
const groups = new Map();
for (const r of rows) {
  const key = `${r.known}|${r.screen}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(r);
}
for (const g of groups.values()) {
  const linuxQr = uniq(g.map((r) => r.linux.text)).join(" / ");
  console.log(`| ${g[0].known.replace(/\.log$/, "")} | ${g[0].screen} | ${range(g.map((r) => r.linux.bytes))} | ${linuxQr} | ${range(g.map((r) => r.ours.bytes))} | ${uniq(g.map((r) => r.ours.text)).join(" / ")} |`);
}
console.log(`\n${total} screenshots (${uniq(rows.map((r) => r.driver)).join(", ")}): ${read} QR codes read and checked, ${noQr} text-only screens where Linux's rule draws no code.`);
const bounds = uniq(rows.filter((r) => r.linux.bound).map((r) => r.linux.bound));
console.log(`What limited ${kname}'s log: ${bounds.join("; ")}.`);
