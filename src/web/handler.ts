/**
 * The web layer's entry: `createHandler(store, options)` turns requests into responses. Every
 * request passes the same gate, in this order: the Host check (DNS rebinding), the Origin check
 * for anything that changes state (CSRF), the token (when one is set), then the route. Every
 * answer carries the security headers, and every failure is one line (a bug's details go to the
 * log, not to the client).
 *
 * @module
 */
import { Logger } from "../log.ts";
import type { Store } from "../store/mod.ts";
import { bulkRoutes } from "./api_bulk.ts";
import { readRoutes } from "./api_read.ts";
import { outputRoutes } from "./api_output.ts";
import { writeRoutes } from "./api_write.ts";
import { scheduleRoutes } from "./api_schedules.ts";
import { queueRoutes } from "./api_queues.ts";
import { workerRoutes } from "./api_workers.ts";
import type { WorkerControl } from "./worker_control.ts";
import { HttpError, statusFor } from "./http_status.ts";
import { metricsRoutes } from "./metrics_route.ts";
import { pageRoutes } from "./pages.ts";
import { jobIdParam } from "./params.ts";
import { LoginLimiter } from "./login_limit.ts";
import { jsonError, secure } from "./response.ts";
import { matchRoute, type Route } from "./router.ts";
import { checkHost, checkOrigin, credentials, type GuardOptions } from "./security.ts";

/** Options of {@linkcode createHandler}. */
export interface HandlerOptions extends GuardOptions {
  /** Where unexpected errors are logged. Default: a Logger on stderr. */
  log?: Logger;
  /** The clock. Default: `Date.now`. */
  now?: () => number;
  /** Starts and stops workers (`--allow-worker-control`). Default: none, and its routes 403. */
  workerControl?: WorkerControl | null;
}

/** What the server knows of the connection a request came on. */
export interface ClientInfo {
  /**
   * The client's address as rate limits count it: an IPv4 address, or an IPv6 client's /64
   * (one host usually holds a whole /64). Default: "unknown".
   */
  address: string;
}

/** Paths anyone may fetch, even when a token is required: the login form and static files. */
function isPublic(method: string, path: string): boolean {
  if (path.startsWith("/assets/")) return method === "GET" || method === "HEAD";
  return path === "/login" || path === "/logout";
}

/**
 * Builds the dashboard's request handler on an open store.
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * const handler = createHandler(store, { host: "127.0.0.1", port: 8080, token: null });
 * const res = await handler(new Request("http://127.0.0.1:8080/api/status"));
 * ```
 */
export function createHandler(
  store: Store,
  options: HandlerOptions,
): (req: Request, client?: ClientInfo) => Promise<Response> {
  const log = options.log ?? new Logger({ fields: { web: true } });
  const now = options.now ?? Date.now;
  const token = options.token;
  const routes: Route[] = [
    ...pageRoutes(token, new LoginLimiter()),
    ...bulkRoutes,
    ...readRoutes,
    ...outputRoutes,
    ...writeRoutes,
    ...scheduleRoutes,
    ...queueRoutes,
    ...workerRoutes,
    ...metricsRoutes,
  ];
  return async (req: Request, client?: ClientInfo): Promise<Response> => {
    let path = pathOf(req.url);
    try {
      const host = checkHost(req, options);
      const url = URL.parse(req.url);
      if (url === null) throw new HttpError(400, "bad request URL");
      path = url.pathname;
      const creds = await credentials(req, token);
      checkOrigin(req, host.origin, creds.bearer);
      if (!isPublic(req.method, path) && !creds.bearer && !creds.cookie) {
        return secure(refuseUnauthenticated(req.method, path));
      }
      const found = matchRoute(routes, req.method, path);
      if (found === null) return secure(failure(path, 404, `no route ${req.method} ${path}`));
      if ("allow" in found) {
        const res = failure(path, 405, `${req.method} is not allowed on ${path}`);
        res.headers.set("Allow", [...new Set(found.allow)].join(", "));
        return secure(res);
      }
      if (found.params.id !== undefined) jobIdParam(found.params.id);
      const res = await found.route.handle({
        req: guardBody(req),
        url,
        params: found.params,
        store,
        now: now(),
        authRequired: token !== null,
        client: client?.address ?? "unknown",
        workerControl: options.workerControl ?? null,
        log,
      });
      return secure(res);
    } catch (err) {
      const { status, message, expected } = statusFor(err);
      if (!expected) {
        log.error("web.request_failed", {
          method: req.method,
          path,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
      }
      return secure(failure(path, status, message));
    }
  };
}

/**
 * The request with a body whose read failures (the client went away, or the gate cut off a body
 * that stalled) are a one-line 400, not a 500 that logs a stack trace for what a client did.
 */
function guardBody(req: Request): Request {
  if (req.body === null) return req;
  const reader = req.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch {
        controller.error(new HttpError(400, "the request body was cut off before its end"));
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const init = { method: req.method, headers: req.headers, body, duplex: "half" };
  return new Request(req.url, init as RequestInit);
}

/**
 * The path of a request URL before it is parsed, to choose the form of an error: Deno builds
 * `req.url` from the Host header, so a malformed Host (which checkHost refuses) makes it
 * unparsable.
 */
function pathOf(url: string): string {
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url)?.[1] ?? "";
  return path === "" ? "/" : path;
}

/** API and metrics clients get a 401 to act on; a browser on a page is sent to the login form. */
function refuseUnauthenticated(method: string, path: string): Response {
  if (path.startsWith("/api/") || path === "/metrics" || method !== "GET") {
    return jsonError(401, "authentication required: send Authorization: Bearer <token>", {
      "WWW-Authenticate": 'Bearer realm="queuectl"',
    });
  }
  return new Response(null, { status: 303, headers: { Location: "/login" } });
}

/** A one-line failure: JSON under /api/, plain text elsewhere. */
function failure(path: string, status: number, message: string): Response {
  if (path.startsWith("/api/") || path === "/api") {
    return jsonError(status, message);
  }
  return new Response(message + "\n", {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}
