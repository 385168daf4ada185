/*
 * The page: reads the report from the address, shows it. Everything from
 * the QR code is inserted as text (textContent), never as HTML.
 */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const config = window.PANICQR_CONFIG || {};
  let current = null;

  function setText(id, value) {
    $(id).textContent = value;
  }

  /* Appends text to a <pre> line by line, crash lines as <mark> (the first
   * one gets the id the "Go to the crash" link points at); returns how many. */
  function appendLines(parent, text, firstCrash) {
    if (!text) return 0;
    const lines = text.split("\n");
    const crash = new Set(window.PanicQR.crashLines(text));
    lines.forEach((line, i) => {
      if (crash.has(i)) {
        const mark = document.createElement("mark");
        mark.textContent = line;
        if (!firstCrash.done) {
          mark.id = "crash-line";
          firstCrash.done = true;
        }
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(line));
      }
      if (i < lines.length - 1) parent.appendChild(document.createTextNode("\n"));
    });
    return crash.size;
  }

  function show(result) {
    current = result;
    const status = $("status");
    status.className = "status " + result.status + (result.condition ? " " + result.condition : "");
    const why = result.problems.join("; ");
    const untrusted = result.logBytes - result.trustedBytes;
    const STATUS = {
      complete: "Complete: the whole log in the QR code was recovered.",
      truncated: `Partial \u2014 truncated: the report was cut short (${why}); only the beginning of the log was recovered. Scan the code again, closer and steadier, to get the rest.`,
      "ends-early": untrusted > 0
        ? `Partial \u2014 ends early: the report was cut short, or a digit in it is wrong; the two cannot be told apart here (${why}). If it was cut, the log below is right as far as it goes; if it was damaged, its end is wrong. Nothing below is verified.`
        : `Partial \u2014 ends early: the report was cut short, or its last digits are wrong (${why}). The log below is right as far as it goes.`,
      damaged: untrusted > 0
        ? `Partial \u2014 damaged: the data does not check out (${why}). The log is shown, but it holds at least one error at a place that cannot be known: ${result.trustedBytes === 0 ? "none of it" : "only the first " + result.trustedBytes + " bytes"} can be trusted.`
        : `Partial \u2014 damaged: the data is wrong from one point on (${why}); the log below stops before the damage and can be trusted.`,
      "output-limit": `Partial \u2014 too large: ${why}. This is not a kernel report.`,
    };
    if (result.status === "unreadable") {
      status.textContent = "Unreadable: " + (why || "no report data") + ".";
    } else {
      status.textContent = STATUS[result.condition];
    }
    const has = result.status !== "unreadable";
    $("meta").hidden = !has && !result.arch && !result.release;
    setText("arch", result.arch || "unknown");
    setText("release", result.release || "unknown");
    setText("distribution", result.distribution || config.distribution || "not given");
    setText("size", result.logBytes + " bytes" + (result.invalidUtf8 ? " (invalid UTF-8 shown as \uFFFD)" : ""));
    $("actions").hidden = !has;
    $("log-section").hidden = !has;
    $("report").hidden = !has;
    const pre = $("log");
    pre.textContent = "";
    const firstCrash = { done: false };
    const crashes = appendLines(pre, result.trustedLog, firstCrash);
    let untrustedCrashes = 0;
    if (result.untrustedLog) {
      // Where trust ends, said in the log itself; what follows is set apart.
      const note = document.createElement("span");
      note.className = "trust-end";
      note.textContent = "\u2500\u2500 not verified from here on: the data is " +
        (result.condition === "damaged" ? "damaged" : "cut short or damaged") + " \u2500\u2500";
      pre.appendChild(note);
      const rest = document.createElement("span");
      rest.className = "untrusted";
      rest.id = "untrusted";
      untrustedCrashes = appendLines(rest, result.untrustedLog, firstCrash);
      pre.appendChild(rest);
    }
    $("jump").hidden = crashes + untrustedCrashes === 0;
    $("report-text").value = window.PanicQR.bugReport(result);
    const tracker = $("tracker");
    if (config.trackerUrl && /^https:\/\//.test(config.trackerUrl)) {
      tracker.href = config.trackerUrl;
      tracker.textContent = "Open " + (config.trackerName || "the bug tracker");
      tracker.hidden = false;
      setText("tracker-hint", " on " + (config.trackerName || "the bug tracker"));
    }
  }

  function copy(textValue, button) {
    const done = () => {
      const old = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = old; }, 1500);
    };
    const fallback = () => {
      const ta = document.createElement("textarea");
      ta.value = textValue;
      document.body.appendChild(ta);
      ta.select();
      try { document.execCommand("copy"); done(); } finally { ta.remove(); }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(textValue).then(done, fallback);
    } else fallback();
  }

  function download() {
    if (!current) return;
    const name = "kernel-crash-" + (current.release || "report").replace(/[^A-Za-z0-9._+-]/g, "_") + ".txt";
    const blob = new Blob([current.log], { type: "text/plain;charset=utf-8" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function fromLocation() {
    const params = window.PanicQR.paramsFromLocation(window.location);
    if (params.z === undefined && params.zl === undefined) {
      $("status").className = "status empty";
      $("status").textContent = "No report in this address. Scan a panic QR code, or paste one below.";
      $("paste").hidden = false;
      return;
    }
    show(window.PanicQR.decodeReport(params));
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("copy").addEventListener("click", (e) => current && copy(current.log, e.currentTarget));
    $("copy-report").addEventListener("click", (e) => copy($("report-text").value, e.currentTarget));
    $("download").addEventListener("click", download);
    $("paste-input").addEventListener("input", (e) => {
      const params = window.PanicQR.parseParams(e.target.value);
      if (params.z !== undefined || params.zl !== undefined) show(window.PanicQR.decodeReport(params));
    });
    window.addEventListener("hashchange", fromLocation);
    fromLocation();
  });
})();
