/**
 * The two HTML documents: the dashboard shell (everything in it is static; the data arrives
 * through the API and is written as text) and the login form, which needs no script.
 *
 * @module
 */
import INDEX from "./index.html" with { type: "text" };
import LOGIN from "./login.html" with { type: "text" };

/** The dashboard shell. Its one script is a module from this server (the CSP allows no other). */
export const INDEX_HTML: string = INDEX;

// A comment, not template syntax, so login.html stays plain HTML that `deno fmt` formats. The
// security tests post a wrong token and look for the message, so a lost slot is seen.
const REFUSAL_SLOT = "<!-- refusal -->";

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
  return LOGIN.replace(REFUSAL_SLOT, note);
}
