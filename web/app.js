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

  function show(result) {
    current = result;
    const status = $("status");
    status.className = "status " + result.status;
    if (result.status === "complete") {
      status.textContent = "Complete: the whole log in the QR code was recovered.";
    } else if (result.status === "partial") {
      status.textContent = "Partial: only the beginning of the log could be recovered — " + result.problems.join("; ") +
        ". Scan the code again, closer and steadier, to get the rest.";
    } else {
      status.textContent = "Unreadable: " + (result.problems.join("; ") || "no report data") + ".";
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
    const lines = result.log.split("\n");
    const crash = new Set(window.PanicQR.crashLines(result.log));
    let firstCrash = true;
    lines.forEach((line, i) => {
      if (crash.has(i)) {
        const mark = document.createElement("mark");
        mark.textContent = line;
        if (firstCrash) {
          mark.id = "crash-line";
          firstCrash = false;
        }
        pre.appendChild(mark);
      } else {
        pre.appendChild(document.createTextNode(line));
      }
      if (i < lines.length - 1) pre.appendChild(document.createTextNode("\n"));
    });
    $("jump").hidden = crash.size === 0;
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
