/*
 * The one place a distribution configures this page. Edit and deploy, or
 * let `node web/configure.mjs` write it (it keeps index.html's policy in step).
 *   distribution: shown when the report carries no d= parameter, and on the
 *                 "Send this report to …" button.
 *   trackerUrl:   where "Report this crash" sends people (a bug tracker page;
 *                 the link only opens it). Empty: no link.
 *   trackerName:  the link's text.
 *   intakeUrl:    a `panicqr intake` server (https:// origin, optional path).
 *                 Empty: the page sends nothing and shows no button. Set: a
 *                 "Send this report" button, shown only if index.html's
 *                 Content-Security-Policy has exactly `connect-src <its
 *                 origin>` (configure.mjs writes both).
 */
window.PANICQR_CONFIG = {
  distribution: "",
  trackerUrl: "",
  trackerName: "your distribution's bug tracker",
  intakeUrl: "",
};
