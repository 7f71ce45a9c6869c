/**
 * The dashboard's bulk actions and lists, end to end: a real `queuectl web`, jobs enqueued
 * through the CLI, Debian's Chromium through playwright-core, and the outcome read back through
 * the CLI in its own process. No worker runs, so every job stays where the test put it.
 * (Pausing and resuming a queue from the page is browser_queues_test.ts's.)
 *
 * @module
 */
import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { type Page } from "playwright-core";
import { cliOk, enqueueId, showJob, statusCounts, tempDb, waitFor, workersFor } from "./helpers.ts";
import { startWeb } from "./web_server.ts";
import { launch, openPage, SHOTS } from "./browser.ts";

/** The ids of the jobs table's rows, top to bottom. */
function rowIds(page: Page): Promise<(string | null)[]> {
  return page.locator("tr[data-job]").evaluateAll((rows) =>
    rows.map((r) => r.getAttribute("data-job"))
  );
}

/** Takes a screenshot without the toasts that earlier clicks left in the corner. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate('document.getElementById("toasts").replaceChildren()');
  await page.screenshot({ path: join(SHOTS, name) });
}

Deno.test({
  name:
    "1,000 scheduled jobs selected as 'all matching' on the jobs page are canceled in one bulk action, with progress and final counts, and the CLI sees all 1,000 canceled",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const file = join(db.dir, "specs.ndjson");
    const specs = Array.from(
      { length: 1000 },
      (_, i) => JSON.stringify({ command: `echo job ${i}`, delay: "1h", labels: { batch: "big" } }),
    );
    await Deno.writeTextFile(file, specs.join("\n") + "\n");
    await cliOk(db, ["enqueue", "--file", file]);
    const other = await enqueueId(db, ["--command", "echo not me"]);
    await using web = await startWeb(db);
    const browser = await launch();
    try {
      const { page, errors } = await openPage(browser, { width: 1280, height: 900 }, 30_000);

      await page.goto(web.url + "/#/jobs?state=scheduled");
      await page.locator("tr[data-job]").first().waitFor();
      strictEqual(await page.locator("tr[data-job]").count(), 50);
      await page.locator("#page-of", { hasText: "Page 1 of 20" }).waitFor();
      // Nothing selected: every action is disabled, and "all matching" is not offered yet.
      strictEqual(await page.locator("#bulk-cancel").isDisabled(), true);
      strictEqual(await page.locator("#bulk-select-all").isVisible(), false);

      // One row, then the page, then every job the filter matches.
      await page.locator("tr[data-job] input.bulk-box").first().check();
      await page.locator("#bulk-count", { hasText: "1 selected" }).waitFor();
      await page.check("#bulk-page");
      await page.locator("#bulk-count", { hasText: "50 selected" }).waitFor();
      await page.locator("#bulk-select-all", { hasText: "Select all 1,000 matching" }).click();
      await page.locator("#bulk-count", { hasText: "All 1,000 matching selected" }).waitFor();
      strictEqual(await page.locator("tr[data-job] input.bulk-box:checked").count(), 50);
      await shoot(page, "jobs_bulk.png");

      await page.click("#bulk-cancel");
      await page.locator("#bulk-status", {
        hasText: "cancel: 1,000 changed, 0 skipped, 0 not found",
      }).waitFor();
      const counts = await statusCounts(db);
      assertEquals([counts.canceled, counts.scheduled, counts.pending], [1000, 0, 1]);
      strictEqual((await showJob(db, other)).state, "pending", "a job outside the filter");
      // The list follows: no scheduled job is left, and the selection is cleared.
      await page.locator(".empty", { hasText: "No jobs here." }).waitFor();
      await page.locator("#bulk-count", { hasText: "0 selected" }).waitFor();

      // The DLQ-style retry from the canceled list: two rows picked by hand re-run.
      await page.goto(web.url + "/#/jobs?state=canceled");
      await page.locator("tr[data-job]").first().waitFor();
      const picked = (await rowIds(page)).slice(0, 2) as string[];
      for (const id of picked) await page.check(`tr[data-job="${id}"] input.bulk-box`);
      await page.click("#bulk-retry");
      await page.locator("#bulk-status", { hasText: "retry: 2 changed, 0 skipped" }).waitFor();
      for (const id of picked) strictEqual((await showJob(db, id)).state, "pending");
      assertEquals(errors, []);
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "the jobs list shows run-at and labels, the enqueue form schedules by run-at, combines state, queue and label filters, lists newest first, finds jobs by label, command and id prefix, and re-runs a canceled job from its page",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    // A picked id that sorts after every generated one, created first: newest first is by
    // creation time, so it comes last.
    const first = await enqueueId(db, ["--id", "zz-created-first", "--command", "true"]);
    const mailA = await enqueueId(db, [
      "--queue",
      "mail",
      "--label",
      "batch=1",
      "--delay",
      "2h",
      "--command",
      "a",
    ]);
    const mailB = await enqueueId(db, [
      "--queue",
      "mail",
      "--label",
      "batch=1",
      "--command",
      "echo b",
    ]);
    const mailC = await enqueueId(db, [
      "--queue",
      "mail",
      "--label",
      "batch=2",
      "--delay",
      "2h",
      "--command",
      "c",
    ]);
    const plainA = await enqueueId(db, ["--label", "batch=1", "--delay", "2h", "--command", "d"]);
    const needle = await enqueueId(db, ["--command", "echo the-needle-123"]);
    await using web = await startWeb(db);
    const browser = await launch();
    try {
      const { page, errors } = await openPage(browser, { width: 1280, height: 800 }, 20_000);

      // Newest first (the default): the job enqueued last is on top.
      await page.goto(web.url + "/#/jobs");
      await page.locator(`tr[data-job="${first}"]`).waitFor();
      assertEquals(await rowIds(page), [needle, plainA, mailC, mailB, mailA, first]);
      await page.locator("#page-of", { hasText: "Page 1 of 1" }).waitFor();
      // A scheduled job shows when it runs; its labels are chips.
      ok(/^in 2h$/.test(await page.locator(`tr[data-job="${mailA}"] td[data-run-at]`).innerText()));
      await page.locator(`tr[data-job="${mailC}"] .chip`, { hasText: "batch=2" }).waitFor();

      // Queue, label and state together: the boxes drive the hash, the API filters all three.
      await page.selectOption('select[aria-label="queue"]', "mail");
      await page.waitForURL(/#\/jobs\?queue=mail$/);
      await page.fill('input[aria-label="label"]', "batch=1");
      await page.press('input[aria-label="label"]', "Enter");
      await page.waitForURL(/#\/jobs\?queue=mail&label=batch%3D1$/);
      await page.locator(`tr[data-job="${mailB}"]`).waitFor();
      assertEquals(await rowIds(page), [mailB, mailA]);
      await page.selectOption('select[aria-label="state"]', "scheduled");
      await page.waitForURL(/#\/jobs\?state=scheduled&queue=mail&label=batch%3D1$/);
      await page.locator(".note", { hasText: "filtered within a bounded scan" }).waitFor();
      assertEquals(await rowIds(page), [mailA]);

      // Search: a k=v text is a label (through its index), other text a command or an id.
      await page.goto(web.url + "/#/jobs?q=batch%3D2");
      await page.locator(`tr[data-job="${mailC}"]`).waitFor();
      assertEquals(await rowIds(page), [mailC]);
      await page.goto(web.url + "/#/jobs?q=the-needle");
      await page.locator(`tr[data-job="${needle}"]`).waitFor();
      assertEquals(await rowIds(page), [needle]);
      await page.locator(".note", { hasText: "Searched all job(s): 1 match" }).waitFor();
      await page.goto(web.url + "/#/jobs?q=" + needle.slice(0, 20));
      await page.locator(`tr[data-job="${needle}"]`).waitFor();
      ok((await rowIds(page)).includes(needle));

      // A state's view lists by creation time, though its jobs entered it in another order;
      // "by last change" lists them as they entered it.
      for (const id of [needle, first, mailC]) await cliOk(db, ["cancel", id]);
      await page.goto(web.url + "/#/jobs?state=canceled");
      await page.locator(`tr[data-job="${first}"]`).waitFor();
      assertEquals(await rowIds(page), [needle, mailC, first]);
      await page.locator(".note", { hasText: "newest created first" }).waitFor();
      await page.selectOption('select[aria-label="sort"]', "changed");
      await page.waitForURL(/#\/jobs\?state=canceled&sort=changed$/);
      await page.locator(".note", { hasText: "latest change first" }).waitFor();
      assertEquals(await rowIds(page), [mailC, first, needle]);
      // A queue alone, every state of it, by creation time too (a walk that read them all).
      await page.goto(web.url + "/#/jobs?queue=mail");
      await page.locator(".note", { hasText: "in queue mail · newest created first" }).waitFor();
      assertEquals(await rowIds(page), [mailC, mailB, mailA]);
      strictEqual(await page.locator(".note").getAttribute("data-partial"), "false");

      // The enqueue form's run-at: the job is scheduled for then, and the list says so.
      await page.goto(web.url + "/#/enqueue");
      await page.fill('textarea[name="command"]', "echo later");
      await page.fill('input[name="run_at"]', "2099-01-02T03:04:05");
      await page.click('#enqueue-form button[type="submit"]');
      await page.waitForURL(/#\/job\//);
      const later = decodeURIComponent(page.url().split("#/job/")[1]!);
      await page.locator(".badge", { hasText: /^scheduled$/ }).first().waitFor();
      ok((await showJob(db, later)).run_at.startsWith("2099-01-0"));
      await page.goto(web.url + "/#/jobs?state=scheduled");
      await page.locator(`tr[data-job="${later}"] td[data-run-at]`, { hasText: "2099-01-0" })
        .waitFor();

      // A canceled job re-runs from its page (a fresh set of attempts, history kept).
      await cliOk(db, ["cancel", plainA]);
      await page.goto(web.url + "/#/job/" + plainA);
      await page.locator("#retry", { hasText: "Re-run" }).click();
      await page.locator(".badge", { hasText: /^scheduled$|^pending$/ }).first().waitFor();
      ok(["scheduled", "pending"].includes((await showJob(db, plainA)).state));
      assertEquals(errors, []);
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "the Dead letters page selects all dead jobs for a bulk delete, and some for a bulk retry, and the CLI sees both",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const file = join(db.dir, "dead.ndjson");
    const specs = Array.from(
      { length: 12 },
      (_, i) => JSON.stringify({ id: `dead-${i}`, command: "exit 3", max_retries: 0 }),
    );
    await Deno.writeTextFile(file, specs.join("\n") + "\n");
    await cliOk(db, ["enqueue", "--file", file]);
    {
      await using _workers = workersFor(db, 2);
      await waitFor(async () => (await statusCounts(db)).dead === 12, {
        timeoutMs: 60_000,
        what: "12 dead jobs",
      });
    }
    await using web = await startWeb(db);
    const browser = await launch();
    try {
      const { page, errors } = await openPage(browser, { width: 1280, height: 800 }, 20_000);
      await page.goto(web.url + "/#/dlq");
      await page.locator('tr[data-job="dead-0"]').waitFor();

      // Two picked by hand are retried (they fail again, with no worker they stay pending).
      await page.check('tr[data-job="dead-0"] input.bulk-box');
      await page.check('tr[data-job="dead-1"] input.bulk-box');
      await page.locator("#bulk-count", { hasText: "2 selected" }).waitFor();
      await page.click("#bulk-retry");
      await page.locator("#bulk-status", { hasText: "retry: 2 changed, 0 skipped" }).waitFor();
      for (const id of ["dead-0", "dead-1"]) strictEqual((await showJob(db, id)).state, "pending");

      // The rest: the page's box, then every dead job; delete is a two-step button.
      await page.locator('tr[data-job="dead-2"]').waitFor();
      await page.locator('tr[data-job="dead-0"]').waitFor({ state: "detached" });
      await page.check("#bulk-page");
      await page.locator("#bulk-select-all", { hasText: "Select all 10 matching" }).click();
      await page.click("#bulk-delete");
      await page.click("#bulk-delete");
      await page.locator("#bulk-status", { hasText: "delete: 10 changed, 0 skipped" }).waitFor();
      const counts = await statusCounts(db);
      assertEquals([counts.dead, counts.pending], [0, 2]);
      await page.locator(".empty", { hasText: "The DLQ is empty." }).waitFor();
      assertEquals(errors, []);
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "a queue whose jobs are older than the newest 5,000 shows a partial walk that says how far it looked, and More… goes on until it finds them",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const rare = await enqueueId(db, ["--queue", "rare", "--command", "true"]);
    const file = join(db.dir, "filler.ndjson");
    const specs = Array.from({ length: 5100 }, () => JSON.stringify({ command: "true" }));
    await Deno.writeTextFile(file, specs.join("\n") + "\n");
    await cliOk(db, ["enqueue", "--file", file]);
    await using web = await startWeb(db);
    const browser = await launch();
    try {
      const { page, errors } = await openPage(browser, { width: 1280, height: 800 }, 20_000);
      await page.goto(web.url + "/#/jobs?queue=rare");
      const walkNote = page.locator("#walk-note");
      await walkNote.waitFor();
      ok(
        /^ Searched the newest [\d,]+ jobs: 0 in this view so far\. /.test(
          await walkNote.innerText(),
        ),
      );
      strictEqual(await page.locator(".note").getAttribute("data-partial"), "true");
      strictEqual(await page.locator("tr[data-job]").count(), 0);
      // Each More… reads on from where the last walk stopped (at most 5,000 jobs or a second).
      for (let i = 0; i < 20 && await page.locator("tr[data-job]").count() === 0; i++) {
        const before = await walkNote.textContent();
        await page.click("#walk-more");
        await page.waitForFunction(
          `document.getElementById("walk-note")?.textContent !== ${JSON.stringify(before)}`,
        );
      }
      assertEquals(await rowIds(page), [rare]);
      strictEqual(await page.locator(".note").getAttribute("data-partial"), "false");
      assertEquals(errors, []);
    } finally {
      await browser.close();
    }
  },
});
