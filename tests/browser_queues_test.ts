/**
 * The dashboard's queues and schedules pages, end to end: a real `queuectl web`, jobs and a
 * schedule made through the CLI, and Debian's Chromium through playwright-core. What the page
 * changes (a pause, a limit) is read back through the CLI, in its own process. No worker runs
 * until the last step (a schedule's tick), so every count stays as enqueued. Screenshots go where `browser_test.ts` puts its own.
 *
 * @module
 */
import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { type Page } from "playwright-core";
import { cliOk, enqueueId, type TempDb, tempDb, waitFor, workersFor } from "./helpers.ts";
import { startWeb } from "./web_server.ts";
import { launch, openPage, SHOTS } from "./browser.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** One queue as `queue list --json` prints it. */
async function cliQueue(db: TempDb, name: string): Promise<Json> {
  const all: Json[] = JSON.parse(await cliOk(db, ["queue", "list", "--json"]));
  return all.find((q) => q.name === name);
}

/** One schedule as `schedule show NAME --json` prints it. */
async function cliSchedule(db: TempDb, name: string): Promise<Json> {
  return JSON.parse(await cliOk(db, ["schedule", "show", name, "--json"]));
}

/** The ids of the jobs table's rows, top to bottom. */
function rowIds(page: Page): Promise<(string | null)[]> {
  return page.locator("tr[data-job]").evaluateAll((rows) =>
    rows.map((r) => r.getAttribute("data-job"))
  );
}

/** A cell of a queue's row on the queues page. */
function cell(page: Page, queue: string, count: string) {
  return page.locator(`tr[data-queue="${queue}"] td[data-count="${count}"]`);
}

/** Takes a screenshot without the toasts that earlier clicks left in the corner. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate('document.getElementById("toasts").replaceChildren()');
  await page.screenshot({ path: join(SHOTS, name) });
}

/** Fails if the page is wider than its viewport (a table must scroll inside its box). */
async function assertNoSideScroll(page: Page, what: string): Promise<void> {
  // A string, evaluated in the page: this file is type-checked without the DOM's types.
  const [scroll, inner] = await page.evaluate(
    "[document.documentElement.scrollWidth, innerWidth]",
  ) as [number, number];
  ok(scroll <= inner, `${what} is ${scroll} px wide in a ${inner} px window`);
}

Deno.test({
  name:
    "the queues page lists counts and limits, pauses, resumes and sets limits (a bad rate shows its error); the schedules page pauses, resumes and links the last run to its job; the jobs list filters by queue",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const mail1 = await enqueueId(db, ["--queue", "mail", "--command", "true"]);
    const mail2 = await enqueueId(db, ["--queue", "mail", "--command", "echo <b>x</b>"]);
    const plain = await enqueueId(db, ["--command", "true"]);
    await cliOk(db, ["queue", "set", "build", "--concurrency", "2", "--rate", "10/1m"]);
    await cliOk(db, [
      "schedule",
      "add",
      "nightly",
      "--cron",
      "30 2 * * *",
      "--tz",
      "Europe/Berlin",
      "--queue",
      "mail",
      "--command",
      "make backup",
    ]);
    // Its queue is paused, so the job its first tick enqueues stays where the page can link to it.
    await cliOk(db, ["schedule", "add", "tick", "--every", "1s", "--queue", "ticks", "-c", "true"]);
    await cliOk(db, ["queue", "pause", "ticks"]);
    await using web = await startWeb(db);
    const browser = await launch();
    try {
      const { page, errors } = await openPage(browser, { width: 1280, height: 800 }, 20_000);

      // The queues page: every queue, its counts, running against its limit, and its rate.
      await page.goto(web.url + "/#/queues");
      await page.locator('tr[data-queue="mail"]').waitFor();
      assertEquals(
        await page.locator("tr[data-queue]").evaluateAll((rows) =>
          rows.map((r) => r.getAttribute("data-queue"))
        ),
        ["default", "build", "mail", "ticks"],
      );
      strictEqual(await cell(page, "mail", "pending").innerText(), "2");
      strictEqual(await cell(page, "default", "pending").innerText(), "1");
      strictEqual(await cell(page, "mail", "running").innerText(), "0 / -");
      strictEqual(await cell(page, "build", "running").innerText(), "0 / 2");
      strictEqual(await page.locator('tr[data-queue="build"] td[data-rate]').innerText(), "10/1m");
      await page.locator('tr[data-queue="mail"] .badge', { hasText: /^active$/ }).waitFor();

      // Pause by click; resume from the keyboard. The CLI sees each.
      await page.click('tr[data-queue="mail"] button[data-action="pause"]');
      await page.locator('tr[data-queue="mail"] .badge', { hasText: /^paused$/ }).waitFor();
      strictEqual((await cliQueue(db, "mail")).paused, true);
      await shoot(page, "queues.png");
      await page.focus('tr[data-queue="mail"] button[data-action="resume"]');
      await page.keyboard.press("Enter");
      await page.locator('tr[data-queue="mail"] .badge', { hasText: /^active$/ }).waitFor();
      strictEqual((await cliQueue(db, "mail")).paused, false);

      // A row's "Limits…" picks its queue in the form, filled with its settings.
      await page.click('tr[data-queue="build"] button[data-action="edit"]');
      strictEqual(await page.inputValue("#set-concurrency"), "2");
      strictEqual(await page.inputValue("#set-rate"), "10/1m");
      await page.click('tr[data-queue="mail"] button[data-action="edit"]');
      strictEqual(await page.inputValue("#set-queue"), "mail");
      strictEqual(await page.inputValue("#set-concurrency"), "");
      await page.fill("#set-concurrency", "3");
      await page.fill("#set-rate", "5/1m");
      await page.click("#set-save");
      await cell(page, "mail", "running").filter({ hasText: /^0 \/ 3$/ }).waitFor();
      await page.locator('tr[data-queue="mail"] td[data-rate]', { hasText: "5/1m" }).waitFor();
      const limited = await cliQueue(db, "mail");
      assertEquals([limited.concurrency, limited.rate], [3, "5/1m"]);

      // A bad rate: the API's one line shows under the form, and nothing changes.
      await page.fill("#set-rate", "fast");
      await page.click("#set-save");
      await page.locator("#set-error", {
        hasText: 'rate takes N/DURATION such as 10/1m, got "fast"',
      })
        .waitFor();
      await page.fill("#set-concurrency", "0");
      await page.fill("#set-rate", "");
      await page.click("#set-save");
      await page.locator("#set-error", { hasText: "concurrency must be an integer from 1" })
        .waitFor();
      const unchanged = await cliQueue(db, "mail");
      assertEquals([unchanged.concurrency, unchanged.rate], [3, "5/1m"]);

      // A queue's name opens the jobs list filtered to it, with a Queue column; markup is text.
      await page.click('tr[data-queue="mail"] a');
      await page.waitForURL(/#\/jobs\?queue=mail$/);
      await page.locator(`tr[data-job="${mail2}"]`).waitFor();
      assertEquals((await rowIds(page)).sort(), [mail1, mail2].sort());
      strictEqual(await page.inputValue('select[aria-label="queue"]'), "mail");
      strictEqual(await page.locator(`tr[data-job="${mail1}"] td[data-queue]`).innerText(), "mail");
      await page.locator(`tr[data-job="${mail2}"] .cmd`, { hasText: "echo <b>x</b>" }).waitFor();

      // The filter box drives the hash: back to all queues, then to the default one.
      await page.selectOption('select[aria-label="queue"]', "");
      await page.waitForURL(/#\/jobs$/);
      await page.locator(`tr[data-job="${plain}"]`).waitFor();
      await page.selectOption('select[aria-label="queue"]', "default");
      await page.waitForURL(/#\/jobs\?queue=default$/);
      await page.locator(".note", { hasText: "in queue default" }).waitFor();
      await page.locator(`tr[data-job="${plain}"]`).waitFor();
      assertEquals(await rowIds(page), [plain]);

      // The job page names the job's queue.
      await page.goto(web.url + "/#/job/" + mail1);
      await page.locator('.spec a[data-queue="mail"]', { hasText: "mail" }).waitFor();

      // The overview has a line per queue once there is more than `default`.
      await page.goto(web.url + "/#/");
      const card = page.locator('#overview-queues .queue-card[data-queue="mail"]');
      await card.waitFor();
      ok(/2 pending/.test(await card.innerText()), await card.innerText());
      ok(/0 \/ 3 running/.test(await card.innerText()), await card.innerText());

      // The schedules page: its cadence, queue and command; pause and resume by click.
      await page.goto(web.url + "/#/schedules");
      const row = page.locator('tr[data-schedule="nightly"]');
      await row.waitFor();
      const text = await row.innerText();
      for (const part of ["cron 30 2 * * * (Europe/Berlin)", "mail", "make backup", "active"]) {
        ok(text.includes(part), text);
      }
      await shoot(page, "schedules.png");
      await page.click('tr[data-schedule="nightly"] button[data-action="pause"]');
      await row.locator(".badge", { hasText: /^paused$/ }).waitFor();
      strictEqual((await cliSchedule(db, "nightly")).paused, true);
      await page.click('tr[data-schedule="nightly"] button[data-action="resume"]');
      await row.locator(".badge", { hasText: /^active$/ }).waitFor();
      const resumed = await cliSchedule(db, "nightly");
      strictEqual(resumed.paused, false);
      ok(resumed.next_run !== null);

      // A worker fires the due tick; the last run then links to the job it enqueued.
      {
        await using _workers = workersFor(db, 1);
        await waitFor(async () => (await cliSchedule(db, "tick")).last_job, {
          what: "the schedule's first tick",
        });
        // Paused, it fires no more: its last job stays the one the page links to.
        await cliOk(db, ["schedule", "pause", "tick"]);
        const fired: string = (await cliSchedule(db, "tick")).last_job;
        await page.click(`tr[data-schedule="tick"] a[data-last-job="${fired}"]`);
        await page.waitForURL(new RegExp(`#/job/${encodeURIComponent(fired)}$`));
        await page.locator('.spec a[data-queue="ticks"]').waitFor();
      }

      // A phone's width: the tables scroll inside their boxes, the page does not.
      await page.setViewportSize({ width: 390, height: 800 });
      for (const hash of ["#/queues", "#/schedules", "#/jobs", "#/"]) {
        await page.goto(web.url + "/" + hash);
        await page.locator("tr[data-queue], tr[data-schedule], tr[data-job], .queue-card").first()
          .waitFor();
        await assertNoSideScroll(page, hash);
      }
      await shoot(page, "jobs_narrow.png");

      assertEquals(errors, [], "no script error on the page");
    } finally {
      await browser.close();
    }
    strictEqual(await web.stop(), 0);
  },
});
