/**
 * What every browser test shares: Debian's Chromium through playwright-core (never a downloaded
 * browser), and the folder screenshots go to (`QUEUECTL_SCREENSHOTS=docs/screenshots` renews the
 * README's; a temp folder otherwise).
 *
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";

/** The Chromium binary: Debian's, unless `QUEUECTL_CHROMIUM` names another. */
export const CHROMIUM = Deno.env.get("QUEUECTL_CHROMIUM") ?? "/usr/bin/chromium";

/** Where the browser tests save their screenshots. */
export const SHOTS = Deno.env.get("QUEUECTL_SCREENSHOTS") ??
  await Deno.makeTempDir({ prefix: "queuectl-shots-" });

/**
 * Starts Chromium headless, or fails with what to install.
 *
 * @example
 * ```ts
 * const browser = await launch();
 * const page = await browser.newPage();
 * await browser.close();
 * ```
 */
export async function launch(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install chromium; ` +
        `.ci/run does) or set QUEUECTL_CHROMIUM`,
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM,
    // Root (as in CI) cannot use Chromium's sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

/**
 * A new page of `browser` at `viewport`, with `timeoutMs` as its default wait, and the list of
 * errors the page's scripts throw (a test asserts it stays empty).
 *
 * @example
 * ```ts
 * const browser = await launch();
 * const { page, errors } = await openPage(browser, { width: 390, height: 844 });
 * await page.goto("http://127.0.0.1:8080/");
 * console.assert(errors.length === 0);
 * ```
 */
export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
  timeoutMs = 20_000,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(timeoutMs);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { page, errors };
}
