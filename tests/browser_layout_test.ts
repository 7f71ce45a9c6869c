/**
 * The dashboard's layout and theme, end to end in Debian's Chromium (launched as
 * `browser_test.ts` does): at 390 px no page is wider than the window (measured in the page), the
 * navigation is whole, the charts draw; dark mode follows `prefers-color-scheme`; counts carry
 * thousands separators; the keyboard's focus is visible; an hour with nothing finished claims no
 * peak. Screenshots (overview light, dark and at 390 px) go where `browser_test.ts` puts its own.
 *
 * @module
 */
import { ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { type Page } from "playwright-core";
import { cliOk, enqueueId, tempDb, waitForJob, workersFor } from "./helpers.ts";
import { startWeb } from "./web_server.ts";
import { launch, openPage, SHOTS } from "./browser.ts";

/** Fails if the page is wider than its window (strings run in the page: no DOM types here). */
async function assertNoSideScroll(page: Page, what: string): Promise<void> {
  const [scroll, client] = await page.evaluate(
    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]",
  ) as [number, number];
  ok(scroll <= client, `${what} is ${scroll} px wide in a ${client} px window`);
}

/** The body's background as [r, g, b]. */
async function background(page: Page): Promise<number[]> {
  const css = await page.evaluate("getComputedStyle(document.body).backgroundColor") as string;
  return (css.match(/\d+/g) ?? []).slice(0, 3).map(Number);
}

Deno.test({
  name:
    "at 390 px (and 360 and 2560) no page overflows sideways, the navigation is whole and the charts draw; dark mode follows the system; counts have separators; focus is visible; an empty hour claims no peak",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    // 1,234 jobs wait in a paused queue: a count with a separator on every card that shows it.
    const lines = join(db.dir, "lines.txt");
    await Deno.writeTextFile(lines, "true\n".repeat(1234));
    await cliOk(db, ["enqueue", "--file", lines, "--lines", "--queue", "bulk"]);
    await cliOk(db, ["queue", "pause", "bulk"]);
    const long = "x".repeat(300);
    await enqueueId(db, [
      "--queue",
      "wide",
      "--label",
      `note=${long.slice(0, 128)}`,
      "--command",
      `echo ${long}`,
    ]);
    await cliOk(db, ["queue", "pause", "wide"]);
    await cliOk(db, ["schedule", "add", "nightly", "--cron", "30 2 * * *", "-c", "make backup"]);
    const dead = await enqueueId(db, ["--max-retries", "0", "--command", "echo nope >&2; exit 3"]);
    await using web = await startWeb(db);
    const browser = await launch();
    try {
      const { page, errors } = await openPage(browser, { width: 1280, height: 900 }, 30_000);

      // Nothing has finished yet: the chart says so, with no "peak 1/min".
      await page.goto(web.url + "/");
      await page.locator("#chart-finished svg").waitFor();
      const empty = await page.locator("#chart-finished").textContent() ?? "";
      ok(empty.includes("nothing finished") && !empty.includes("peak"), empty);
      await page.locator('.queue-card[data-queue="bulk"] b', { hasText: "1,234" }).waitFor();

      // A few jobs run, so the charts have bars and a wait line.
      await using _workers = workersFor(db, 1);
      for (let i = 0; i < 5; i++) await enqueueId(db, ["--command", "true"]);
      await waitForJob(db, dead, (j) => j.state === "dead");
      await page.locator("#chart-finished rect.b-completed").first().waitFor();
      await page.locator("#chart-finished", { hasText: "peak" }).waitFor();
      await page.locator("#chart-wait circle.dot").first().waitFor({ state: "attached" });
      await page.locator("#chart-depth circle.dot").first().waitFor({ state: "attached" });
      await page.locator('.card[data-state="pending"] .card-n', { hasText: "1,235" }).waitFor();
      await page.evaluate('document.getElementById("toasts").replaceChildren()');
      await page.screenshot({ path: join(SHOTS, "overview-light.png") });

      // The log scale toggles from the keyboard, and the focus ring shows.
      await page.focus("#chart-log");
      await page.keyboard.press("Enter");
      await page.locator('#chart-log[aria-pressed="true"]').waitFor();
      await page.locator("#chart-finished svg[aria-label*='log scale']").waitFor();
      const outline = await page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle",
      ) as string;
      strictEqual(outline, "solid", "the focused control has a visible outline");

      // Dark mode follows prefers-color-scheme.
      const light = await background(page);
      ok(light.reduce((a, b) => a + b, 0) > 600, `light background ${light}`);
      await page.emulateMedia({ colorScheme: "dark" });
      const dark = await background(page);
      ok(dark.reduce((a, b) => a + b, 0) < 150, `dark background ${dark}`);
      await page.screenshot({ path: join(SHOTS, "overview-dark.png") });
      await page.emulateMedia({ colorScheme: "light" });

      // 390 px: every page fits, the nav is whole, and the chart draws at the box's width.
      await page.setViewportSize({ width: 390, height: 844 });
      const pages: [string, string][] = [
        ["/#/", "#chart-finished rect.b-completed"],
        ["/#/jobs", "tr[data-job]"],
        ["/#/job/" + dead, ".badge"],
        ["/#/queues", 'tr[data-queue="wide"]'],
        ["/#/schedules", "tr"],
        ["/#/dlq", `tr[data-job="${dead}"]`],
        ["/#/enqueue", "textarea"],
      ];
      for (const [path, shows] of pages) {
        await page.goto(web.url + path);
        await page.locator(shows).first().waitFor();
        await assertNoSideScroll(page, path);
        const navRight = await page.evaluate(
          `Math.max(...[...document.querySelectorAll("nav a")].map((a) => a.getBoundingClientRect().right))`,
        ) as number;
        ok(navRight <= 390, `${path}: a nav link ends at ${navRight} px, past the window`);
      }
      await page.goto(web.url + "/");
      await page.locator("#chart-finished rect.b-completed").first().waitFor();
      await page.locator("#chart-wait circle.dot").first().waitFor({ state: "attached" });
      const chartWidth = await page.evaluate(
        'document.querySelector("#chart-finished svg").getBoundingClientRect().width',
      ) as number;
      ok(chartWidth > 200 && chartWidth <= 390, `the chart is ${chartWidth} px wide`);
      await assertNoSideScroll(page, "overview after the charts drew");
      await page.evaluate('document.getElementById("toasts").replaceChildren()');
      await page.screenshot({ path: join(SHOTS, "overview-390.png"), fullPage: true });
      // The narrowest phone and a wide screen.
      for (const width of [360, 2560]) {
        await page.setViewportSize({ width, height: 900 });
        for (const path of ["/#/", "/#/jobs", "/#/job/" + dead]) {
          await page.goto(web.url + path);
          await page.locator("#view .panel").first().waitFor();
          await assertNoSideScroll(page, `${path} at ${width} px`);
        }
      }
      strictEqual(errors.join("\n"), "");
    } finally {
      await browser.close();
    }
  },
});
