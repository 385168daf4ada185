// The decoder page on URLs read from real Linux panic screens: for every
// screenshot ci/linux-qemu.sh read, the page (from file://, in Debian's
// headless Chromium driven by playwright-core) shows exactly the log
// `panicqr scan` decoded, as UTF-8 with invalid bytes as U+FFFD (the page's
// documented rendering, which Node's TextDecoder shares with Chromium), says
// the report is complete, and names the kernel release and architecture.
//
//   LINUX_SCREENS=DIR/screens.json node --test web/test/linux.test.mjs
// (ci/linux-qemu.sh runs it after ci/linux/check.mjs wrote screens.json.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchChromium } from "./chromium.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const pageBase = pathToFileURL(join(here, "..", "index.html")).href;
if (!process.env.LINUX_SCREENS) throw new Error("LINUX_SCREENS is not set: run this through ci/linux-qemu.sh");
const { base, screens, expected } = JSON.parse(readFileSync(process.env.LINUX_SCREENS, "utf8"));

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test("every screenshot with a code is checked", () => {
  assert.equal(screens.length, expected);
  assert.ok(screens.length > 0);
});

for (const s of screens) {
  test(`${s.name}: the page shows the kernel's log`, async () => {
    assert.ok(s.url.startsWith(base));
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    const foreign = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => { if (!r.url().startsWith("file://")) foreign.push(r.url()); });
    // The page is where the kernel's base URL points; the report follows "#".
    await page.goto(pageBase + s.url.slice(base.length - 1));
    await page.waitForFunction(() => {
      const t = document.getElementById("status").textContent;
      return t !== "" && !t.startsWith("Reading");
    });
    const log = Buffer.from(s.log, "base64");
    assert.equal(await page.textContent("#log"), new TextDecoder().decode(log));
    assert.match(await page.getAttribute("#status", "class"), /complete/);
    assert.equal(await page.textContent("#release"), s.release);
    assert.equal(await page.textContent("#arch"), s.arch);
    assert.deepEqual(errors, []);
    assert.deepEqual(foreign, []);
    await context.close();
  });
}
