// The crash intake's dashboard (issue 14) in Debian's headless Chromium
// (playwright-core), served by the real `panicqr intake` (PANICQR = path to
// the binary) on a temporary SQLite database. Reports made by the real
// `panicqr encode` are sent to its API: three of one crash from different
// machines, two of another, and one whose crash title and log carry HTML
// and script. Checked on `/` and `/s/{signature}`: crashes sorted by count,
// counts, first and last seen, releases, arches and a sparkline shown; the
// markup shown as text, no element made from it, no script run, no CSP
// violation; the "File a bug" link carrying the prepared text
// percent-encoded. A screenshot of each page lands in web/test/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const bin = process.env.PANICQR || join(root, "target", "release", "panicqr");
const artifacts = join(here, "artifacts");
mkdirSync(artifacts, { recursive: true });

const TRACKER = "https://bugs.example/new?title={title}&body={body}";
// What the hostile report's code carries: a crash title and log lines that
// would run script and add elements if the dashboard put them in as HTML.
const TITLE_PAYLOAD = `<script>window.__pwned=true</script><img src=x id=pwned-img onerror="window.__pwned=true">`;
const LOG_PAYLOAD = `</pre><b id=pwned-b>bold</b><script>document.body.append(document.createElement("marquee"))</script>`;
const PAYLOAD_ELEMENTS = "script, img, #pwned-img, #pwned-b, marquee";

let dir, intake, origin, browser;
const answers = {};

/* A log of one crash: `WARNING in xfrm_state_fini`, with what changes from
 * boot to boot (times, PIDs, CPUs, addresses) changed by `n`. */
function xfrmLog(n) {
  const t = `${100 + n}.${String(n * 7919 % 1000000).padStart(6, "0")}`;
  return `[${t}] WARNING: CPU: ${n % 4} PID: ${300 + n} at net/xfrm/xfrm_state.c:2336 xfrm_state_fini+0x2a/0x30\n` +
    `[${t}] RIP: 0010:xfrm_state_fini+0x2a/0x30\n[${t}] Call Trace:\n[${t}]  xfrm_net_exit+0x1a/0x20\n[${t}]  ops_exit_list+0xa5/0x110\n`;
}

/* Another crash: `BUG: unable to handle kernel NULL pointer dereference in tcp_close`. */
function nullLog(n) {
  const t = `${50 + n}.000${n}00`;
  return `[${t}] BUG: kernel NULL pointer dereference, address: 00000000000000${10 + n}\n` +
    `[${t}] RIP: 0010:tcp_close+0x1${n}/0x2b\n[${t}] Call Trace:\n[${t}]  inet_release+0x1a/0x2b\n`;
}

function hostileLog() {
  return `[   9.000000] BUG: ${TITLE_PAYLOAD}\n[   9.000001] CPU: 0 PID: 1 Comm: init\n` +
    `[   9.000002] ${LOG_PAYLOAD}\n[   9.000003] Call Trace:\n[   9.000004]  do_thing+0x10/0x20\n`;
}

/* The report URL the real encoder makes. */
function encode(log, arch, release) {
  const r = spawnSync(bin, ["encode", "--base-url", "https://example.org/panic_report/#", "--arch", arch, "--release", release, "-"], { input: log });
  assert.equal(r.status, 0, `panicqr encode: ${r.stderr}`);
  return r.stdout.toString().trim();
}

async function submit(url) {
  const r = await fetch(`${origin}/api/reports`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: url });
  const json = await r.json();
  assert.equal(r.status, 200, JSON.stringify(json));
  return json;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "panicqr-dashboard-e2e-"));
  intake = spawn(bin, ["intake", "--db", join(dir, "crashes.sqlite"), "--listen", "127.0.0.1:0", "--tracker-url", TRACKER, "--rate-limit", "0"],
    { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    intake.once("exit", (code) => reject(new Error(`panicqr intake exited with ${code}`)));
    createInterface({ input: intake.stdout }).once("line", resolve);
  });
  origin = line.trim().replace(/\/$/, "");
  assert.match(origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  const sends = [
    ["xfrm", xfrmLog(1), "x86_64", "6.1.0-18-amd64"],
    ["xfrm", xfrmLog(2), "aarch64", "6.1.0-18-arm64"],
    ["xfrm", xfrmLog(3), "x86_64", "6.12.9-amd64"],
    ["null", nullLog(1), "x86_64", "6.12.9-amd64"],
    ["null", nullLog(2), "riscv64", "6.12.9-riscv64"],
    ["hostile", hostileLog(), "x86_64", "6.12.9-amd64"],
  ];
  for (const [name, log, arch, release] of sends) {
    const a = await submit(encode(log, arch, release));
    assert.equal(a.duplicate, false, name);
    (answers[name] ||= []).push(a);
  }
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (intake && intake.exitCode === null) {
    const exited = new Promise((resolve) => intake.once("exit", resolve));
    intake.kill("SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true });
});

/* Opens a dashboard page, recording CSP violations, script errors,
 * console errors and requests. */
async function open(path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const seen = { violations: [], errors: [], console: [], requests: [] };
  page.on("request", (r) => seen.requests.push(r.url()));
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") seen.console.push(m.text()); });
  await page.exposeFunction("__panicqrViolation", (v) => seen.violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__panicqrViolation({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
  const response = await page.goto(`${origin}${path}`);
  assert.equal(response.status(), 200, path);
  assert.match(response.headers()["content-security-policy"], /default-src 'none'/);
  await page.waitForLoadState("load");
  return { page, context, seen };
}

/* Nothing the payload carries became an element or ran, and the page
 * asked for nothing but itself and its stylesheet. */
async function assertInert(page, seen, path) {
  assert.equal(await page.evaluate(() => window.__pwned), undefined, `${path}: the payload's script ran`);
  assert.equal(await page.locator(PAYLOAD_ELEMENTS).count(), 0, `${path}: the payload made elements`);
  // Let a handler that was going to fire, fire.
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, path);
  assert.deepEqual(seen.violations, [], `${path}: CSP violations`);
  assert.deepEqual(seen.errors, [], path);
  assert.deepEqual(seen.console, [], path);
  assert.deepEqual(seen.requests.filter((u) => u !== `${origin}${path}` && u !== `${origin}/style.css`), [], path);
}

const minute = (t) => new Date(t * 1000).toISOString().slice(0, 16).replace("T", " ");

test("the POST answers count the reports of each signature", () => {
  assert.deepEqual(answers.xfrm.map((a) => a.count), [1, 2, 3]);
  assert.deepEqual(answers.null.map((a) => a.count), [1, 2]);
  assert.deepEqual(answers.hostile.map((a) => a.count), [1]);
  for (const group of Object.values(answers)) assert.equal(new Set(group.map((a) => a.signature)).size, 1);
  assert.equal(new Set(Object.values(answers).map((g) => g[0].signature)).size, 3);
  assert.equal(answers.xfrm[0].title, "WARNING in xfrm_state_fini");
  assert.equal(answers.null[0].title, "BUG: unable to handle kernel NULL pointer dereference in tcp_close");
  assert.ok(answers.hostile[0].title.includes(TITLE_PAYLOAD), answers.hostile[0].title);
});

test("/ lists the crashes by count with counts, first and last seen, releases, arches and a sparkline; markup is text", async () => {
  const api = await (await fetch(`${origin}/api/signatures`)).json();
  const { page, context, seen } = await open("/");
  const rows = page.locator("tbody tr");
  assert.equal(await rows.count(), 3);
  const table = await rows.evaluateAll((trs) => trs.map((tr) => ({
    cells: [...tr.cells].map((c) => c.textContent),
    href: tr.querySelector("a").getAttribute("href"),
    points: tr.querySelector("svg polyline")?.getAttribute("points") ?? null,
    label: tr.querySelector("svg")?.getAttribute("aria-label") ?? null,
  })));
  // Sorted by count, as the API.
  assert.deepEqual(table.map((r) => Number(r.cells[0])), [3, 2, 1]);
  assert.deepEqual(table.map((r) => r.href), api.map((s) => `/s/${s.signature}`));
  const expected = [answers.xfrm, answers.null, answers.hostile];
  for (const [i, r] of table.entries()) {
    const [count, title, , first, last, releases, arches] = r.cells;
    assert.equal(title, expected[i][0].title);
    assert.equal(Number(count), api[i].count);
    assert.equal(first, minute(api[i].first_seen));
    assert.equal(last, minute(api[i].last_seen));
    assert.equal(releases, api[i].releases.join(", "));
    assert.equal(arches, api[i].arches.join(", "));
    // 30 days, one point each; the day with the reports is the highest.
    const points = r.points.split(" ");
    assert.equal(points.length, 30, r.points);
    assert.ok(points.some((p) => p.endsWith(",0")), r.points);
    assert.equal(r.label, `${api[i].count} reports in the last 30 days`);
  }
  assert.equal(table[0].cells[5], "6.1.0-18-amd64, 6.1.0-18-arm64, 6.12.9-amd64");
  assert.equal(table[0].cells[6], "aarch64, x86_64");
  assert.ok(table[2].cells[1].includes(TITLE_PAYLOAD));
  await page.screenshot({ path: join(artifacts, "dashboard-index.png"), fullPage: true });
  await assertInert(page, seen, "/");
  await context.close();
});

test("/s/{signature} shows the hostile log as text, and a bug link with the prepared text encoded", async () => {
  const { signature, title } = answers.hostile[0];
  const path = `/s/${signature}`;
  const { page, context, seen } = await open(path);
  assert.equal(await page.textContent("h1"), title);
  assert.equal(await page.title(), title);
  const log = await page.textContent("pre");
  assert.ok(log.includes(`BUG: ${TITLE_PAYLOAD}`), log);
  assert.ok(log.includes(LOG_PAYLOAD), log);
  assert.equal(await page.locator("tbody tr").count(), 1);
  const link = page.locator("a", { hasText: "File a bug" });
  assert.equal(await link.count(), 1);
  assert.match(await link.getAttribute("rel"), /noreferrer/);
  const href = await link.getAttribute("href");
  const m = /^https:\/\/bugs\.example\/new\?title=([^&]*)&body=([^&]*)$/.exec(href);
  assert.ok(m, href);
  // Each value percent-encoded whole: nothing but unreserved characters and escapes.
  for (const v of [m[1], m[2]]) assert.match(v, /^[A-Za-z0-9\-._~%]*$/);
  assert.equal(decodeURIComponent(m[1]), title);
  const body = decodeURIComponent(m[2]);
  assert.ok(body.startsWith(`Crash signature: ${signature}\nReports: 1 (`), body);
  assert.ok(body.includes(`    [   9.000002] ${LOG_PAYLOAD}\n`), body);
  await page.screenshot({ path: join(artifacts, "dashboard-signature.png"), fullPage: true });
  await assertInert(page, seen, path);
  await context.close();
});

test("/s/{signature} of a crash seen three times lists every report", async () => {
  const { signature } = answers.xfrm[0];
  const path = `/s/${signature}`;
  const { page, context, seen } = await open(path);
  assert.equal(await page.textContent("h1"), "WARNING in xfrm_state_fini");
  const summary = await page.textContent("p.small");
  assert.match(summary, new RegExp(`Signature ${signature} · 3 reports · first seen \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d`));
  assert.ok(summary.includes("Releases: 6.1.0-18-amd64, 6.1.0-18-arm64, 6.12.9-amd64"), summary);
  const reports = await page.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.cells[1].textContent).sort());
  assert.deepEqual(reports, answers.xfrm.map((a) => String(a.id)).sort());
  assert.ok((await page.textContent("pre")).includes("WARNING: CPU:"));
  await assertInert(page, seen, path);
  await context.close();
});
