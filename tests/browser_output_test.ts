/**
 * The job page's output, end to end: a real `queuectl web`, a real worker running `sh -c` jobs,
 * and Debian's Chromium through playwright-core (launched as `browser_test.ts` does). A followed
 * job's output scrolls itself to the end until the user scrolls up, and the jump button brings it
 * back; ANSI colours become spans with classes, `\r` rewrites the line, and markup in output,
 * command and labels stays text (a queue name cannot carry any: the API refuses it). Screenshots
 * go where `browser_test.ts` puts its own.
 *
 * @module
 */
import { ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { type Page } from "playwright-core";
import { enqueueId, tempDb, waitForJob, workersFor } from "./helpers.ts";
import { startWeb } from "./web_server.ts";
import { launch, openPage, SHOTS } from "./browser.ts";

/** Whether the output box is scrolled to its end (strings run in the page: no DOM types here). */
function atEnd(page: Page): Promise<boolean> {
  return page.evaluate(
    `(() => { const o = document.getElementById("output");
      return o.scrollHeight > o.clientHeight && o.scrollTop + o.clientHeight >= o.scrollHeight - 4; })()`,
  ) as Promise<boolean>;
}

function scrollTop(page: Page): Promise<number> {
  return page.evaluate('document.getElementById("output").scrollTop') as Promise<number>;
}

/** Waits until the output shows `text`. */
async function outputHas(page: Page, text: string): Promise<void> {
  await page.locator("#output", { hasText: text }).waitFor();
}

Deno.test({
  name:
    "a followed job's output scrolls to its end as lines arrive, stays put once the user scrolls up, and the jump button (keyboard) resumes",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    // 40 lines at once overflow the box; then one line every 30 ms for about 4 s.
    const id = await enqueueId(db, [
      "--id",
      "follow",
      "--command",
      "seq -f 'line %g' 1 40; i=41; while [ $i -le 170 ]; do echo line $i; i=$((i+1)); sleep 0.03; done",
    ]);
    await using web = await startWeb(db);
    const browser = await launch();
    try {
      const { page, errors } = await openPage(browser, { width: 1280, height: 900 }, 30_000);
      await page.goto(web.url + "/#/job/" + id);
      await page.locator("#output-state", { hasText: "not run yet" }).waitFor();
      // The worker starts once the page watches, so the page sees the job run.
      await using _workers = workersFor(db, 1);
      await outputHas(page, "line 40");
      await page.locator("#output-state", { hasText: "live" }).waitFor();
      ok(await atEnd(page), "following: scrolled to the end");
      strictEqual(await page.locator("#output-jump").isVisible(), false);

      // The user scrolls up: new lines arrive and the box stays where the user put it.
      await page.evaluate('document.getElementById("output").scrollTop = 0');
      await page.locator("#output-jump").waitFor({ state: "visible" });
      const seen = await page.locator("#output").innerText();
      const last = Number(/line (\d+)\s*$/.exec(seen)?.[1] ?? 40);
      await outputHas(page, `line ${Math.min(last + 15, 170)}`);
      strictEqual(await scrollTop(page), 0, "the box moved while the user read above");
      ok(!(await atEnd(page)));

      // Enter on the jump button returns to the end and follows again.
      await page.focus("#output-jump");
      await page.keyboard.press("Enter");
      ok(await atEnd(page), "the jump button scrolled to the end");
      await page.locator("#output-jump").waitFor({ state: "hidden" });
      await waitForJob(db, id, (j) => j.state === "completed");
      await outputHas(page, "line 170");
      await page.locator("#output-state", { hasText: /bytes/ }).waitFor();
      ok(await atEnd(page), "still at the end when the job finished");
      strictEqual(errors.join("\n"), "");
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "job output renders ANSI colours as classed spans and \\r as a terminal does, and markup in output, command and labels stays text",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const img = "<img src=x onerror=window.__pwned=1>";
    const script = "<script>window.__pwned=2</script>";
    const command = `printf '\\033[31mRED\\033[0m plain \\033[1;92mBOLD\\033[0m\\n` +
      `50%%\\r75%%\\r100%%\\n${img}${script}\\n'; printf '\\033[33mwarn\\033[0m ${img}\\n' >&2`;
    const id = await enqueueId(db, [
      "--id",
      "colours",
      "--label",
      `note=${img}`,
      "--label",
      `tag=${script}`,
      "--command",
      command,
    ]);
    await using web = await startWeb(db);
    await using _workers = workersFor(db, 1);
    await waitForJob(db, id, (j) => j.state === "completed");
    // A queue name cannot carry markup: the API refuses it before anything is written.
    const refused = await fetch(web.url + "/api/jobs", {
      method: "POST",
      headers: { Origin: web.url, "Content-Type": "application/json" },
      body: JSON.stringify({ command: "true", queue: img }),
    });
    strictEqual(refused.status, 400);
    ok((await refused.text()).includes("queue name must be"));
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.setDefaultTimeout(30_000);
      await page.goto(web.url + "/#/job/" + id);
      await outputHas(page, "100%");
      const text = await page.locator("#output").innerText();
      ok(text.includes("RED plain BOLD\n100%\n"), JSON.stringify(text));
      ok(!text.includes("50%") && !text.includes("\x1b") && !text.includes("[31m"), text);
      ok(text.includes(img + script), "markup in output shows as text");
      strictEqual(await page.locator("#output span.a-fg1", { hasText: "RED" }).count(), 1);
      strictEqual(await page.locator("#output span.a-fg10.a-b", { hasText: "BOLD" }).count(), 1);
      strictEqual(await page.locator(".cmd-full").textContent(), command);
      await page.locator(".labels", { hasText: img }).first().waitFor();
      await page.locator(".labels", { hasText: script }).first().waitFor();
      strictEqual(await page.locator("#view img, #view script").count(), 0);

      // stdout and stderr merged in one terminal: stderr's colours kept, its stretch tinted.
      await page.selectOption('select[name="stream"]', "merged");
      await page.locator("#output .term-err.a-fg3", { hasText: "warn" }).waitFor();
      strictEqual(await page.locator("#output .term-title, #output-note").count(), 0);
      await page.screenshot({ path: join(SHOTS, "job-output.png") });

      // The raw bytes download, escapes and all.
      await page.selectOption('select[name="stream"]', "stdout");
      const href = await page.locator('a[data-download="stdout"]').getAttribute("href");
      const raw = await page.evaluate(
        `fetch(${JSON.stringify(href)}).then((r) => r.text())`,
      ) as string;
      ok(raw.startsWith("\x1b[31mRED\x1b[0m plain"), JSON.stringify(raw.slice(0, 30)));
      ok(raw.includes("50%\r75%\r100%\n"));

      await page.goto(web.url + "/#/jobs");
      await page.locator(`tr[data-job="${id}"]`).waitFor();
      strictEqual(await page.locator("#view img, #view script").count(), 0);
      strictEqual(await page.evaluate("typeof window.__pwned"), "undefined", "a payload ran");
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "the merged view shows stdout and stderr in the order the job wrote them, stderr tinted, followed until it ends",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    // A sleep between every write: each is read on its own, so the order is the job's.
    const id = await enqueueId(db, [
      "--id",
      "merged",
      "--command",
      "printf 'o1\\n'; sleep 0.3; printf 'e1\\n' >&2; sleep 0.3; printf 'o2\\n'; sleep 0.3; " +
      "printf 'e2\\n' >&2; sleep 0.3; printf 'o3\\n'",
    ]);
    await using web = await startWeb(db);
    const browser = await launch();
    try {
      const { page, errors } = await openPage(browser, { width: 1280, height: 900 }, 30_000);
      await page.goto(web.url + "/#/job/" + id);
      await page.locator("#output-state", { hasText: "not run yet" }).waitFor();
      await page.selectOption('select[name="stream"]', "merged");
      await using _workers = workersFor(db, 1);
      await outputHas(page, "e1");
      await waitForJob(db, id, (j) => j.state === "completed");
      await outputHas(page, "o3");
      await page.locator("#output-state", { hasText: /bytes/ }).waitFor();
      strictEqual((await page.locator("#output").innerText()).trim(), "o1\ne1\no2\ne2\no3");
      strictEqual(
        await page.locator("#output .term-err").allInnerTexts().then((t) => t.join()),
        "e1,e2",
      );
      const href = await page.locator('a[data-download="merged"]').getAttribute("href");
      await page.selectOption('select[name="stream"]', "stderr");
      await page.locator("#output-state", { hasText: "6 bytes" }).waitFor();
      strictEqual((await page.locator("#output").innerText()).trim(), "e1\ne2");
      strictEqual(await page.locator("#output .term-err").count(), 0, "stderr alone is not tinted");
      const raw = await page.evaluate(`fetch(${JSON.stringify(href)}).then((r) => r.text())`);
      strictEqual(raw, "o1\ne1\no2\ne2\no3\n");
      await page.screenshot({ path: join(SHOTS, "job-output-merged.png") });
      strictEqual(errors.join("\n"), "");
    } finally {
      await browser.close();
    }
  },
});
