/**
 * The routes that serve the page: the dashboard shell, its static assets, and the login form
 * that turns the access token into an HttpOnly, SameSite=Strict cookie.
 *
 * @module
 */
import { ASSETS, INDEX_HTML, loginHtml } from "./assets/mod.ts";
import { HttpError } from "./http_status.ts";
import type { LoginLimiter } from "./login_limit.ts";
import type { Route } from "./router.ts";
import { sameSecret, sessionCookie, sessionValue } from "./security.ts";

const HTML = "text/html; charset=utf-8";

function html(body: string, status = 200, headers: HeadersInit = {}): Response {
  const res = new Response(body, { status, headers });
  res.headers.set("Content-Type", HTML);
  return res;
}

function redirect(to: string, headers: HeadersInit = {}): Response {
  const res = new Response(null, { status: 303, headers });
  res.headers.set("Location", to);
  return res;
}

/**
 * The page routes; `token` is the access token, or null when none is required, and `limiter`
 * counts each client's wrong tokens.
 */
export function pageRoutes(token: string | null, limiter: LoginLimiter): Route[] {
  return [
    { method: "GET", path: "/", handle: () => html(INDEX_HTML) },
    {
      method: "GET",
      path: "/assets/:name",
      handle: ({ params }) => {
        const asset = Object.hasOwn(ASSETS, params.name!) ? ASSETS[params.name!] : undefined;
        if (!asset) throw new HttpError(404, `no asset ${JSON.stringify(params.name)}`);
        return new Response(asset.body, {
          headers: { "Content-Type": asset.type, "Cache-Control": "no-cache" },
        });
      },
    },
    {
      method: "GET",
      path: "/login",
      handle: () => (token === null ? redirect("/") : html(loginHtml(""))),
    },
    {
      method: "POST",
      path: "/login",
      handle: async ({ req, client, now }) => {
        if (token === null) return redirect("/");
        // Checked before the token, so a client that is waiting learns nothing by guessing.
        const wait = limiter.wait(client, now);
        if (wait > 0) {
          const seconds = Math.ceil(wait / 1000);
          return new Response(
            `too many wrong tokens from ${client}: try again in ${seconds} s\n`,
            {
              status: 429,
              headers: { "Content-Type": "text/plain; charset=utf-8", "Retry-After": `${seconds}` },
            },
          );
        }
        const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim();
        if (type !== "application/x-www-form-urlencoded") {
          throw new HttpError(415, "expected a form (application/x-www-form-urlencoded)");
        }
        const text = await req.text();
        if (text.length > 4096) throw new HttpError(413, "login form too large");
        const given = new URLSearchParams(text).get("token") ?? "";
        if (!await sameSecret(given, token)) {
          limiter.failed(client, now);
          return html(loginHtml("wrong token"), 401);
        }
        return redirect("/", { "Set-Cookie": sessionCookie(await sessionValue(token)) });
      },
    },
    {
      method: "POST",
      path: "/logout",
      handle: () => redirect(token === null ? "/" : "/login", { "Set-Cookie": sessionCookie("") }),
    },
  ];
}
