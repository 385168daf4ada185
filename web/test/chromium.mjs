// Debian's headless Chromium for the end-to-end tests (playwright-core),
// one launch for all of them: no GPU, no sandbox (CI runs as root), and
// none of the background traffic (updates, sync, QUIC) a test must not see.
import { chromium } from "playwright-core";

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--no-first-run", "--disable-sync", "--disable-quic"],
  });
}
