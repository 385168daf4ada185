/*
 * The one place a distribution configures this page. Edit and deploy.
 *   distribution: shown when the report carries no d= parameter.
 *   trackerUrl:   where "Report this crash" sends people (a bug tracker page;
 *                 the page never sends anything itself). Empty: no link.
 *   trackerName:  the link's text.
 */
window.PANICQR_CONFIG = {
  distribution: "",
  trackerUrl: "",
  trackerName: "your distribution's bug tracker",
};
