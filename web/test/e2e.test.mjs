// End to end in a real headless Chromium (Debian's, driven by playwright-core):
// the page from file:// and from `panicqr serve`, a complete report, a cut one,
// an HTML-injection attempt, no network requests, CSP violations as the
// browser reports them (a crafted fetch, Trusted Types), a download, and a
// phone-sized screenshot saved to test/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchChromium } from "./chromium.mjs";
import { createRequire as requireFrom } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, "..");
const root = join(web, "..");
const { base, vectors, partVectors } = JSON.parse(readFileSync(process.env.VECTORS || join(here, "vectors.generated.json"), "utf8"));
const fileBase = pathToFileURL(join(web, "index.html")).href;
const artifacts = join(here, "artifacts");
mkdirSync(artifacts, { recursive: true });

let browser;
let server;
let serverUrl;

before(async () => {
  browser = await launchChromium();
  const bin = process.env.PANICQR || join(root, "target", "release", "panicqr");
  server = spawn(bin, ["serve", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  serverUrl = await new Promise((resolve, reject) => {
    server.stdout.once("data", (d) => resolve(d.toString().trim()));
    server.once("error", reject);
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

const byName = (n) => vectors.find((v) => v.name === n);
const pageUrl = (prefix, v) => prefix + v.url.slice(base.length - 1);

/* Opens a page, records every request, script error, dialog and CSP violation. */
async function open(url, viewport = { width: 1280, height: 900 }, shared = null) {
  // A shared context is one browser profile: its localStorage outlives the
  // page, as a phone's does between two scans.
  const context = shared || await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const seen = { requests: [], errors: [], dialogs: [], console: [], violations: [] };
  page.on("request", (r) => seen.requests.push(r.url()));
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("dialog", (d) => { seen.dialogs.push(d.message()); d.dismiss(); });
  page.on("console", (m) => { if (m.type() === "error") seen.console.push(m.text()); });
  // The browser's own word that the policy stopped something: a failed
  // fetch alone proves nothing, since from file:// or offline every fetch fails.
  await page.exposeFunction("__panicqrViolation", (v) => seen.violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__panicqrViolation({ directive: e.effectiveDirective, blocked: e.blockedURI, disposition: e.disposition });
    });
  });
  await page.goto(url);
  await page.waitForSelector("#status:not(:empty)");
  await page.waitForFunction(() => !document.getElementById("status").textContent.startsWith("Reading"));
  return { page, context, seen };
}

/* Only the page's own files may be requested: nothing leaves the machine. */
function assertOffline(seen, allowedPrefix) {
  const foreign = seen.requests.filter((u) => !u.startsWith(allowedPrefix));
  assert.deepEqual(foreign, [], "the page made network requests");
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.console, []);
  // Nothing the page does on its own trips the policy (Trusted Types included).
  assert.deepEqual(seen.violations, []);
}

test("complete report from file:// shows the exact log, status and metadata", async () => {
  const v = byName("complete, fitted (three logs)");
  const { page, context, seen } = await open(pageUrl(fileBase, v));
  assert.equal(await page.textContent("#log"), v.log);
  assert.match(await page.getAttribute("#status", "class"), /complete/);
  assert.equal(await page.textContent("#release"), "6.19.11+kali-amd64");
  assert.equal(await page.textContent("#arch"), "x86_64");
  assert.ok((await page.locator("#log mark").count()) > 0, "crash lines are highlighted");
  assert.ok((await page.inputValue("#report-text")).includes(v.log));
  // Download: the file holds the log.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  assert.equal(readFileSync(await download.path(), "utf8"), v.log);
  assertOffline(seen, "file://");
  await context.close();
});

test("a cut report shows the partial log and says what was lost", async () => {
  const v = byName("truncated");
  const { page, context, seen } = await open(pageUrl(fileBase, v));
  assert.match(await page.getAttribute("#status", "class"), /partial/);
  assert.match(await page.textContent("#status"), /Partial/);
  const shown = await page.textContent("#log");
  assert.ok(shown.length > 0 && v.log.startsWith(shown));
  assertOffline(seen, "file://");
  await context.close();
});

test("HTML in the log is shown as text and runs nothing", async () => {
  const v = byName("html injection");
  const { page, context, seen } = await open(pageUrl(fileBase, v));
  assert.equal(await page.textContent("#log"), v.log);
  assert.equal(await page.locator("#log script, #log img, #log a, body script:not([src])").count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.title(), "Kernel crash report");
  await page.waitForTimeout(300);
  assert.deepEqual(seen.dialogs, []);
  assertOffline(seen, "file://");
  await context.close();
});

test("legacy zl= and a raw + in the release decode", async () => {
  for (const name of ["legacy zl=", "raw + in release"]) {
    const v = byName(name);
    const { page, context, seen } = await open(pageUrl(fileBase, v));
    assert.equal(await page.textContent("#log"), v.log, name);
    assert.equal(await page.textContent("#release"), "6.19.11+kali-amd64", name);
    assertOffline(seen, "file://");
    await context.close();
  }
});

test("served by `panicqr serve`, with the CSP header, on a phone screen", async () => {
  const v = byName("complete syzkaller-0120.log");
  const { page, context, seen } = await open(pageUrl(serverUrl, v), { width: 390, height: 844 });
  assert.equal(await page.textContent("#log"), v.log);
  const response = await page.request.get(serverUrl + "index.html");
  assert.match(response.headers()["content-security-policy"], /connect-src 'none'/);
  assert.equal((await page.request.get(serverUrl + "../Cargo.toml")).status(), 404);
  await page.screenshot({ path: join(artifacts, "phone.png"), fullPage: false });
  assertOffline(seen, serverUrl);
  await context.close();
});

const crafted = "https://example.org/collect";

/* The violations reported since index `from`, once `count` have arrived (or
 * after 5 s), plus a grace period so that a surplus one would be seen too:
 * the event is queued as a task and then crosses the CDP binding. */
async function violationsSince(seen, from, count) {
  for (const deadline = Date.now() + 5000; seen.violations.length - from < count && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 150));
  return seen.violations.slice(from);
}

// From file:// the page's <meta> policy applies; served, the header's too,
// and each policy reports its own violation.
for (const [where, prefix, policies] of [["file://", () => fileBase, 1], ["`panicqr serve`", () => serverUrl, 2]]) {
  test(`a crafted fetch is stopped by the Content-Security-Policy (${where})`, async () => {
    const v = byName("complete syzkaller-0004.log");
    const { page, context, seen } = await open(pageUrl(prefix(), v));
    const before = seen.violations.length;
    const outcome = await page.evaluate(async (u) => {
      try { await fetch(u); return "sent"; } catch (e) { return "failed"; }
    }, crafted);
    assert.equal(outcome, "failed");
    // The policy, not the network, stopped it: Chromium reports the violation
    // and never puts the request on the wire.
    assert.deepEqual(
      await violationsSince(seen, before, policies),
      Array(policies).fill({ directive: "connect-src", blocked: crafted, disposition: "enforce" }),
    );
    assert.deepEqual(seen.requests.filter((u) => u.startsWith("https://example.org")), []);
    await context.close();
  });
}

test("Trusted Types are required: an HTML string cannot reach a DOM sink", async () => {
  const v = byName("html injection");
  const { page, context, seen } = await open(pageUrl(fileBase, v));
  const before = seen.violations.length;
  const outcome = await page.evaluate(() => {
    const probe = document.createElement("div");
    try { probe.innerHTML = "<img src=x>"; return "assigned"; } catch (e) { return e.name; }
  });
  assert.equal(outcome, "TypeError");
  assert.deepEqual((await violationsSince(seen, before, 1)).map((x) => x.directive), ["require-trusted-types-for"]);
  await context.close();
});

test("panicqr's zlib streams inflate with the browser's own DecompressionStream", async () => {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  const { parseParams, decodeZ } = require("../decode.js");
  const { page, context } = await open(fileBase);
  for (const v of vectors.filter((x) => x.status === "complete" && !x.url.includes("zl="))) {
    const bytes = decodeZ(parseParams(v.url).z.replace(/[\s+]/g, "")).bytes;
    const text = await page.evaluate(async (arr) => {
      const stream = new Blob([new Uint8Array(arr)]).stream().pipeThrough(new DecompressionStream("deflate"));
      return new TextDecoder().decode(await new Response(stream).arrayBuffer());
    }, bytes);
    assert.equal(text, v.log, v.name);
  }
  await context.close();
});

test("no report in the address offers a paste box that decodes", async () => {
  const v = byName("complete syzkaller-0004.log");
  const { page, context, seen } = await open(fileBase);
  assert.equal(await page.isVisible("#paste"), true);
  await page.fill("#paste-input", v.url);
  await page.waitForFunction(() => document.getElementById("status").className.includes("complete"));
  assert.equal(await page.textContent("#log"), v.log);
  assertOffline(seen, "file://");
  await context.close();
});

/* ---- Reports over several codes (issue 12) ----
 * Every scan is a new page load in one profile, as on a phone. */
const partsOf = (name) => partVectors.find((v) => v.name === name);
const partUrl = (prefix, u) => prefix + u.slice(base.length - 1);
const stored = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("panicqr-parts:")));

for (const [where, prefix, own] of [["file://", () => fileBase, () => "file://"], ["`panicqr serve`", () => serverUrl, () => serverUrl]]) {
  test(`three parts opened in shuffled order, each a new page, give the whole log (${where})`, async () => {
    const v = partsOf("three parts");
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const statuses = [];
    let last;
    for (const i of [1, 2, 0]) {
      const opened = await open(partUrl(prefix(), v.urls[i]), undefined, context);
      statuses.push(await opened.page.textContent("#status"));
      assertOffline(opened.seen, own());
      await last?.close();
      last = opened.page;
    }
    assert.match(statuses[0], /Part 2 of 3 read: scan parts 1 and 3 too\./);
    assert.match(statuses[1], /Parts 2 and 3 of 3 read: scan part 1 too\./);
    assert.match(statuses[2], /^Complete: all 3 parts/);
    assert.equal(await last.textContent("#log"), v.log, "oldest first, no gap marker");
    assert.match(await last.getAttribute("#status", "class"), /complete/);
    assert.equal(await last.locator("#log .part-missing").count(), 0);
    assert.equal(await last.isVisible("#parts"), true);
    assert.equal(await last.textContent("#release"), "6.19.11+kali-amd64");
    assert.ok((await last.inputValue("#report-text")).includes(v.log));
    if (where === "`panicqr serve`") await last.screenshot({ path: join(artifacts, "phone-parts.png"), fullPage: false });
    await context.close();
  });
}

test("one part missing: the page names it and marks where its lines belong", async () => {
  const v = partsOf("four parts, another crash");
  const context = await browser.newContext();
  for (const i of [3, 0]) await (await open(partUrl(fileBase, v.urls[i]), undefined, context)).page.close();
  const { page, seen } = await open(partUrl(fileBase, v.urls[1]), undefined, context);
  assert.match(await page.textContent("#status"), /Parts 1, 2 and 4 of 4 read: scan part 3 too\./);
  assert.match(await page.getAttribute("#status", "class"), /partial/);
  assert.equal(await page.textContent("#parts-have"), "1, 2 and 4 of 4");
  assert.match(await page.textContent("#size"), /^\d+ bytes in parts 1, 2 and 4 of 4$/);
  const gaps = await page.locator("#log .part-missing").allTextContents();
  assert.deepEqual(gaps, ["\u2500\u2500 part 3 of 4 is not scanned yet: lines are missing here \u2500\u2500\n"]);
  // The lines around the gap are those of parts 4, then 2 and 1.
  const { decodeReport, parseParams } = requireFrom(import.meta.url)("../decode.js");
  const logs = [3, 1, 0].map((i) => decodeReport(parseParams(v.urls[i])).log);
  assert.equal(await page.textContent("#log"), logs[0] + gaps[0] + logs[1] + logs[2]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator("#log .part-missing").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifacts, "phone-part-missing.png"), fullPage: false });
  assertOffline(seen, "file://");
  await context.close();
});

test("\"Forget this report\" removes it from storage; other reports stay", async () => {
  const a = partsOf("three parts"), b = partsOf("four parts, another crash");
  const context = await browser.newContext();
  await (await open(partUrl(fileBase, b.urls[0]), undefined, context)).page.close();
  await (await open(partUrl(fileBase, a.urls[0]), undefined, context)).page.close();
  const { page, seen } = await open(partUrl(fileBase, a.urls[1]), undefined, context);
  assert.equal((await stored(page)).length, 2);
  assert.match(await page.textContent("#status"), /Parts 1 and 2 of 3 read/);
  await page.click("#forget");
  assert.match(await page.textContent("#status"), /^Forgotten/);
  assert.equal(await page.isVisible("#log-section"), false);
  const idA = /&r=([0-9a-f]{8})&/.exec(a.urls[0])[1], idB = /&r=([0-9a-f]{8})&/.exec(b.urls[0])[1];
  assert.deepEqual(await stored(page), ["panicqr-parts:" + idB]);
  assert.ok(!(await page.evaluate(() => JSON.stringify(localStorage))).includes(idA));
  assertOffline(seen, "file://");
  // The next scan of that report starts afresh.
  const next = await open(partUrl(fileBase, a.urls[2]), undefined, context);
  assert.match(await next.page.textContent("#status"), /^Part 3 of 3 read: scan parts 1 and 2 too\./);
  await context.close();
});

test("parts are forgotten on their own a day after the first scan", async () => {
  const a = partsOf("three parts"), b = partsOf("four parts, another crash");
  const context = await browser.newContext();
  const first = await open(partUrl(fileBase, a.urls[0]), undefined, context);
  await (await open(partUrl(fileBase, b.urls[0]), undefined, context)).page.close();
  const idA = /&r=([0-9a-f]{8})&/.exec(a.urls[0])[1];
  // Report A was first scanned a day ago (less a minute, then more).
  const age = async (ms) => first.page.evaluate(([k, ms]) => {
    const e = JSON.parse(localStorage.getItem(k));
    e.first = Date.now() - ms;
    localStorage.setItem(k, JSON.stringify(e));
  }, ["panicqr-parts:" + idA, ms]);
  await age(24 * 3600e3 - 60e3);
  const young = await open(partUrl(fileBase, a.urls[1]), undefined, context);
  assert.match(await young.page.textContent("#status"), /Parts 1 and 2 of 3 read/);
  await age(24 * 3600e3 + 1000);
  const old = await open(fileBase, undefined, context);
  assert.deepEqual((await stored(old.page)).length, 1, "the day-old report is gone, the other stays");
  const again = await open(partUrl(fileBase, a.urls[2]), undefined, context);
  assert.match(await again.page.textContent("#status"), /^Part 3 of 3 read/);
  await context.close();
});

test("a single-code report is not stored", async () => {
  const v = byName("complete syzkaller-0004.log");
  const { page, context } = await open(pageUrl(fileBase, v));
  assert.equal(await page.textContent("#log"), v.log);
  assert.equal(await page.isVisible("#parts"), false);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  await context.close();
});

test("a part that did not read whole is shown but not kept, so the rescan counts", async () => {
  const v = partsOf("three parts");
  const u = v.urls[1];
  const cut = u.slice(0, u.indexOf("&z=") + 3 + Math.floor((u.length - u.indexOf("&z=")) * 0.6));
  const context = await browser.newContext();
  const first = await open(partUrl(fileBase, cut), undefined, context);
  assert.match(await first.page.textContent("#status"), /^Part 2 of 3 read: scan parts 1 and 3 too\..*not read whole, so it is not kept: scan it again\./);
  assert.deepEqual(await stored(first.page), []);
  assert.equal(await first.page.locator("#log .part-missing").count(), 2, "parts 3 and 1 are marked around what part 2 gave");
  for (const i of [1, 0, 2]) await (await open(partUrl(fileBase, v.urls[i]), undefined, context)).page.close();
  const { page } = await open(partUrl(fileBase, v.urls[2]), undefined, context);
  assert.match(await page.textContent("#status"), /^Complete: all 3 parts/);
  assert.equal(await page.textContent("#log"), v.log);
  await context.close();
});

test("a part pasted into the box joins the parts scanned before", async () => {
  const v = partsOf("three parts");
  const context = await browser.newContext();
  for (const i of [2, 0]) await (await open(partUrl(fileBase, v.urls[i]), undefined, context)).page.close();
  const { page, seen } = await open(fileBase, undefined, context);
  await page.fill("#paste-input", v.urls[1]);
  await page.waitForFunction(() => document.getElementById("status").className.includes("complete"));
  assert.match(await page.textContent("#status"), /^Complete: all 3 parts/);
  assert.equal(await page.textContent("#log"), v.log);
  assertOffline(seen, "file://");
  await context.close();
});

test("parts of two crashes under one id are not merged into one log", async () => {
  const a = partsOf("three parts"), b = partsOf("four parts, another crash");
  const id = /&r=([0-9a-f]{8})&/.exec(a.urls[0])[1];
  // Part 2 of the other crash, tagged as part 2 of this one: every part is
  // there, but the log does not hash to the id.
  const forged = b.urls[1].replace(/&p=2\/4&r=[0-9a-f]{8}&/, `&p=2/3&r=${id}&`);
  const context = await browser.newContext();
  for (const u of [a.urls[0], forged]) await (await open(partUrl(fileBase, u), undefined, context)).page.close();
  const { page } = await open(partUrl(fileBase, a.urls[2]), undefined, context);
  assert.match(await page.textContent("#status"), /^All 3 parts were read, but together they do not match the report id/);
  assert.match(await page.getAttribute("#status", "class"), /partial/);
  await context.close();
});
