/**
 * The two HTML documents: the dashboard shell (everything in it is static; the data arrives
 * through the API and is written as text) and the login form, which needs no script.
 *
 * @module
 */

/** The dashboard shell. Its one script is a module from this server (the CSP allows no other). */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>queuectl</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/style.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<header class="top">
  <a class="brand" href="#/"><img src="/assets/icon.svg" alt="" width="22" height="22">queuectl</a>
  <nav>
    <a href="#/" data-section="overview">Overview</a>
    <a href="#/jobs" data-section="jobs">Jobs</a>
    <a href="#/dlq" data-section="dlq">Dead letters <span id="dlq-count" class="count hidden"></span></a>
    <a href="#/enqueue" data-section="enqueue">Enqueue</a>
  </nav>
  <span id="live" class="live" title="">connecting</span>
  <form id="logout" class="logout hidden" method="post" action="/logout"><button class="btn small ghost" type="submit">Log out</button></form>
</header>
<main id="view"></main>
<div id="toasts" class="toasts" aria-live="polite"></div>
</body>
</html>
`;

/**
 * The login page; `message` (already fixed text, never request data) explains a refusal.
 *
 * @example
 * ```ts
 * loginHtml("wrong token");
 * ```
 */
export function loginHtml(message: "" | "wrong token"): string {
  const note = message ? `<p class="form-error" role="alert">${message}</p>` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · queuectl</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body class="login">
<form class="panel narrow form" method="post" action="/login">
  <h1><img src="/assets/icon.svg" alt="" width="22" height="22"> queuectl</h1>
  <label class="field"><span class="label">Access token</span>
  <input type="password" name="token" autocomplete="current-password" required autofocus></label>
  <div class="form-foot"><button class="btn primary" type="submit">Log in</button>${note}</div>
</form>
</body>
</html>
`;
}

/** The icon: a stack of three bars, the queue. */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
<rect width="24" height="24" rx="5" fill="#2f5bea"/>
<rect x="5" y="6" width="14" height="3" rx="1.5" fill="#fff"/>
<rect x="5" y="10.5" width="10" height="3" rx="1.5" fill="#fff" opacity=".8"/>
<rect x="5" y="15" width="6" height="3" rx="1.5" fill="#fff" opacity=".6"/>
</svg>
`;
