/**
 * The dashboard can make the machine run commands, so it is guarded like a shell:
 * - the Host header must name this server (a DNS-rebinding page reaches us under its own name);
 * - a mutating request must come from our own Origin (or carry the bearer token, which no other
 *   site's page can send without a CORS preflight, and we answer none);
 * - with a token, every request but the login page and static assets must present it, as a
 *   bearer token or as the login cookie; both are compared in constant time.
 *
 * @module
 */
import { showValue } from "../suggest.ts";
import { HttpError } from "./http_status.ts";

/** What the guard needs to know about the server. */
export interface GuardOptions {
  /** The host the server is bound to (`127.0.0.1`, `::1`, `0.0.0.0`, a name…). */
  host: string;
  /** The port it listens on. */
  port: number;
  /** The access token, or null when none is required (loopback only). */
  token: string | null;
  /** More host names that reach this server (the machine's name and addresses on a wildcard bind). */
  hosts?: readonly string[];
  /**
   * Host header values accepted as they are, whatever the port: the public name a reverse proxy
   * passes on (`queue.example.com`, or `queue.example.com:8443`).
   */
  publicHosts?: readonly string[];
}

/** The name of the login cookie. */
export const SESSION_COOKIE = "queuectl_session";

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];
const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

/**
 * A host in the form a Host header carries it: lowercase, IPv6 in brackets (pure).
 *
 * @example
 * ```ts
 * hostForm("::1"); // "[::1]"
 * ```
 */
export function hostForm(host: string): string {
  const h = host.toLowerCase();
  return h.includes(":") && !h.startsWith("[") ? `[${h}]` : h;
}

/**
 * True for a loopback host: `localhost`, 127.0.0.0/8 or ::1 (pure).
 *
 * @example
 * ```ts
 * isLoopback("127.0.0.1"); // true
 * isLoopback("0.0.0.0"); // false
 * ```
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/** A Host header that names this server, and the one Origin its own pages send. */
export interface CheckedHost {
  /** The Host header, lowercase. */
  host: string;
  /**
   * The exact Origin of a page served under this Host: `http://` for the server itself,
   * `https://` for a public name (the TLS proxy's), the scheme's default port dropped.
   */
  origin: string;
}

/**
 * Checks the request's Host header: a one-line 400 unless it is one `host[:port]` (a list such
 * as `127.0.0.1:8080,evil` is not), and a 403 unless it names this server: the bound host,
 * loopback, or one of `hosts`, on the bound port; or exactly one of `publicHosts`.
 *
 * @example
 * ```ts
 * const req = new Request("http://127.0.0.1:8080/", { headers: { Host: "127.0.0.1:8080" } });
 * checkHost(req, { host: "127.0.0.1", port: 8080, token: null });
 * // { host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080" }
 * ```
 */
export function checkHost(req: Request, options: GuardOptions): CheckedHost {
  const raw = (req.headers.get("host") ?? "").toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/.exec(raw);
  const isPublic = options.publicHosts?.some((h) => h.toLowerCase() === raw) ?? false;
  const origin = m ? originOf(isPublic ? "https:" : "http:", raw) : null;
  if (raw !== "" && origin === null) {
    throw new HttpError(400, `bad Host header ${showValue(raw)}: expected one host[:port]`);
  }
  if (isPublic) return { host: raw, origin: origin! };
  const names = new Set([...LOOPBACK_NAMES, hostForm(options.host), ...(options.hosts ?? [])]);
  if (!m || !names.has(m[1]!) || Number(m[2] ?? 80) !== options.port) {
    throw new HttpError(
      403,
      `refused: Host header ${JSON.stringify(raw)} does not name this server`,
    );
  }
  return { host: raw, origin: origin! };
}

/** The serialized origin of `scheme//host`, or null when that is no valid URL (port 99999…). */
function originOf(scheme: string, host: string): string | null {
  try {
    return new URL(`${scheme}//${host}`).origin;
  } catch {
    return null;
  }
}

/**
 * Refuses (403) a mutating request that does not come from this server's own page: its Origin
 * must be exactly `expected` (scheme, host and port; no user, path or trailing slash, as a
 * browser sends it). A request without Origin is not from a browser page and passes only with
 * a valid bearer token.
 *
 * @example
 * ```ts
 * const req = new Request("http://127.0.0.1:8080/api/jobs/a1/cancel", {
 *   method: "POST",
 *   headers: { origin: "http://127.0.0.1:8080" },
 * });
 * checkOrigin(req, "http://127.0.0.1:8080", false); // throws HttpError 403 unless it matches
 * ```
 */
export function checkOrigin(req: Request, expected: string, bearerOk: boolean): void {
  if (SAFE_METHODS.includes(req.method)) return;
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") {
    throw new HttpError(403, `refused: a ${site} request may not change anything`);
  }
  const origin = req.headers.get("origin");
  if (origin === null) {
    if (bearerOk) return;
    throw new HttpError(
      403,
      "refused: a request that changes something needs an Origin header naming this server " +
        "(or a bearer token)",
    );
  }
  // Compared as strings, never parsed: `http://evil@host`, `https://host` on an http server or
  // `http://host/x` differ from what a browser sends for our page, so they are refused.
  if (origin !== expected) {
    throw new HttpError(
      403,
      `refused: Origin ${showValue(origin)} is not this server (expected ${expected})`,
    );
  }
}

/** How a request proved it may use the server. */
export interface Credentials {
  /** A valid `Authorization: Bearer` token. */
  bearer: boolean;
  /** A valid login cookie. */
  cookie: boolean;
}

/**
 * Which credentials of the request are valid. Without a configured token every request is
 * let in as if by cookie (and none counts as a bearer).
 */
export async function credentials(req: Request, token: string | null): Promise<Credentials> {
  if (token === null) return { bearer: false, cookie: true };
  const auth = req.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  const bearer = m ? await sameSecret(m[1]!, token) : false;
  const cookie = readCookie(req, SESSION_COOKIE);
  const session = cookie ? await sameSecret(cookie, await sessionValue(token)) : false;
  return { bearer, cookie: session };
}

/**
 * The login cookie's value for `token`: an HMAC of a fixed label, so the cookie proves the token
 * without holding it.
 */
export async function sessionValue(token: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(token),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode("queuectl-session"));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Compares two secrets in time that does not depend on where they differ: both are hashed to
 * 32 bytes first, so their lengths leak nothing either.
 *
 * @example
 * ```ts
 * await sameSecret("a", "a"); // true
 * ```
 */
export async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [x, y] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  const xa = new Uint8Array(x);
  const ya = new Uint8Array(y);
  let diff = 0;
  for (let i = 0; i < xa.length; i++) diff |= xa[i]! ^ ya[i]!;
  return diff === 0;
}

/** The `Set-Cookie` value that logs a browser in (or out, with an empty value). */
export function sessionCookie(value: string): string {
  const life = value === "" ? "Max-Age=0" : "Max-Age=2592000";
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; ${life}`;
}

function readCookie(req: Request, name: string): string | null {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return null;
}
