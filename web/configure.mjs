#!/usr/bin/env node
// Configures the decoder page for a distribution: writes config.js and the
// connect-src of index.html's Content-Security-Policy together, so that the
// policy allows exactly the intake's origin (or nothing, with no intake).
// The page shows its "Send this report" button only when the two agree.
//
//   node web/configure.mjs --intake https://crash.example.org --distribution Debian
//   node web/configure.mjs --intake ""            # no intake: connect-src 'none'
//   node web/configure.mjs --check                # exit 1 if the two disagree
//
// Options: --intake URL, --distribution NAME, --tracker-url URL,
// --tracker-name TEXT (each sets one config.js field; fields not named keep
// their value), --dir DIR (the page's directory; default: this script's).
// Nothing is written unless both files can be.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const here = dirname(fileURLToPath(import.meta.url));
// The page's own checks, so that this tool and the page cannot disagree.
const { intakeTarget, intakeState } = createRequire(import.meta.url)("./app.js");

const FIELDS = { "--intake": "intakeUrl", "--distribution": "distribution", "--tracker-url": "trackerUrl", "--tracker-name": "trackerName" };
const META = /(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")/gi;

class UsageError extends Error {}

function parseArgs(argv) {
  const out = { dir: here, set: {}, check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--check") { out.check = true; continue; }
    if (a === "--help" || a === "-h") throw new UsageError("");
    if (!(a in FIELDS) && a !== "--dir") throw new UsageError(`unknown option ${a}`);
    if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
    const v = argv[++i];
    if (a === "--dir") out.dir = v;
    else out.set[FIELDS[a]] = v;
  }
  if (out.check && Object.keys(out.set).length > 0) throw new UsageError("--check changes nothing: give it no field");
  return out;
}

/* config.js's values, by running it against a stand-in window. */
function readConfig(text) {
  const sandbox = { window: {} };
  vm.runInNewContext(text, sandbox, { timeout: 1000 });
  if (!sandbox.window.PANICQR_CONFIG) throw new Error("config.js does not set window.PANICQR_CONFIG");
  return sandbox.window.PANICQR_CONFIG;
}

/* config.js with `key: "…",` lines replaced; each key must have one line. */
function writeConfig(text, set) {
  let out = text;
  for (const [key, value] of Object.entries(set)) {
    const line = new RegExp(`^([ \\t]*${key}:[ \\t]*)"(?:[^"\\\\\\n]|\\\\.)*"([ \\t]*,?[ \\t]*)$`, "gm");
    const found = out.match(line) || [];
    if (found.length !== 1) throw new Error(`config.js must have exactly one line \`${key}: "…",\` (found ${found.length}); add it as in the shipped config.js`);
    out = out.replace(line, (_, head, tail) => head + JSON.stringify(value) + tail);
  }
  return out;
}

function policies(html) {
  return [...html.matchAll(META)].map((m) => m[2]);
}

/* index.html with connect-src set to `source`, the rest of the policy kept. */
function writePolicy(html, source) {
  const found = policies(html);
  if (found.length !== 1) throw new Error(`index.html must have exactly one Content-Security-Policy <meta> (found ${found.length})`);
  let hits = 0;
  const policy = found[0].split(";").map((d) => {
    if (d.trim().split(/\s+/)[0].toLowerCase() !== "connect-src") return d;
    hits++;
    return d.replace(/connect-src.*$/i, `connect-src ${source}`);
  }).join(";");
  if (hits !== 1) throw new Error(`the policy in index.html must have exactly one connect-src directive (found ${hits})`);
  return html.replace(META, (_, head, __, tail) => head + policy + tail);
}

/* Both files together: each written to a temporary name, then renamed. */
function commit(files) {
  for (const [path, text] of files) writeFileSync(path + ".tmp", text);
  for (const [path] of files) renameSync(path + ".tmp", path);
}

function main(argv) {
  const args = parseArgs(argv);
  const configPath = join(args.dir, "config.js");
  const htmlPath = join(args.dir, "index.html");
  const configText = readFileSync(configPath, "utf8");
  const html = readFileSync(htmlPath, "utf8");
  if (args.check) {
    const cfg = readConfig(configText);
    const state = intakeState(cfg, policies(html));
    if (state.note) throw new Error(state.note);
    const connect = policies(html).join(" ");
    if (!state.enabled && !/connect-src\s+'none'\s*(;|$)/i.test(connect)) {
      throw new Error("intakeUrl is empty, so connect-src should be 'none' (the page sends nothing): run node web/configure.mjs --intake \"\"");
    }
    console.log(state.enabled ? `consistent: the page may send to ${state.endpoint} (connect-src ${state.origin})` : "consistent: no intake, connect-src 'none'");
    return;
  }
  const newConfigText = writeConfig(configText, args.set);
  const cfg = readConfig(newConfigText);
  let source = "'none'";
  if (cfg.intakeUrl) {
    const target = intakeTarget(cfg.intakeUrl);
    if (target.error) throw new Error(target.error);
    source = target.origin;
  }
  const newHtml = writePolicy(html, source);
  // What the page will decide, from what is about to be written.
  const state = intakeState(cfg, policies(newHtml));
  if (state.note || Boolean(cfg.intakeUrl) !== state.enabled) throw new Error(`internal: the page would not agree: ${state.note}`);
  commit([[configPath, newConfigText], [htmlPath, newHtml]]);
  if (state.enabled) {
    console.log(`The page sends reports to ${state.endpoint} ("Send this report to ${state.name}"); index.html allows connect-src ${state.origin} only.`);
    console.log(`If your web server sends its own Content-Security-Policy header, its connect-src must allow ${state.origin} too.`);
  } else console.log("No intake: the page sends nothing; index.html has connect-src 'none'.");
}

try {
  main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    if (e.message) console.error(`configure.mjs: ${e.message}`);
    console.error("usage: node web/configure.mjs [--dir DIR] [--intake URL] [--distribution NAME] [--tracker-url URL] [--tracker-name TEXT] | --check");
    process.exit(e.message ? 2 : 0);
  }
  console.error(`configure.mjs: ${e.message}`);
  process.exit(1);
}
