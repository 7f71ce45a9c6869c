/**
 * The dashboard's label filter and the job page's shell-native fields, end to end: a real
 * `queuectl web`, jobs enqueued through the CLI, and Debian's Chromium through playwright-core.
 * The jobs page lists one label through the API's label index; the job page names a job's
 * variables but never shows their values. The screenshot goes where `browser_test.ts` puts its
 * own (`QUEUECTL_SCREENSHOTS`, or a temp folder).
 *
 * @module
 */
import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { type Page } from "playwright-core";
import { enqueueId, tempDb } from "./helpers.ts";
import { startWeb } from "./web_server.ts";
import { launch, openPage, SHOTS } from "./browser.ts";

/** The ids of the jobs table's rows, top to bottom. */
function rowIds(page: Page): Promise<(string | null)[]> {
  return page.locator("tr[data-job]").evaluateAll((rows) =>
    rows.map((r) => r.getAttribute("data-job"))
  );
}

Deno.test({
  name: "the dashboard filters jobs by label and shows labels, dependencies and env names only",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    // No workers: every job stays in the state it was enqueued in, so the rows are stable.
    const first = await enqueueId(db, ["--label", "batch=7", "--label", "team=red", "-c", "true"]);
    const held = await enqueueId(db, ["--hold", "--label", "batch=7", "--command", "true"]);
    const other = await enqueueId(db, ["--label", "batch=8", "--command", "true"]);
    const plain = await enqueueId(db, ["--command", "true"]);
    const dependent = await enqueueId(db, [
      "--after",
      first,
      "--label",
      "batch=7",
      "--cwd",
      db.dir,
      "--env",
      "SECRET=hunter2",
      "--command",
      'echo "$SECRET"',
    ]);
    await using web = await startWeb(db);
    const browser = await launch();
    try {
      const { page, errors } = await openPage(browser, { width: 1280, height: 800 }, 20_000);

      // Only the label's jobs, newest enqueued first, each with its chips and state.
      await page.goto(web.url + "/#/jobs?label=batch=7");
      await page.locator(`tr[data-job="${dependent}"]`).waitFor();
      assertEquals(await rowIds(page), [dependent, held, first]);
      const firstRow = page.locator(`tr[data-job="${first}"] .chip`);
      assertEquals(await firstRow.allTextContents(), ["batch=7", "team=red"]);
      await page.locator(`tr[data-job="${held}"] .badge`, { hasText: /^held$/ }).waitFor();
      await page.locator(`tr[data-job="${dependent}"] .badge`, { hasText: /^blocked$/ }).waitFor();
      strictEqual(await page.inputValue('input[aria-label="label"]'), "batch=7");
      // The label's index is by creation time: either end of it, newest first by default.
      strictEqual(await page.locator('option[value="newest"]').isDisabled(), false);
      await page.locator(".note", { hasText: "labeled batch=7, newest enqueued first" }).waitFor();
      await page.screenshot({ path: join(SHOTS, "dash_labels.png") });

      // A chip links to its own label's list.
      await page.click(`tr[data-job="${first}"] .chip >> text=team=red`);
      await page.waitForURL(/#\/jobs\?label=team%3Dred$/);
      await page.locator(`tr[data-job="${first}"]`).waitFor();
      assertEquals(await rowIds(page), [first]);

      // The box drives the hash; with the label box emptied, a search looks at every job.
      await page.fill('input[aria-label="label"]', "batch=8");
      await page.press('input[aria-label="label"]', "Enter");
      await page.waitForURL(/#\/jobs\?label=batch%3D8$/);
      await page.locator(`tr[data-job="${other}"]`).waitFor();
      assertEquals(await rowIds(page), [other]);
      await page.fill('input[aria-label="label"]', "");
      await page.fill('input[name="q"]', "true");
      await page.press('input[name="q"]', "Enter");
      await page.waitForURL(/#\/jobs\?q=true$/);
      await page.locator(".note", { hasText: "Searched all job(s)" }).waitFor();
      strictEqual(await page.inputValue('input[aria-label="label"]'), "");
      strictEqual(await page.locator('option[value="newest"]').isDisabled(), false);
      ok((await rowIds(page)).includes(plain));

      // A label without `=` gets the API's one line, in the page, not a broken table.
      await page.fill('input[name="q"]', "");
      await page.fill('input[aria-label="label"]', "batch");
      await page.press('input[aria-label="label"]', "Enter");
      await page.locator("#list-error", { hasText: "label must be key=value" }).waitFor();
      strictEqual(await page.locator("tr[data-job]").count(), 0);
      await page.screenshot({ path: join(SHOTS, "dash_labels_error.png") });
      strictEqual(await page.locator("#live", { hasText: /^live$/ }).count(), 1);

      // The job page: labels, folder, what it waits for, and the variable's name, not its value.
      await page.goto(web.url + "/#/job/" + dependent);
      await page.locator(".spec .chip", { hasText: "batch=7" }).waitFor();
      const spec = await page.locator(".spec").innerText();
      ok(spec.includes("SECRET"), spec);
      ok(!spec.includes("hunter2"), spec);
      ok(spec.includes(db.dir), spec);
      ok(spec.includes(first), spec);
      ok(/blocked on\s+1 unfinished job/.test(spec), spec);
      strictEqual(await page.locator("body", { hasText: "hunter2" }).count(), 0);
      await page.screenshot({ path: join(SHOTS, "dash_job_labels.png") });
      await page.click(`.spec a[href="#/job/${first}"]`);
      await page.waitForURL(new RegExp(`#/job/${first}$`));

      assertEquals(errors, [], "no script error on the page");
    } finally {
      await browser.close();
    }
    strictEqual(await web.stop(), 0);
  },
});
