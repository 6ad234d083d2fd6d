// The history viewer in a real browser: Debian's Chromium driven by Playwright.
// Run by folio's test suite (folio/tests/api/viewer.rs), which starts folio, makes the
// users and documents, and passes them in the environment:
//   FOLIO_URL, EDITOR, VIEWER, PASSWORD, DOC_ID, DOC_TITLE, OTHER_DOC_ID, FROM, TO,
//   INSERTED (a word inserted between FROM and TO), CHROMIUM, SCREENSHOT (optional).
// Prints one JSON line of facts on success; exits non-zero with the failure otherwise.

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(process.env.PLAYWRIGHT_FROM || import.meta.url);
const { chromium } = require("playwright-core");

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env("FOLIO_URL");
const check = (ok, what) => {
  if (!ok) throw new Error(what);
};

const browser = await chromium.launch({
  executablePath: env("CHROMIUM"),
  args: ["--no-sandbox", "--disable-gpu"],
});
const facts = {};
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
try {
  const problems = [];
  // (The browser logs the other tenant's 404 as a failed resource: that one is expected.)
  page.on("console", (m) => m.type() === "error" && !/status of 404/.test(m.text()) && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("response", (r) => r.status() >= 400 && console.error(`(${r.status()} ${r.request().method()} ${r.url()})`));

  const signIn = async (user) => {
    await page.goto(`${url}/ui/`);
    await page.fill("#username", user);
    await page.fill("#password", env("PASSWORD"));
    await page.click("#sign-in");
    await page.waitForSelector("#documents");
  };

  // An editor signs in, finds the document by searching, opens it.
  await signIn(env("EDITOR"));
  await page.fill("#search", env("DOC_TITLE").slice(0, 6));
  await page.waitForSelector(`#documents a:has-text("${env("DOC_TITLE")}")`);
  await page.click(`#documents a:has-text("${env("DOC_TITLE")}")`);
  await page.waitForSelector("#timeline tbody tr");
  facts.timeline = await page.locator("#timeline tbody tr").count();

  // Comments beside the version: the commented text marked, the notes at the end; the
  // editor answers the thread and resolves it.
  await page.waitForSelector("#comments .thread");
  facts.commented = await page.textContent("#version-view mark.commented");
  check(facts.commented === "tenant", `commented text: ${facts.commented}`);
  check((await page.textContent("#notes")).includes("Payable in euros."), "the footnote is not shown");
  await page.fill("#reply-c1", "Named in clause 1.");
  await page.click("#reply-c1-send");
  await page.waitForSelector('#thread-c1 .reply:has-text("Named in clause 1.")');
  await page.click("#resolve-c1");
  await page.waitForSelector("#thread-c1.resolved");
  facts.resolved = true;

  // The open suggestions, marked in the version: the editor accepts one, rejects another.
  await page.waitForSelector("#suggestion-s1");
  check((await page.locator("#version-view mark.suggested").count()) >= 1, "suggestions are not marked");
  await page.click("#accept-s1");
  await page.waitForSelector("#suggestion-s1", { state: "detached" });
  await page.waitForSelector('#version-view p:has-text("The tenant always pays")');
  await page.click("#reject-s2");
  await page.waitForSelector("#suggestion-s2", { state: "detached" });
  facts.suggestions_decided = 2;

  // Every user string is text: markup in a paragraph shows as itself and runs nothing.
  await page.waitForSelector("#version-view p");
  const shown = await page.textContent("#version-view");
  check(shown.includes('<img src=x onerror="window.pwned=1">'), `markup not shown as text: ${shown}`);
  check((await page.locator("#version-view img, #version-view script").count()) === 0, "markup became elements");
  check((await page.evaluate(() => window.pwned)) === undefined, "a document's text ran as script");

  // Two versions chosen: the inserted word is highlighted.
  await page.click(`input[aria-label="compare from ${env("FROM")}"]`);
  await page.click(`input[aria-label="compare to ${env("TO")}"]`);
  const inserted = page.locator(`#diff-view ins:has-text("${env("INSERTED")}")`).first();
  await inserted.waitFor();
  facts.highlight = await inserted.evaluate((e) => getComputedStyle(e).backgroundColor);
  check(facts.highlight !== "rgba(0, 0, 0, 0)", "the inserted word is not highlighted");
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: false });

  // The redline downloads as a Word file.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-redline")]);
  const path = await download.path();
  const bytes = readFileSync(path);
  check(bytes.subarray(0, 2).toString() === "PK", "the redline is not a .docx");
  facts.redline = { name: download.suggestedFilename(), bytes: bytes.length };

  // Who wrote what.
  await page.click("#show-blame");
  await page.waitForSelector("#blame-view .range");

  // Revert, after a confirmation.
  await page.click(`#timeline tr[data-version="${env("FROM")}"] button.link`);
  await page.click("#revert");
  await page.waitForSelector("#confirm-revert");
  await page.click("#confirm-revert-yes");
  await page.waitForSelector("#notice");
  facts.reverted = await page.textContent("#notice");
  check(/Reverted to version/.test(facts.reverted), `revert: ${facts.reverted}`);

  // A viewer sees everything but cannot revert.
  await page.click("#sign-out");
  await signIn(env("VIEWER"));
  await page.goto(`${url}/ui/#/documents/${env("DOC_ID")}`);
  await page.waitForSelector("#timeline tbody tr");
  facts.viewer_revert_buttons = await page.locator("#revert").count();
  check(facts.viewer_revert_buttons === 0, "a viewer is offered revert");
  // The viewer reads the (reverted, open again) thread but cannot answer or resolve it,
  // and sees the open suggestion without accepting or rejecting it.
  await page.waitForSelector("#comments .thread");
  facts.viewer_comment_actions = await page.locator("#comments button, #comments textarea").count();
  check(facts.viewer_comment_actions === 0, "a viewer is offered to answer or resolve");
  await page.waitForSelector("#suggestion-s3");
  facts.viewer_suggestion_actions = await page.locator("#suggestions button").count();
  check(facts.viewer_suggestion_actions === 0, "a viewer is offered to accept or reject");

  // Another tenant's document is not found.
  await page.goto(`${url}/ui/#/documents/${env("OTHER_DOC_ID")}`);
  await page.waitForSelector("#doc-error");
  facts.other_tenant = await page.textContent("#doc-error");
  check(/not found/i.test(facts.other_tenant), `another tenant's document: ${facts.other_tenant}`);

  check(problems.length === 0, `console errors: ${problems.join(" | ")}`);
  console.log(JSON.stringify(facts));
} catch (e) {
  // What the page showed when it failed, for the test's report.
  const shot = process.env.FAILURE_SCREENSHOT;
  if (shot) await page.screenshot({ path: shot }).catch(() => {});
  console.error(await page.locator("body").innerText().catch(() => ""));
  throw e;
} finally {
  await browser.close();
}
