// Sending a report to the distribution's intake (issue 14), end to end in
// Debian's headless Chromium (playwright-core). The test serves copies of
// the page, configured by web/configure.mjs or edited by hand, and runs a
// stand-in intake on loopback that records every request it gets and answers
// as the intake API does (with CORS headers for the page's origin). Checked:
// no intakeUrl, no button and not one request; intakeUrl and policy agreeing,
// a button, a preview of the exact address, and on "Send" one text/plain POST
// of that address with no cookie and no CSP violation; a policy that does
// not agree, no button; a report in parts, one POST per part.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchChromium } from "./chromium.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, "..");
const { base, vectors, partVectors } = JSON.parse(readFileSync(process.env.VECTORS || join(here, "vectors.generated.json"), "utf8"));
const artifacts = join(here, "artifacts");
mkdirSync(artifacts, { recursive: true });

const TITLE = "KASAN: use-after-free Read in tcp_close";
let browser, pages, intake, root;
let pageOrigin, intakeOrigin;

/* Serves each of `sites` (name -> directory) under /<name>/. */
function startPages(sites) {
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };
  const server = createServer((req, res) => {
    // The browser asks for one on its own; a page without one is normal.
    if (req.url === "/favicon.ico") return res.writeHead(204).end();
    const m = /^\/([a-z-]+)\/([a-z.]*)$/.exec(new URL(req.url, "http://x").pathname);
    const dir = m && sites[m[1]];
    const file = m && (m[2] || "index.html");
    if (!dir || !types[extname(file)]) return res.writeHead(404).end();
    try {
      const body = readFileSync(join(dir, file));
      res.writeHead(200, { "Content-Type": types[extname(file)], "Cache-Control": "no-store" }).end(body);
    } catch (_) {
      res.writeHead(404).end();
    }
  });
  return listen(server);
}

/* The stand-in intake: records requests; answers with `next()` (JSON). */
function startIntake() {
  const state = { requests: [], answers: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      state.requests.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const cors = { "Access-Control-Allow-Origin": pageOrigin, Vary: "Origin" };
      if (req.method === "OPTIONS") {
        return res.writeHead(204, { ...cors, "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Content-Type" }).end();
      }
      if (req.method !== "POST" || req.url !== "/api/reports") return res.writeHead(404, cors).end();
      const n = state.requests.filter((r) => r.method === "POST").length;
      const [status, json] = state.answers.shift() || [200, { id: n, signature: "0123abcd", title: TITLE, duplicate: false }];
      res.writeHead(status, { ...cors, "Content-Type": "application/json" }).end(JSON.stringify(json));
    });
  });
  return listen(server).then((s) => Object.assign(s, state));
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}` })));
}

/* A copy of the page's files in a fresh directory. */
function site(name) {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const f of ["index.html", "config.js", "app.js", "decode.js", "inflate.js", "style.css"]) copyFileSync(join(web, f), join(dir, f));
  return dir;
}

function configure(dir, ...args) {
  const r = spawnSync(process.execPath, [join(web, "configure.mjs"), "--dir", dir, ...args], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
}

const edit = (dir, file, from, to) => {
  const text = readFileSync(join(dir, file), "utf8");
  assert.ok(text.includes(from), `${file} has ${from}`);
  writeFileSync(join(dir, file), text.replace(from, to));
};

before(async () => {
  browser = await launchChromium();
  root = mkdtempSync(join(tmpdir(), "panicqr-intake-e2e-"));
  intake = await startIntake();
  intakeOrigin = intake.origin;
  const sites = {
    // As configure.mjs writes it: the button.
    configured: site("configured"),
    // intakeUrl empty, but the policy would let a request through: only
    // the page's own code can keep it from sending.
    "no-intake": site("no-intake"),
    // intakeUrl set by hand, the policy left at connect-src 'none'.
    "csp-none": site("csp-none"),
    // The policy allows the intake and one more origin.
    "csp-wider": site("csp-wider"),
  };
  configure(sites.configured, "--intake", intakeOrigin, "--distribution", "Debian");
  edit(sites["no-intake"], "index.html", "connect-src 'none'", `connect-src ${intakeOrigin}`);
  edit(sites["csp-none"], "config.js", 'intakeUrl: ""', `intakeUrl: "${intakeOrigin}"`);
  configure(sites["csp-wider"], "--intake", intakeOrigin, "--distribution", "Debian");
  edit(sites["csp-wider"], "index.html", `connect-src ${intakeOrigin}`, `connect-src ${intakeOrigin} https://example.org`);
  pages = await startPages(sites);
  pageOrigin = pages.origin;
});

after(async () => {
  await browser?.close();
  pages?.server.close();
  intake?.server.close();
  if (root) rmSync(root, { recursive: true });
});

const byName = (n) => vectors.find((v) => v.name === n);
const at = (siteName, url) => `${pageOrigin}/${siteName}/` + url.slice(base.length - 1);

/* Opens a page in a profile holding a cookie for the intake's host (sent
 * if the page ever asked for credentials); records requests, script
 * errors, console errors and warnings, and CSP violations. */
async function open(url, shared = null) {
  let context = shared;
  if (!context) {
    context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.addCookies([{ name: "session", value: "s3cr3t", url: intakeOrigin }]);
  }
  const page = await context.newPage();
  const seen = { requests: [], errors: [], console: [], warnings: [], violations: [] };
  page.on("request", (r) => seen.requests.push(r.url()));
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") seen.console.push(m.text());
    if (m.type() === "warning") seen.warnings.push(m.text());
  });
  await page.exposeFunction("__panicqrViolation", (v) => seen.violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__panicqrViolation({ directive: e.effectiveDirective, blocked: e.blockedURI, disposition: e.disposition });
    });
  });
  await page.goto(url);
  await page.waitForFunction(() => !document.getElementById("status").textContent.startsWith("Reading"));
  return { page, context, seen };
}

/* The page's own files and, if `posts`, that many POSTs to the intake:
 * nothing else was requested, nothing failed (but for the console errors
 * expected), the policy stopped nothing. */
function assertOnly(seen, posts, own, consoleErrors = []) {
  assert.deepEqual(seen.requests.filter((u) => !u.startsWith(own)), Array(posts).fill(`${intakeOrigin}/api/reports`));
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.console, consoleErrors);
  assert.deepEqual(seen.violations, []);
}

/* Time for a request the page should not make to arrive if it did. */
const settle = (page) => page.waitForTimeout(300);

test("no intakeUrl: no button, and not one request to the intake during the page's life", async () => {
  const v = byName("complete syzkaller-0004.log");
  const before = intake.requests.length;
  const shipped = pathToFileURL(join(web, "index.html")).href + v.url.slice(base.length - 1);
  for (const url of [at("no-intake", v.url), shipped]) {
    const { page, context, seen } = await open(url);
    assert.equal(await page.textContent("#log"), v.log, url);
    assert.equal(await page.isVisible("#submit"), false, url);
    assert.equal(await page.isVisible("#submit-open"), false, url);
    assert.match(await page.textContent("#privacy"), /this page makes no network requests/);
    // The rest of the page in use: copying, a paste, a hash change.
    await page.click("#copy-report");
    await page.evaluate((u) => { window.location.hash = u.slice(u.indexOf("#")); }, byName("complete syzkaller-0120.log").url);
    await page.waitForFunction((n) => document.getElementById("log").textContent.length === n, byName("complete syzkaller-0120.log").log.length);
    assert.equal(await page.isVisible("#submit"), false, url);
    await settle(page);
    await context.close();
    assert.deepEqual(seen.warnings, [], "no intake is nothing to warn about");
    assertOnly(seen, 0, url.startsWith("file:") ? "file://" : `${pageOrigin}/no-intake/`);
  }
  assert.equal(intake.requests.length, before);
});

test("intakeUrl and policy agree: the button previews the exact address, and Send posts it, once", async () => {
  const v = byName("complete syzkaller-0120.log");
  const url = at("configured", v.url);
  intake.requests.length = 0;
  const { page, context, seen } = await open(url);
  assert.equal(await page.textContent("#log"), v.log);
  assert.equal(await page.textContent("#submit-open"), "Send this report to Debian");
  assert.match(await page.textContent("#privacy"), new RegExp(`Nothing is sent unless you press .*; then only the report's address goes to ${intakeOrigin}\\.`));
  await settle(page);
  assert.equal(intake.requests.length, 0, "nothing is sent before the click");

  await page.click("#submit-open");
  assert.equal(await page.isVisible("#submit-preview"), true);
  assert.deepEqual(await page.locator("#submit-bodies .body").allTextContents(), [url]);
  assert.equal(await page.evaluate(() => window.location.href), url);
  const what = await page.textContent("#submit-what");
  assert.ok(what.includes(`to Debian (${intakeOrigin}): POST ${intakeOrigin}/api/reports, Content-Type text/plain`), what);
  assert.match(await page.textContent("#submit-nothing-else"), /not the decoded log .* no cookies, no referrer\./);
  await page.screenshot({ path: join(artifacts, "phone-send-preview.png"), fullPage: false });
  await settle(page);
  assert.equal(intake.requests.length, 0, "nothing is sent on the preview");

  await page.click("#submit-send");
  await page.waitForFunction(() => !document.getElementById("submit-open").disabled);
  assert.deepEqual(seen.violations, [], "the policy let the one request through");
  assert.deepEqual(await page.locator("#submit-result li").allTextContents(), [`Received: "${TITLE}" (report 1).`]);
  assert.equal(await page.isVisible("#submit-preview"), false);
  await settle(page);
  assert.equal(intake.requests.length, 1, "exactly one request, no preflight");
  const [r] = intake.requests;
  assert.equal(r.method, "POST");
  assert.equal(r.path, "/api/reports");
  assert.match(r.headers["content-type"], /^text\/plain(;|$)/);
  assert.equal(r.body, url, "the body is the report's address, exactly");
  assert.equal(r.headers.cookie, undefined, "no cookie, though the profile holds one for the intake's host");
  assert.equal(r.headers.referer, undefined);
  assert.equal(r.headers.origin, pageOrigin);
  assertOnly(seen, 1, `${pageOrigin}/configured/`);
  assert.deepEqual(seen.warnings, []);

  // The server's other answers, as text: a duplicate, a refusal.
  intake.answers.push([200, { id: 9, signature: "0123abcd", title: TITLE, duplicate: true, count: 3 }]);
  intake.answers.push([429, { error: "too many reports from this address, try again in a minute" }]);
  for (const expected of [`Already known: 3 reports \u2014 "${TITLE}" (report 9).`,
    "Refused by the server (HTTP 429): too many reports from this address, try again in a minute"]) {
    await page.click("#submit-open");
    await page.click("#submit-send");
    await page.waitForFunction(() => !document.getElementById("submit-open").disabled);
    assert.deepEqual(await page.locator("#submit-result li").allTextContents(), [expected]);
  }
  assert.equal(intake.requests.length, 3);
  assert.ok(intake.requests.every((x) => x.body === url && x.headers.cookie === undefined));
  // Cancel sends nothing.
  await page.click("#submit-open");
  await page.click("#submit-cancel");
  assert.equal(await page.isVisible("#submit-preview"), false);
  await settle(page);
  assert.equal(intake.requests.length, 3);
  // Chromium logs an error answer to a fetch on the console.
  assertOnly(seen, 3, `${pageOrigin}/configured/`, ["Failed to load resource: the server responded with a status of 429 (Too Many Requests)"]);
  await context.close();
});

test("intakeUrl set but the policy does not allow exactly its origin: no button, a note for the deployer", async () => {
  const v = byName("complete syzkaller-0004.log");
  intake.requests.length = 0;
  let n = 0;
  for (const [siteName, connect] of [["csp-none", "'none'"], ["csp-wider", `${intakeOrigin} https://example.org`]]) {
    const { page, context, seen } = await open(at(siteName, v.url));
    assert.equal(await page.textContent("#log"), v.log, siteName);
    assert.equal(await page.isVisible("#submit"), false, siteName);
    assert.equal(await page.isVisible("#submit-open"), false, siteName);
    const note = `panicqr: no "Send this report" button: the Content-Security-Policy <meta> says "connect-src ${connect}", ` +
      `but intakeUrl needs exactly "connect-src ${intakeOrigin}"; run: node web/configure.mjs --intake ${intakeOrigin}`;
    assert.deepEqual(seen.warnings, [note], siteName);
    assert.equal(await page.textContent("#intake-note"), note);
    assert.equal(await page.isVisible("#intake-note"), false, "the note is for the deployer, not shown");
    assert.match(await page.textContent("#privacy"), /this page makes no network requests/);
    await settle(page);
    assertOnly(seen, 0, `${pageOrigin}/${siteName}/`);
    if (siteName === "csp-none") {
      // Had the page gone ahead, the policy would have stopped the request:
      // the violation listener sees it, the intake gets nothing.
      const outcome = await page.evaluate(async (u) => {
        try { await fetch(u, { method: "POST", body: "x" }); return "sent"; } catch (_) { return "failed"; }
      }, `${intakeOrigin}/api/reports`);
      assert.equal(outcome, "failed");
      for (const deadline = Date.now() + 5000; seen.violations.length === 0 && Date.now() < deadline;) await page.waitForTimeout(20);
      assert.deepEqual(seen.violations, [{ directive: "connect-src", blocked: `${intakeOrigin}/api/reports`, disposition: "enforce" }]);
    }
    await context.close();
    n++;
  }
  assert.equal(n, 2);
  assert.equal(intake.requests.length, 0);
});

test("a report in parts: one POST per part read, each part's address as scanned", async () => {
  intake.requests.length = 0;
  let n = 0;
  for (const [name, order] of [["three parts", [2, 0, 1]], ["four parts, another crash", [2, 0]]]) {
    const v = partVectors.find((x) => x.name === name);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    let last;
    for (const i of order) {
      await last?.page.close();
      last = await open(at("configured", v.urls[i]), context);
    }
    const { page, seen } = last;
    const sent = order.slice().sort().map((i) => at("configured", v.urls[i]));
    const count = v.urls.length;
    await page.click("#submit-open");
    assert.deepEqual(await page.locator("#submit-bodies .body").allTextContents(), sent, name);
    assert.deepEqual(await page.locator("#submit-bodies .label").allTextContents(),
      order.slice().sort().map((i) => `Part ${i + 1} of ${count}:`), name);
    assert.match(await page.textContent("#submit-what"), new RegExp(`^${sent.length} requests, one for each part read, to Debian`), name);
    assert.match(await page.textContent("#submit-nothing-else"), /The server joins the parts/, name);
    if (count === 3) await page.screenshot({ path: join(artifacts, "phone-send-parts.png"), fullPage: false });
    await settle(page);
    assert.equal(intake.requests.length, 0, name);
    await page.click("#submit-send");
    await page.waitForFunction(() => !document.getElementById("submit-open").disabled);
    assert.equal(await page.locator("#submit-result li.ok").count(), sent.length, name);
    await settle(page);
    assert.deepEqual(intake.requests.map((r) => [r.method, r.path, r.body]), sent.map((u) => ["POST", "/api/reports", u]), name);
    assert.ok(intake.requests.every((r) => /^text\/plain/.test(r.headers["content-type"]) && r.headers.cookie === undefined), name);
    assertOnly(seen, sent.length, `${pageOrigin}/configured/`);
    await context.close();
    intake.requests.length = 0;
    n++;
  }
  assert.equal(n, 2);
});
