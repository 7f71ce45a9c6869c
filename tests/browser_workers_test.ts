/**
 * The dashboard's Workers page end to end: a real `queuectl web`, Debian's Chromium through
 * playwright-core, and the registry read back through `queuectl worker list` in its own process.
 * Without `--allow-worker-control` the page draws no control and the API refuses; with it, the
 * page starts real detached workers and stops them.
 *
 * @module
 */
import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { type Page } from "playwright-core";
import { cli, cliOk, type TempDb, tempDb, waitFor } from "./helpers.ts";
import { startWeb } from "./web_server.ts";
import { launch, openPage, SHOTS } from "./browser.ts";

/** The ids `worker list --json` prints. */
async function registered(db: TempDb): Promise<string[]> {
  const list: { id: string }[] = JSON.parse(await cliOk(db, ["worker", "list", "--json"]));
  return list.map((w) => w.id).sort();
}

/** The status and message of a POST the page itself sends (its Origin, its cookie). */
function postFromPage(page: Page, path: string, body: unknown): Promise<[number, string]> {
  // A string, evaluated in the page: this file is type-checked without the DOM's types.
  return page.evaluate(
    `fetch(${JSON.stringify(path)}, { method: "POST", headers: { "Content-Type": ` +
      `"application/json" }, body: ${JSON.stringify(JSON.stringify(body))} })` +
      `.then(async (r) => [r.status, (await r.json()).error])`,
  ) as Promise<[number, string]>;
}

Deno.test({
  name:
    "without --allow-worker-control the Workers page hides every control and the API answers 403; with it the page starts 2 workers that worker list sees, and Stop all stops them",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const browser = await launch();
    try {
      const { page, errors } = await openPage(browser, { width: 1280, height: 800 }, 30_000);

      {
        await using web = await startWeb(db);
        await page.goto(web.url + "/#/workers");
        await page.locator("#control-off", { hasText: "--allow-worker-control" }).waitFor();
        await page.locator("#no-workers").waitFor();
        strictEqual(await page.locator("#start-form").isVisible(), false);
        strictEqual(await page.locator("#stop-all").isVisible(), false);
        const [status, message] = await postFromPage(page, "/api/workers/start", { count: 2 });
        strictEqual(status, 403);
        strictEqual(
          message,
          "worker control is off: start the dashboard with queuectl web --allow-worker-control",
        );
        assertEquals(await registered(db), []);
      }

      await using web = await startWeb(db, ["--allow-worker-control"]);
      await page.goto(web.url + "/#/workers");
      await page.locator("#start-form").waitFor();
      strictEqual(await page.locator("#control-off").isVisible(), false);
      await page.fill("#start-count", "2");
      await page.fill("#start-processes", "2");
      await page.click("#start-workers");
      await waitFor(async () => (await registered(db)).length === 2, {
        timeoutMs: 30_000,
        what: "worker list to show the 2 workers started from the page",
      });
      const ids = await registered(db);
      for (const id of ids) await page.locator(`tr[data-worker="${id}"]`).waitFor();
      await page.evaluate('document.getElementById("toasts").replaceChildren()');
      await page.screenshot({ path: join(SHOTS, "workers.png") });

      // Stop all is a two-step button.
      await page.click("#stop-all");
      await page.click("#stop-all");
      await waitFor(async () => (await registered(db)).length === 0, {
        timeoutMs: 30_000,
        what: "every worker to stop",
      });
      await page.locator("#no-workers").waitFor();
      assertEquals(errors, []);
    } finally {
      await browser.close();
      await cli(db, ["worker", "stop"]);
    }
  },
});
