/**
 * A tiny router: a table of `METHOD /path/:param` routes, matched in order. Enough for a dozen
 * routes, and each route file can be read (or deleted) on its own.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import type { Store } from "../store/mod.ts";
import type { WorkerControl } from "./worker_control.ts";

/** What a route handler gets. */
export interface RouteContext {
  /** The request. */
  req: Request;
  /** Its parsed URL. */
  url: URL;
  /** The `:name` parts of the path, decoded. */
  params: Record<string, string>;
  /** The queue database. */
  store: Store;
  /** The clock reading for this request (epoch ms). */
  now: number;
  /** True when the server requires a token (the page then offers to log out). */
  authRequired: boolean;
  /** The client's address as rate limits count it (see `ClientInfo` in handler.ts). */
  client: string;
  /** Starts and stops workers; null unless the server runs with `--allow-worker-control`. */
  workerControl: WorkerControl | null;
  /** Where a route logs what fails after its answer began (a streamed body). */
  log: Logger;
}

/** One route. */
export interface Route {
  /** `GET`, `POST`, `DELETE`… */
  method: string;
  /** A path pattern such as `/api/jobs/:id/logs`. */
  path: string;
  /** Answers the request. */
  handle(ctx: RouteContext): Promise<Response> | Response;
}

/** What {@linkcode matchRoute} found. */
export type RouteMatch =
  | { route: Route; params: Record<string, string> }
  | { allow: string[] }
  | null;

/**
 * Finds the route for a method and path (pure): the route and its params, or the methods the
 * path allows (for a 405), or null (404).
 *
 * @example
 * ```ts
 * import { readRoutes as routes } from "./api_read.ts";
 * matchRoute(routes, "GET", "/api/jobs/a1"); // { route, params: { id: "a1" } }
 * ```
 */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const allow: string[] = [];
  const parts = path.split("/");
  for (const route of routes) {
    const pattern = route.path.split("/");
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (const [i, p] of pattern.entries()) {
      const part = parts[i]!;
      if (p.startsWith(":")) {
        if (part === "") ok = false;
        else {
          try {
            params[p.slice(1)] = decodeURIComponent(part);
          } catch {
            ok = false;
          }
        }
      } else if (p !== part) ok = false;
      if (!ok) break;
    }
    if (!ok) continue;
    const head = method === "HEAD" && route.method === "GET";
    if (route.method === method || head) return { route, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { allow } : null;
}
