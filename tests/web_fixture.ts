/**
 * Fixtures for the web handler tests: a handler on a temp store, and requests that look like
 * the dashboard's own (right Host, same Origin) unless a test says otherwise.
 *
 * @module
 */
import { Logger } from "../src/log.ts";
import { type ClientInfo, createHandler } from "../src/web/handler.ts";
import { type TempStore, tempStore } from "./factory.ts";

/** The address the test handler believes it is bound to. */
export const BASE = "http://127.0.0.1:8080";

/** A handler on a fresh temp store, plus the log lines it wrote. */
export interface WebFixture extends AsyncDisposable {
  store: TempStore;
  handle(req: Request, client?: ClientInfo): Promise<Response>;
  logs: string[];
}

/**
 * A handler on a fresh temp store (strict remote limits on), bound to 127.0.0.1:8080.
 *
 * @example
 * ```ts
 * await using web = await webFixture();
 * const res = await web.handle(get("/api/status"));
 * ```
 */
export async function webFixture(options: { token?: string | null } = {}): Promise<WebFixture> {
  const store = await tempStore();
  const logs: string[] = [];
  const log = new Logger({ write: (line) => logs.push(line) });
  const handle = createHandler(store, {
    host: "127.0.0.1",
    port: 8080,
    token: options.token ?? null,
    log,
  });
  return { store, handle, logs, [Symbol.asyncDispose]: () => store[Symbol.asyncDispose]() };
}

/** A GET as the page sends it; `headers` override. */
export function get(path: string, headers: Record<string, string> = {}): Request {
  return new Request(BASE + path, { headers: { Host: "127.0.0.1:8080", ...headers } });
}

/** A POST (or another method) as the page sends it: same Origin, JSON body when given. */
export function post(
  path: string,
  body?: unknown,
  options: { method?: string; headers?: Record<string, string> } = {},
): Request {
  const headers: Record<string, string> = {
    Host: "127.0.0.1:8080",
    Origin: BASE,
    ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    ...options.headers,
  };
  for (const [k, v] of Object.entries(headers)) if (v === "") delete headers[k];
  return new Request(BASE + path, {
    method: options.method ?? "POST",
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The body of a JSON response, after checking its status. */
export async function jsonOf<T = Record<string, unknown>>(
  res: Response,
  status: number,
): Promise<T> {
  const text = await res.text();
  if (res.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${res.status}: ${text}`);
  }
  return JSON.parse(text) as T;
}

/** The one-line error of a failed JSON response, after checking its status. */
export async function errorOf(res: Response, status: number): Promise<string> {
  const body = await jsonOf<{ error: string }>(res, status);
  if (
    typeof body.error !== "string" || body.error.includes("\n") || /\bat \S+:\d+/.test(body.error)
  ) {
    throw new Error(`expected a one-line error, got ${JSON.stringify(body)}`);
  }
  return body.error;
}
