/**
 * The dashboard's static files. Each is a real file beside this module, read by a text import, so
 * `deno fmt` and `deno lint` see them, and they are part of the module graph: a `deno compile`d
 * binary carries them, and no build step or CDN is needed.
 *
 * The scripts are browser code, type-checked as such. Each starts with `// @ts-check` and
 * `/// <reference lib="dom" />` (for editors), and `deno task check` checks them with
 * `browser.jsonc`, whose libraries are the DOM's and the language's only. That is a run of its
 * own: a lib reference reaches every file of its run, and the server code must not get DOM types.
 * `api.d.ts` says what the scripts read from the API.
 *
 * @module
 */
import ANSI_JS from "./ansi.js" with { type: "text" };
import APP_JS from "./app.js" with { type: "text" };
import CHART_JS from "./chart.js" with { type: "text" };
import BULK_JS from "./bulk.js" with { type: "text" };
import CORE_JS from "./core.js" with { type: "text" };
import DLQ_JS from "./dlq.js" with { type: "text" };
import ENQUEUE_JS from "./enqueue.js" with { type: "text" };
import FORMAT_JS from "./format.js" with { type: "text" };
import ICON_SVG from "./icon.svg" with { type: "text" };
import JOB_JS from "./job.js" with { type: "text" };
import JOB_OUTPUT_JS from "./job_output.js" with { type: "text" };
import JOB_TABLE_JS from "./job_table.js" with { type: "text" };
import JOB_LIST_NOTE_JS from "./job_list_note.js" with { type: "text" };
import JOB_FILTERS_JS from "./job_filters.js" with { type: "text" };
import JOBS_JS from "./jobs.js" with { type: "text" };
import LABELS_JS from "./labels.js" with { type: "text" };
import OVERVIEW_JS from "./overview.js" with { type: "text" };
import OVERVIEW_WORKERS_JS from "./overview_workers.js" with { type: "text" };
import QUEUES_JS from "./queues.js" with { type: "text" };
import SCHEDULES_JS from "./schedules.js" with { type: "text" };
import WORKERS_JS from "./workers.js" with { type: "text" };
import STYLE_BULK from "./style_bulk.css" with { type: "text" };
import STYLE_CONTROLS from "./style_controls.css" with { type: "text" };
import STYLE_DATA from "./style_data.css" with { type: "text" };
import STYLE_PAGE from "./style_page.css" with { type: "text" };
import STYLE_THEME from "./style_theme.css" with { type: "text" };
import TERM_JS from "./term.js" with { type: "text" };

const JS = "text/javascript; charset=utf-8";

// One stylesheet on the wire (one request, at the URL the pages name); four files on disk so
// each stays near 300 lines once formatted. Their order is the cascade's.
const STYLE_CSS = [STYLE_PAGE, STYLE_DATA, STYLE_CONTROLS, STYLE_BULK, STYLE_THEME].join("\n");

/** Every file under `/assets/`, by name, with its Content-Type. */
export const ASSETS: Readonly<Record<string, { type: string; body: string }>> = Object.freeze({
  "app.js": { type: JS, body: APP_JS },
  "core.js": { type: JS, body: CORE_JS },
  "overview.js": { type: JS, body: OVERVIEW_JS },
  "overview_workers.js": { type: JS, body: OVERVIEW_WORKERS_JS },
  "jobs.js": { type: JS, body: JOBS_JS },
  "job.js": { type: JS, body: JOB_JS },
  "job_output.js": { type: JS, body: JOB_OUTPUT_JS },
  "labels.js": { type: JS, body: LABELS_JS },
  "dlq.js": { type: JS, body: DLQ_JS },
  "enqueue.js": { type: JS, body: ENQUEUE_JS },
  "queues.js": { type: JS, body: QUEUES_JS },
  "schedules.js": { type: JS, body: SCHEDULES_JS },
  "ansi.js": { type: JS, body: ANSI_JS },
  "term.js": { type: JS, body: TERM_JS },
  "format.js": { type: JS, body: FORMAT_JS },
  "chart.js": { type: JS, body: CHART_JS },
  "bulk.js": { type: JS, body: BULK_JS },
  "job_table.js": { type: JS, body: JOB_TABLE_JS },
  "job_list_note.js": { type: JS, body: JOB_LIST_NOTE_JS },
  "job_filters.js": { type: JS, body: JOB_FILTERS_JS },
  "workers.js": { type: JS, body: WORKERS_JS },
  "style.css": { type: "text/css; charset=utf-8", body: STYLE_CSS },
  "icon.svg": { type: "image/svg+xml", body: ICON_SVG },
});

export { INDEX_HTML, loginHtml } from "./html.ts";
