/**
 * The dashboard end to end: a real `queuectl web` on 127.0.0.1, real workers, and Debian's
 * Chromium driven through playwright-core. It enqueues through the form and watches the job
 * complete without a reload, retries a DLQ job by clicking, cancels a running job, checks that
 * markup in a command and its output renders as text, and takes screenshots: into a temp folder,
 * or into the folder `QUEUECTL_SCREENSHOTS` names (`QUEUECTL_SCREENSHOTS=docs/screenshots` renews
 * the committed ones), so a test run never dirties the checkout.
 *
 * @module
 */
import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { type Page } from "playwright-core";
import { tempDb, waitForJob, workersFor } from "./helpers.ts";
import { startWeb } from "./web_server.ts";
import { launch, SHOTS } from "./browser.ts";

/** The text of the job page's state badge, once it reads `state`. */
async function waitForBadge(page: Page, state: string): Promise<void> {
  await page.locator(".panel-head .badge", { hasText: new RegExp(`^${state}$`) }).waitFor();
}

type Flagged = { __stay?: boolean };

/** Marks the loaded page; a reload would drop the mark. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => ((globalThis as unknown as Flagged).__stay = true));
}

/** Fails unless the page still carries its mark: what changed on it came without a reload. */
async function assertNoReload(page: Page, what: string): Promise<void> {
  const stayed = await page.evaluate(() => (globalThis as unknown as Flagged).__stay === true);
  strictEqual(stayed, true, `the page reloaded during: ${what}`);
}

Deno.test({
  name: "the dashboard enqueues, shows jobs live, retries from the DLQ, cancels, and escapes",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    await using web = await startWeb(db);
    await using _workers = workersFor(db, 2, { args: ["--processes", "2"] });
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(20_000);
      const dialogs: string[] = [];
      const errors: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on("pageerror", (e) => errors.push(e.message));
      const api = (path: string, body: unknown) =>
        fetch(web.url + path, {
          method: "POST",
          headers: { Origin: web.url, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        }).then(async (r) => {
          strictEqual(r.status < 300, true, `${path}: ${r.status} ${await r.text()}`);
        });

      await page.goto(web.url + "/");
      await page.locator('.card[data-state="pending"]').waitFor();
      await markPage(page);

      // Enqueue through the form and watch the job complete.
      await page.click('nav a[data-section="enqueue"]');
      await page.fill('textarea[name="command"]', "echo hello from the browser; sleep 0.3");
      await page.fill('input[name="id"]', "from-form");
      await page.click('#enqueue-form button[type="submit"]');
      await page.waitForURL(/#\/job\/from-form$/);
      await waitForBadge(page, "completed");
      await page.locator("#output", { hasText: "hello from the browser" }).waitFor();
      await assertNoReload(page, "enqueue through the form until completed");

      // A bad field is answered in the form, with the server's one line.
      await page.click('nav a[data-section="enqueue"]');
      await page.fill('textarea[name="command"]', "true");
      await page.fill('input[name="priority"]', "5000");
      await page.click('#enqueue-form button[type="submit"]');
      await page.locator("#form-error", { hasText: "priority must be an integer" }).waitFor();

      // Markup in a command and in its output is shown as text, and none of it runs.
      const payload = `echo '<script>alert("xss")</script><img src=x onerror="window.__xss=1">'`;
      await page.fill('textarea[name="command"]', payload);
      await page.fill('input[name="priority"]', "");
      await page.fill('input[name="id"]', "xss");
      await page.click('#enqueue-form button[type="submit"]');
      await waitForBadge(page, "completed");
      strictEqual(await page.locator(".cmd-full").textContent(), payload);
      await page.locator("#output", { hasText: '<script>alert("xss")</script>' }).waitFor();
      strictEqual(await page.locator("#view img, #view script").count(), 0);
      await page.goto(web.url + "/#/jobs");
      await page.locator('tr[data-job="xss"] td.cmd', { hasText: "<script>" }).waitFor();
      strictEqual(await page.evaluate(() => "__xss" in globalThis), false, "a payload ran");

      // A job that fails once lands in the DLQ; a click on Retry runs it again, and it passes.
      const flag = join(db.dir, "second-time");
      await api("/api/jobs", {
        id: "flaky",
        command: `test -f '${flag}' || { touch '${flag}'; echo 'first run fails' >&2; exit 3; }`,
        max_retries: 0,
      });
      await api("/api/jobs", { id: "typo", command: "no_such_command_xyz", max_retries: 0 });
      await waitForJob(db, "flaky", (j) => j.state === "dead");
      await waitForJob(db, "typo", (j) => j.state === "dead");
      await page.goto(web.url + "/");
      await markPage(page);
      await page.click('nav a[data-section="dlq"]');
      await page.locator('tr[data-job="flaky"]').waitFor();
      await page.locator('tr[data-job="typo"]').waitFor();
      await page.screenshot({ path: join(SHOTS, "dlq.png") });
      await page.click('button[data-retry="flaky"]');
      await page.locator('tr[data-job="flaky"]').waitFor({ state: "detached" });
      const retried = await waitForJob(db, "flaky", (j) => j.state === "completed");
      assertEquals(retried.history.map((a) => a.outcome), [
        "failed",
        "succeeded",
      ]);
      await assertNoReload(page, "retry from the DLQ");

      // Cancel a running job from its page.
      await api("/api/jobs", { id: "long", command: "echo started; sleep 30" });
      await page.goto(web.url + "/#/job/long");
      await markPage(page);
      await waitForBadge(page, "processing");
      await page.locator("#output", { hasText: "started" }).waitFor();
      await page.click("#cancel");
      await waitForBadge(page, "canceled");
      await page.locator("td", { hasText: /^canceled$/ }).first().waitFor();
      await assertNoReload(page, "cancel a running job");

      // The jobs table: a state card filters it, and the search box finds by command text.
      await page.goto(web.url + "/");
      await page.click('.card[data-state="completed"]');
      await page.waitForURL(/#\/jobs\?state=completed$/);
      await page.locator('tr[data-job="xss"]').waitFor();
      await page.fill('input[name="q"]', "FROM THE BROWSER");
      await page.press('input[name="q"]', "Enter");
      await page.locator(".note", { hasText: "Searched all completed job(s): 1 match" }).waitFor();
      assertEquals(
        await page.locator("tr[data-job]").evaluateAll((rows) =>
          rows.map((r) => r.getAttribute("data-job"))
        ),
        ["from-form"],
      );

      // The screenshots: a job page, and the overview with the workers.
      await page.goto(web.url + "/#/job/from-form");
      await waitForBadge(page, "completed");
      await page.locator("#output", { hasText: "hello from the browser" }).waitFor();
      await page.locator(".toast").first().waitFor({ state: "detached" });
      await page.screenshot({ path: join(SHOTS, "job.png") });
      await page.goto(web.url + "/");
      await page.locator('.card[data-state="completed"] .card-n', { hasText: /^3$/ }).waitFor();
      await page.locator("tr[data-worker]").nth(1).waitFor();
      await page.screenshot({ path: join(SHOTS, "overview.png") });

      assertEquals(dialogs, [], "no dialog opened (no injected script ran)");
      assertEquals(errors, [], "no script error on the page");
    } finally {
      await browser.close();
    }
    strictEqual(await web.stop(), 0);
    ok(!/request_failed/.test(web.output()), web.output());
  },
});

Deno.test({
  name: "with a token the dashboard asks to log in, and the HttpOnly cookie lets it work",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const token = "browser-test-token-0123456789";
    await using db = await tempDb();
    await using web = await startWeb(db, ["--token", token]);
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(20_000);
      await page.goto(web.url + "/");
      await page.waitForURL(/\/login$/);
      await page.fill('input[name="token"]', "not-the-token");
      await page.click('button[type="submit"]');
      await page.locator(".form-error", { hasText: "wrong token" }).waitFor();
      await page.fill('input[name="token"]', token);
      await page.click('button[type="submit"]');
      await page.locator('.card[data-state="pending"]').waitFor();
      strictEqual(await page.evaluate("document.cookie"), "", "the session cookie is HttpOnly");
      await page.goto(web.url + "/#/enqueue");
      await page.fill('textarea[name="command"]', "true");
      await page.click('#enqueue-form button[type="submit"]');
      await page.waitForURL(/#\/job\/[0-9A-Z]{26}$/);
      await page.locator(".panel-head .badge", { hasText: /^pending$/ }).waitFor();
      await page.click("#logout button");
      await page.waitForURL(/\/login$/);
      await page.goto(web.url + "/");
      await page.waitForURL(/\/login$/);
    } finally {
      await browser.close();
    }
  },
});
