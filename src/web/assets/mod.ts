/**
 * The dashboard's static files, embedded as strings so a `deno compile`d binary carries them.
 *
 * @module
 */
import { APP_JS } from "./app_js.ts";
import { CORE_JS } from "./core_js.ts";
import { DLQ_JS } from "./dlq_js.ts";
import { ENQUEUE_JS } from "./enqueue_js.ts";
import { ICON_SVG } from "./html.ts";
import { JOB_JS } from "./job_js.ts";
import { JOBS_JS } from "./jobs_js.ts";
import { OVERVIEW_JS } from "./overview_js.ts";
import { STYLE_CSS } from "./style_css.ts";

const JS = "text/javascript; charset=utf-8";

/** Every file under `/assets/`, by name, with its Content-Type. */
export const ASSETS: Readonly<Record<string, { type: string; body: string }>> = Object.freeze({
  "app.js": { type: JS, body: APP_JS },
  "core.js": { type: JS, body: CORE_JS },
  "overview.js": { type: JS, body: OVERVIEW_JS },
  "jobs.js": { type: JS, body: JOBS_JS },
  "job.js": { type: JS, body: JOB_JS },
  "dlq.js": { type: JS, body: DLQ_JS },
  "enqueue.js": { type: JS, body: ENQUEUE_JS },
  "style.css": { type: "text/css; charset=utf-8", body: STYLE_CSS },
  "icon.svg": { type: "image/svg+xml", body: ICON_SVG },
});

export { INDEX_HTML, loginHtml } from "./html.ts";
