// Unit tests of sending a report to the distribution's intake (issue 14):
// the intakeUrl and Content-Security-Policy check that decides whether the
// page shows its button, the request it makes, how it reads the answer, and
// web/configure.mjs, which writes config.js and the policy together.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, "..");
const { intakeTarget, cspDirectives, intakeState, buildRequest, describeAnswer, sendAll } = require("../app.js");

const metaPolicies = (html) => [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/gi)].map((m) => m[1]);
const readConfig = (text) => {
  const sandbox = { window: {} };
  vm.runInNewContext(text, sandbox);
  return sandbox.window.PANICQR_CONFIG;
};
const PAGE_POLICY = (connect) => `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src ${connect}; form-action 'none'; base-uri 'none'; require-trusted-types-for 'script'`;

test("intakeUrl: an https origin with an optional path, or http on loopback only", () => {
  assert.equal(intakeTarget(""), null);
  assert.equal(intakeTarget(undefined), null);
  assert.deepEqual(intakeTarget("https://crash.example.org"), { origin: "https://crash.example.org", endpoint: "https://crash.example.org/api/reports" });
  assert.deepEqual(intakeTarget("https://Crash.Example.org:443/panic/"), { origin: "https://crash.example.org", endpoint: "https://crash.example.org/panic/api/reports" });
  assert.deepEqual(intakeTarget("https://crash.example.org:8443/a/b"), { origin: "https://crash.example.org:8443", endpoint: "https://crash.example.org:8443/a/b/api/reports" });
  assert.deepEqual(intakeTarget("http://127.0.0.1:8080"), { origin: "http://127.0.0.1:8080", endpoint: "http://127.0.0.1:8080/api/reports" });
  assert.equal(intakeTarget("http://localhost:1/").origin, "http://localhost:1");
  const refused = {
    "http://crash.example.org": /must start with https:\/\//,
    "ftp://crash.example.org": /must start with https:\/\//,
    "crash.example.org": /not an absolute URL/,
    "/intake": /not an absolute URL/,
    "https://user:pw@crash.example.org": /user name or password/,
    "https://crash.example.org/?x=1": /query or a fragment/,
    "https://crash.example.org/?": /query or a fragment/,
    "https://crash.example.org/#": /query or a fragment/,
  };
  for (const [value, why] of Object.entries(refused)) assert.match(intakeTarget(value).error, why, value);
  assert.match(intakeTarget(42).error, /not a string/);
});

test("CSP directives: names without case, the first of a name wins", () => {
  const d = cspDirectives(" default-src 'none' ;CONNECT-SRC  https://a.example\thttps://b.example; connect-src 'none';;");
  assert.deepEqual([...d.keys()], ["default-src", "connect-src"]);
  assert.deepEqual(d.get("connect-src"), ["https://a.example", "https://b.example"]);
});

test("the button only when the one policy's connect-src is exactly the intake's origin", () => {
  const cfg = { intakeUrl: "https://crash.example.org/panic", distribution: "Debian" };
  assert.deepEqual(intakeState(cfg, [PAGE_POLICY("https://crash.example.org")]),
    { enabled: true, origin: "https://crash.example.org", endpoint: "https://crash.example.org/panic/api/reports", name: "Debian" });
  // Scheme and host compare without case, as the browser matches them.
  assert.equal(intakeState(cfg, [PAGE_POLICY("HTTPS://Crash.example.org")]).enabled, true);
  // No distribution named: the button names the host it sends to.
  assert.equal(intakeState({ intakeUrl: "https://crash.example.org:8443" }, [PAGE_POLICY("https://crash.example.org:8443")]).name, "crash.example.org:8443");
  const off = {
    "connect-src 'none'": [PAGE_POLICY("'none'")],
    "a wider connect-src": [PAGE_POLICY("https://crash.example.org https://elsewhere.example")],
    "another origin": [PAGE_POLICY("https://elsewhere.example")],
    "another scheme": [PAGE_POLICY("http://crash.example.org")],
    "another port": [PAGE_POLICY("https://crash.example.org:444")],
    "a path in the source": [PAGE_POLICY("https://crash.example.org/panic/")],
    "a wildcard": [PAGE_POLICY("https://*.example.org")],
    "no connect-src (default-src decides)": ["default-src https://crash.example.org"],
    "a second connect-src does not count": ["connect-src 'none'; connect-src https://crash.example.org"],
    "two policies": [PAGE_POLICY("https://crash.example.org"), "connect-src 'none'"],
    "no policy": [],
  };
  let n = 0;
  for (const [why, policies] of Object.entries(off)) {
    const s = intakeState(cfg, policies);
    assert.equal(s.enabled, false, why);
    assert.match(s.note, /^panicqr: no "Send this report" button: /, why);
    assert.match(s.note, /node web\/configure\.mjs --intake https:\/\/crash\.example\.org\/panic$/, why);
    n++;
  }
  assert.equal(n, 11);
  assert.match(intakeState({ intakeUrl: "http://crash.example.org" }, [PAGE_POLICY("http://crash.example.org")]).note, /must start with https/);
  // No intake: no button and nothing to say, whatever the policy.
  for (const p of [[PAGE_POLICY("'none'")], [PAGE_POLICY("https://crash.example.org")], []]) {
    assert.deepEqual(intakeState({ intakeUrl: "", distribution: "Debian" }, p), { enabled: false, note: null });
  }
  assert.deepEqual(intakeState(undefined, []), { enabled: false, note: null });
});

test("the shipped page sends nothing: no intakeUrl, connect-src 'none'", () => {
  const cfg = readConfig(readFileSync(join(web, "config.js"), "utf8"));
  assert.equal(cfg.intakeUrl, "");
  const policies = metaPolicies(readFileSync(join(web, "index.html"), "utf8"));
  assert.equal(policies.length, 1);
  assert.deepEqual(cspDirectives(policies[0]).get("connect-src"), ["'none'"]);
  assert.deepEqual(intakeState(cfg, policies), { enabled: false, note: null });
});

test("the request: the text as text/plain, no credentials, no referrer, no redirect", () => {
  const url = "https://example.org/panic_report/#?a=x86_64&v=6.1+rc&z=0123";
  assert.deepEqual(buildRequest("https://crash.example.org/api/reports", url), {
    url: "https://crash.example.org/api/reports",
    init: {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: url,
      credentials: "omit",
      referrerPolicy: "no-referrer",
      mode: "cors",
      cache: "no-store",
      redirect: "error",
    },
  });
});

test("the answer: title, duplicates, refusals and answers that are not the API's", () => {
  const ok = (o) => JSON.stringify({ id: 7, signature: "ab12", title: "KASAN: use-after-free Read in tcp_close", duplicate: false, ...o });
  assert.deepEqual(describeAnswer(200, ok()), { ok: true, text: 'Received: "KASAN: use-after-free Read in tcp_close" (report 7).' });
  assert.deepEqual(describeAnswer(201, ok({ id: "r-9" })), { ok: true, text: 'Received: "KASAN: use-after-free Read in tcp_close" (report r-9).' });
  assert.deepEqual(describeAnswer(200, ok({ duplicate: true, count: 12 })),
    { ok: true, text: 'Already known: 12 reports \u2014 "KASAN: use-after-free Read in tcp_close" (report 7).' });
  assert.match(describeAnswer(200, ok({ duplicate: true, count: 1 })).text, /^Already known: 1 report \u2014/);
  assert.match(describeAnswer(200, ok({ duplicate: true })).text, /^Already known: reported before \u2014/);
  assert.match(describeAnswer(200, ok({ duplicate: true, count: "12" })).text, /^Already known: reported before/);
  assert.deepEqual(describeAnswer(429, JSON.stringify({ error: "too many reports from this address" })),
    { ok: false, text: "Refused by the server (HTTP 429): too many reports from this address" });
  assert.deepEqual(describeAnswer(502, "Bad Gateway\n"), { ok: false, text: "Refused by the server (HTTP 502): Bad Gateway" });
  assert.deepEqual(describeAnswer(500, ""), { ok: false, text: "Refused by the server (HTTP 500)" });
  for (const body of ["<html>hello</html>", "{}", ok({ title: 3 }), ok({ duplicate: "no" }), ok({ id: null }), "null"]) {
    const r = describeAnswer(200, body);
    assert.equal(r.ok, false, body);
    assert.match(r.text, /^The server answered, but not as the intake API does/, body);
  }
  const long = describeAnswer(400, "x".repeat(5000));
  assert.ok(long.text.length <= 301 && long.text.endsWith("\u2026"));
});

/* A fetch that records its calls and answers from a list. */
function fakeFetch(answers) {
  const calls = [];
  const fn = async (url, init) => {
    calls.push({ url, init });
    const a = answers[calls.length - 1];
    if (a instanceof Error) throw a;
    return new Response(a.body, { status: a.status });
  };
  return { fn, calls };
}

test("sendAll: one POST per part, in order, each with its own text only", async () => {
  const items = [1, 2, 3].map((i) => ({ label: `Part ${i} of 3`, text: `https://example.org/panic_report/#?a=x86_64&v=6.1&p=${i}/3&r=0a0b0c0d&z=${i}111` }));
  const answer = (id) => ({ status: 200, body: JSON.stringify({ id, signature: "s", title: "BUG: x", duplicate: id > 1 }) });
  const { fn, calls } = fakeFetch([answer(1), answer(2), answer(3)]);
  const out = await sendAll(fn, "https://crash.example.org/api/reports", items);
  assert.equal(calls.length, 3);
  calls.forEach((c, i) => {
    assert.equal(c.url, "https://crash.example.org/api/reports");
    const { signal, ...init } = c.init;
    assert.ok(signal instanceof AbortSignal);
    assert.deepEqual(init, buildRequest(c.url, items[i].text).init);
  });
  assert.deepEqual(out.map((r) => [r.label, r.ok]), [["Part 1 of 3", true], ["Part 2 of 3", true], ["Part 3 of 3", true]]);
  assert.match(out[1].text, /^Already known/);
});

test("sendAll: after a failure the rest are not sent, and say so", async () => {
  const items = [1, 2, 3].map((i) => ({ label: `Part ${i}`, text: `t${i}` }));
  const good = { status: 200, body: JSON.stringify({ id: 1, signature: "s", title: "BUG: x", duplicate: false }) };
  const refused = fakeFetch([good, { status: 413, body: '{"error":"body too large"}' }]);
  const out = await sendAll(refused.fn, "https://c.example/api/reports", items);
  assert.equal(refused.calls.length, 2);
  assert.deepEqual(out.map((r) => r.ok), [true, false, false]);
  assert.equal(out[1].text, "Refused by the server (HTTP 413): body too large");
  assert.equal(out[2].text, "Not sent: an earlier request failed.");
  const down = fakeFetch([new TypeError("Failed to fetch")]);
  const out2 = await sendAll(down.fn, "https://c.example/api/reports", items);
  assert.equal(down.calls.length, 1);
  assert.equal(out2[0].text, "Not sent, or no answer (Failed to fetch).");
  assert.equal(out2.length, 3);
});

/* ---- web/configure.mjs ---- */
function pageCopy() {
  const dir = mkdtempSync(join(tmpdir(), "panicqr-configure-"));
  for (const f of ["index.html", "config.js"]) copyFileSync(join(web, f), join(dir, f));
  return dir;
}
const configure = (...args) => spawnSync(process.execPath, [join(web, "configure.mjs"), ...args], { encoding: "utf8" });
const files = (dir) => ({ config: readFileSync(join(dir, "config.js"), "utf8"), html: readFileSync(join(dir, "index.html"), "utf8") });

test("configure.mjs writes intakeUrl and connect-src together; the page then agrees", () => {
  const dir = pageCopy();
  try {
    const shipped = files(dir);
    const r = configure("--dir", dir, "--intake", "https://crash.example.org/panic", "--distribution", 'Debian "sid"');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /https:\/\/crash\.example\.org\/panic\/api\/reports/);
    assert.match(r.stdout, /Content-Security-Policy header/);
    const now = files(dir);
    const cfg = readConfig(now.config);
    assert.equal(cfg.intakeUrl, "https://crash.example.org/panic");
    assert.equal(cfg.distribution, 'Debian "sid"');
    assert.equal(cfg.trackerName, readConfig(shipped.config).trackerName, "fields not named keep their value");
    const [before] = metaPolicies(shipped.html), [after] = metaPolicies(now.html);
    assert.equal(after, before.replace("connect-src 'none'", "connect-src https://crash.example.org"));
    // The rest of index.html is untouched.
    assert.equal(now.html.replace(after, before), shipped.html);
    assert.deepEqual(intakeState(cfg, [after]), { enabled: true, origin: "https://crash.example.org", endpoint: "https://crash.example.org/panic/api/reports", name: 'Debian "sid"' });
    assert.equal(configure("--dir", dir, "--check").status, 0);
    // Back to no intake: connect-src 'none' again, and the shipped files byte for byte.
    const back = configure("--dir", dir, "--intake", "", "--distribution", "");
    assert.equal(back.status, 0, back.stderr);
    assert.deepEqual(files(dir), shipped);
    assert.match(configure("--dir", dir, "--check").stdout, /no intake, connect-src 'none'/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("configure.mjs refuses a bad intakeUrl and writes nothing; --check finds a hand edit", () => {
  const dir = pageCopy();
  try {
    const shipped = files(dir);
    let n = 0;
    for (const bad of ["http://crash.example.org", "https://crash.example.org/?k=1", "not a url"]) {
      const r = configure("--dir", dir, "--intake", bad, "--distribution", "Debian");
      assert.equal(r.status, 1, bad);
      assert.match(r.stderr, /^configure\.mjs: intakeUrl /, bad);
      assert.deepEqual(files(dir), shipped, bad);
      n++;
    }
    assert.equal(n, 3);
    assert.equal(configure("--dir", dir, "--bogus", "x").status, 2);
    assert.equal(configure("--dir", dir, "--intake").status, 2);
    assert.deepEqual(files(dir), shipped);
    // A deployer who sets intakeUrl by hand and forgets the policy.
    writeFileSync(join(dir, "config.js"), shipped.config.replace('intakeUrl: ""', 'intakeUrl: "https://crash.example.org"'));
    const c1 = configure("--dir", dir, "--check");
    assert.equal(c1.status, 1);
    assert.match(c1.stderr, /connect-src 'none'", but intakeUrl needs exactly "connect-src https:\/\/crash\.example\.org"/);
    // ... or opens the policy with no intake set.
    writeFileSync(join(dir, "config.js"), shipped.config);
    writeFileSync(join(dir, "index.html"), shipped.html.replace("connect-src 'none'", "connect-src https://crash.example.org"));
    const c2 = configure("--dir", dir, "--check");
    assert.equal(c2.status, 1);
    assert.match(c2.stderr, /connect-src should be 'none'/);
    // configure.mjs mends it.
    assert.equal(configure("--dir", dir, "--intake", "").status, 0);
    assert.deepEqual(files(dir), shipped);
    // A config.js without the intakeUrl line (an older one) is refused, untouched.
    writeFileSync(join(dir, "config.js"), shipped.config.replace(/^\s*intakeUrl:.*\n/m, ""));
    const old = files(dir);
    const r = configure("--dir", dir, "--intake", "https://crash.example.org");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /exactly one line `intakeUrl: "…",` \(found 0\)/);
    assert.deepEqual(files(dir), old);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
