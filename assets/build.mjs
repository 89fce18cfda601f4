// Compiles GOV.UK Frontend and the project's styles into static/govuk/, which is committed so that
// installing the application needs no Node. Run with `make assets`. Every asset the stylesheet
// refers to (url(...) under $govuk-assets-path) is copied beside it from the package, so that
// `collectstatic` with the hashed manifest finds each one.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const frontend = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "static", "govuk");
mkdirSync(out, { recursive: true });

const result = sass.compile(join(root, "assets", "scss", "application.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "application.css"), result.css + "\n");
copyFileSync(join(frontend, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));

const assetsUrl = "/static/govuk/assets/";
const referenced = new Set();
for (const [, address] of result.css.matchAll(/url\(["']?([^"')]+)["']?\)/g)) {
  if (!address.startsWith(assetsUrl)) {
    throw new Error(`The stylesheet refers to ${address}, outside ${assetsUrl}`);
  }
  referenced.add(address.slice(assetsUrl.length));
}
rmSync(join(out, "assets"), { recursive: true, force: true });
for (const asset of referenced) {
  const target = join(out, "assets", asset);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(frontend, "assets", asset), target);
}
console.log(
  `Built static/govuk/application.css, copied govuk-frontend.min.js and ${referenced.size} ` +
    `asset(s) it refers to: ${[...referenced].join(", ")}`,
);
