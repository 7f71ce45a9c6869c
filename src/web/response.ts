/**
 * Building responses: JSON bodies, one-line errors, and the security headers every response
 * carries (no CORS headers, ever).
 *
 * @module
 */

/**
 * The Content-Security-Policy of every response: scripts, styles and requests only from this
 * server, no inline script or style, no framing, no plugins, forms post only here.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Adds the security headers to a response (in place) and returns it.
 *
 * @example
 * ```ts
 * const res = secure(new Response("ok"));
 * ```
 */
export function secure(res: Response): Response {
  const h = res.headers;
  h.set("Content-Security-Policy", CSP);
  h.set("X-Content-Type-Options", "nosniff");
  h.set("X-Frame-Options", "DENY");
  // Not "no-referrer": under it Chrome sends `Origin: null` on our own form posts, which the
  // Origin check must refuse. "same-origin" leaks nothing to other sites either.
  h.set("Referrer-Policy", "same-origin");
  h.set("Cross-Origin-Opener-Policy", "same-origin");
  h.set("Cross-Origin-Resource-Policy", "same-origin");
  if (!h.has("Cache-Control")) h.set("Cache-Control", "no-store");
  return res;
}

/**
 * A JSON response.
 *
 * @example
 * ```ts
 * json({ ok: true }, 201);
 * ```
 */
export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  const res = new Response(JSON.stringify(body), { status, headers });
  res.headers.set("Content-Type", "application/json; charset=utf-8");
  return res;
}

/**
 * A JSON error response: `{"error": "<one line>"}`.
 *
 * @example
 * ```ts
 * jsonError(404, 'job "a1" not found');
 * ```
 */
export function jsonError(status: number, message: string, headers: HeadersInit = {}): Response {
  return json({ error: message.split("\n")[0]!.trim() }, status, headers);
}
