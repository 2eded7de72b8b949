// Progressive enhancement only: every page works without this file.
import { initAll as initGovuk } from "/static/build/govuk-frontend.min.js";
import { initAll as initMoj } from "/static/build/moj-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initGovuk();
initMoj();
