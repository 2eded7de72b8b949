// Build Casework's front end into casework/static/build (ignored by git): compile the Sass with
// Dart Sass and copy GOV.UK Frontend and MoJ Frontend's JavaScript, fonts and images.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "casework", "static", "build");
mkdirSync(out, { recursive: true });

const result = sass.compile(join(root, "casework", "assets", "scss", "application.scss"), {
  loadPaths: [root],
  style: "compressed",
  quietDeps: true,
  // GOV.UK Frontend warns about its own deprecated mixins used inside MoJ Frontend; those are
  // theirs to fix. Our own warnings still print.
  logger: {
    warn(message, options) {
      if (!(options.stack || "").includes("node_modules/")) console.warn(message);
    },
  },
});
writeFileSync(join(out, "application.css"), result.css);

const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const moj = join(root, "node_modules", "@ministryofjustice", "frontend", "moj");
cpSync(join(govuk, "assets"), join(out, "assets"), { recursive: true });
cpSync(join(moj, "assets"), join(out, "assets"), { recursive: true });
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(moj, "moj-frontend.min.js"), join(out, "moj-frontend.min.js"));
console.log(`built ${out}`);
