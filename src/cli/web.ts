/**
 * `queuectl web [--host 127.0.0.1] [--port 8080] [--token T] [--allow-worker-control]`: serves the dashboard and the JSON
 * API until Ctrl+C, behind the gate's timeouts and connection caps (`src/web/conn_gate.ts`). A
 * non-loopback host needs a token (`--token` or `QUEUECTL_WEB_TOKEN`).
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { OperationError, UsageError } from "../errors.ts";
import { Logger } from "../log.ts";
import { parseDuration } from "../duration.ts";
import { numberText, parseInteger } from "../number_text.ts";
import { CONN_LIMITS } from "../web/conn_policy.ts";
import { type Gate, serveGated } from "../web/conn_gate.ts";
import { createHandler } from "../web/handler.ts";
import { hostForm, isLoopback } from "../web/security.ts";
import type { Context } from "./context.ts";
import { optional, repeatable, toggle, withDefault } from "./params.ts";

/** Shortest token accepted: long enough that guessing it over HTTP is hopeless. */
export const MIN_TOKEN_LENGTH = 16;

interface WebFlags {
  host: string;
  port: string;
  token?: string;
  allowHost?: string[];
  headerTimeout: string;
  bodyTimeout: string;
  maxClientConnections: string;
  allowWorkerControl?: boolean;
}

/** The connection limits the flags set (see `src/web/conn_policy.ts`). */
export interface WebLimits {
  /** `--header-timeout` (default 10s). */
  headerTimeoutMs: number;
  /** `--body-timeout` (default 30s). */
  bodyTimeoutMs: number;
  /** `--max-client-connections` (default 32). */
  maxPerClient: number;
}

/**
 * Checks the connection flags (pure): timeouts from 100ms to 1h, and 1 to 512 connections per
 * client (512 is the cap in all).
 *
 * @example
 * ```ts
 * parseLimitFlags({ headerTimeout: "5s" }); // { headerTimeoutMs: 5000, bodyTimeoutMs: 30000, maxPerClient: 32 }
 * ```
 */
export function parseLimitFlags(
  flags: Partial<Pick<WebFlags, "headerTimeout" | "bodyTimeout" | "maxClientConnections">>,
): WebLimits {
  const timeout = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    numberText(value, `--${name}`);
    let ms = NaN;
    try {
      ms = parseDuration(value);
    } catch {
      // Reported below with the flag's name and range.
    }
    if (!(ms >= 100 && ms <= 3_600_000)) {
      throw new UsageError(
        `--${name} must be a duration from 100ms to 1h (e.g. 10s), got ${JSON.stringify(value)}`,
      );
    }
    return ms;
  };
  const max = flags.maxClientConnections;
  const maxPerClient = max === undefined
    ? CONN_LIMITS.maxPerClient
    : parseInteger(max, { name: "--max-client-connections", min: 1, max: 512 });
  return {
    headerTimeoutMs: timeout("header-timeout", flags.headerTimeout, CONN_LIMITS.headerTimeoutMs),
    bodyTimeoutMs: timeout("body-timeout", flags.bodyTimeout, CONN_LIMITS.bodyTimeoutMs),
    maxPerClient,
  };
}

/**
 * Checks `--host`, `--port` and the token (pure): a UsageError for anything wrong.
 *
 * @example
 * ```ts
 * parseWebFlags({ host: "127.0.0.1", port: "8080" }, undefined);
 * // { host: "127.0.0.1", port: 8080, token: null, publicHosts: [] }
 * ```
 */
export function parseWebFlags(
  flags: Pick<WebFlags, "host" | "port" | "token" | "allowHost">,
  envToken: string | undefined,
): { host: string; port: number; token: string | null; publicHosts: string[] } {
  // `[::1]` is how a URL writes an IPv6 host; Deno.serve wants it bare.
  const host = flags.host.trim().replace(/^\[(.*)\]$/, "$1");
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  const name =
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
  const ipv6 = /^[0-9A-Fa-f:.]+$/.test(host) && host.includes(":");
  const validV4 = ipv4 !== null && ipv4.slice(1).every((p) => Number(p) <= 255);
  if (!(validV4 || ipv6 || (ipv4 === null && name.test(host)))) {
    throw new UsageError(
      `--host must be an IP address or host name, got ${JSON.stringify(flags.host)}`,
    );
  }
  if (!/^\d{1,5}$/.test(numberText(flags.port, "--port")) || Number(flags.port) > 65535) {
    throw new UsageError(
      `--port must be an integer from 0 to 65535 (0 picks a free one), got ${
        JSON.stringify(flags.port)
      }`,
    );
  }
  const raw = flags.token ?? (envToken === "" ? undefined : envToken);
  if (raw !== undefined && (raw.length < MIN_TOKEN_LENGTH || /\s/.test(raw))) {
    throw new UsageError(
      `the web token must be at least ${MIN_TOKEN_LENGTH} characters without spaces, got ${raw.length}`,
    );
  }
  if (!isLoopback(host) && raw === undefined) {
    throw new UsageError(
      `--host ${host} is not loopback: anyone who reaches it could run commands, so set ` +
        `--token or QUEUECTL_WEB_TOKEN`,
    );
  }
  const publicHosts = flags.allowHost ?? [];
  for (const h of publicHosts) {
    if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/.test(h)) {
      throw new UsageError(
        `--allow-host must be a host[:port] as a Host header has it, got ${JSON.stringify(h)}`,
      );
    }
  }
  if (publicHosts.length > 0 && raw === undefined) {
    // A proxy that forwards a public name to a loopback server makes it public: same rule.
    throw new UsageError(
      "--allow-host serves the dashboard under another name, so set --token or QUEUECTL_WEB_TOKEN",
    );
  }
  return { host, port: Number(flags.port), token: raw ?? null, publicHosts };
}

/** Builds the `web` command. */
export function webCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: {
      brief: "serve the live dashboard and the JSON API (loopback only unless a token is set)",
    },
    parameters: {
      flags: {
        host: withDefault("address to listen on", "host", "127.0.0.1"),
        port: withDefault("port to listen on (0 picks a free one)", "port", "8080"),
        token: optional("require this access token (env QUEUECTL_WEB_TOKEN)", "token"),
        allowHost: repeatable(
          "also accept this Host header, e.g. the name a reverse proxy passes on (repeatable)",
          "host[:port]",
        ),
        headerTimeout: withDefault(
          "close a connection whose request head takes longer",
          "duration",
          "10s",
        ),
        bodyTimeout: withDefault(
          "close a connection whose request body, or reading of a response, takes longer",
          "duration",
          "30s",
        ),
        maxClientConnections: withDefault(
          "open connections per client address (the longest-waiting make room for a new one)",
          "n",
          "32",
        ),
        allowWorkerControl: toggle(
          "let the dashboard start workers on this host and stop workers (same token and origin checks)",
        ),
      },
    },
    func: (flags: WebFlags) => serve(ctx, flags),
  });
}

async function serve(ctx: Context, flags: WebFlags): Promise<void> {
  const options = parseWebFlags(flags, Deno.env.get("QUEUECTL_WEB_TOKEN"));
  const limits = parseLimitFlags(flags);
  const store = await ctx.store();
  const log = new Logger({ fields: { web: Deno.pid } });
  const stop = new AbortController();
  let handler: ReturnType<typeof createHandler> | null = null;
  let gate: Gate;
  try {
    gate = await serveGated((req, client) => handler!(req, client), {
      hostname: options.host,
      port: options.port,
      signal: stop.signal,
      log,
      ...limits,
    });
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    if (err instanceof Deno.errors.AddrInUse) {
      throw new OperationError(`cannot listen on ${options.host}:${options.port}: address in use`);
    }
    throw new UsageError(`cannot listen on ${options.host}:${options.port}: ${why}`);
  }
  const port = gate.addr.port;
  const control = flags.allowWorkerControl
    ? (await import("./worker_control.ts")).workerControl(store, ctx.location())
    : null;
  handler = createHandler(store, {
    ...options,
    port,
    hosts: extraHosts(options.host),
    log,
    workerControl: control,
  });
  ctx.out(
    `queuectl web: serving http://${hostForm(options.host)}:${port}/ (database ${store.location})`,
  );
  if (options.token !== null) ctx.out("queuectl web: a token is required (bearer or login form)");
  if (control) ctx.out("queuectl web: worker control is on (start and stop workers from the page)");
  const onSignal = () => stop.abort();
  for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, onSignal);
  try {
    await gate.finished;
  } finally {
    for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(sig, onSignal);
  }
  ctx.out("queuectl web: stopped");
}

/**
 * Names that reach a wildcard-bound server besides loopback: the machine's name and its
 * interface addresses. A specific bind needs none; its own address is already allowed.
 */
function extraHosts(host: string): string[] {
  if (host !== "0.0.0.0" && host !== "::") return [];
  const out: string[] = [];
  try {
    out.push(Deno.hostname().toLowerCase());
  } catch {
    // No host name: addresses still work.
  }
  try {
    for (const i of Deno.networkInterfaces()) out.push(hostForm(i.address.split("%")[0]!));
  } catch {
    // Without interface access only loopback and the host name are accepted.
  }
  return out;
}
