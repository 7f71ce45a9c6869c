/**
 * The worker's finish-hook runner. Final transitions leave outbox entries (`["hook", seq, id]`,
 * `store/hook_outbox.ts`); this runner claims them, runs the `on_finish` command and the
 * `on_finish_url` POST beside the worker's jobs (never before its next claim), and deletes each
 * entry with its counts once its hooks ran. A hook that fails is logged (`hook.failed`) and
 * counted (`hook_failed`); the job's outcome is already committed and never changes.
 *
 * @module
 */
import type { Config } from "../config.ts";
import { hooksOn } from "../finish_hook.ts";
import type { Logger } from "../log.ts";
import { type ClaimedHook, claimHooks, finishHook } from "../store/hook_outbox.ts";
import type { Store } from "../store/open.ts";
import { errorLine, sleep } from "./attempt_report.ts";
import { type HookResult, postHook, runHookCommand } from "./hook_delivery.ts";

/** Options of {@linkcode FinishHooks}. */
export interface FinishHooksOptions {
  /** The worker's id: the claims are made in its name. */
  worker: string;
  /** Where `hook.failed`, `hook.ok` (debug) and the rest go. */
  log: Logger;
  /** Jobs whose hooks run at once, per worker. Default 4; the rest wait in the outbox. */
  maxInFlight?: number;
}

/** How long a stopping worker lets running hooks finish, at most (and at most its grace). */
const STOP_GRACE_MS = 5_000;

/** Idle look at the outbox while no hook is configured: only leftovers to drop then. */
const UNCONFIGURED_POLL_MS = 5_000;

/**
 * How long a claim lasts: the slowest hook with all its tries (three POSTs and their backoff),
 * with a margin. A claim that lapses is taken by another worker, which runs the hook again.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONFIG } from "../config.ts";
 * hookLeaseMs(DEFAULT_CONFIG); // 42500
 * ```
 */
export function hookLeaseMs(config: Pick<Config, "on_finish_timeout">): number {
  return 3 * config.on_finish_timeout + 2_500 + 10_000;
}

/**
 * Runs finish hooks from the outbox, at most `maxInFlight` jobs' at once. `run()` works until
 * its signal; `runOnce()` claims and starts what there is room for (tests drive it); `nudge()`
 * says a final transition just committed; `stop()` gives running hooks a short grace.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import { Logger } from "../log.ts";
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * const hooks = new FinishHooks(store, { worker: "h:1:1", log: new Logger() });
 * await hooks.runOnce({ ...DEFAULT_CONFIG, on_finish: "echo {id}" }, Date.now());
 * await hooks.settled();
 * ```
 */
export class FinishHooks {
  readonly #store: Store;
  readonly #opts: FinishHooksOptions;
  readonly #inFlight = new Set<Promise<void>>();
  /** Aborted when a stopping worker gives up on its running hooks. */
  readonly #abandon = new AbortController();
  #wake: () => void = () => {};

  /** @param store the worker's store; @param options its id, log and concurrency */
  constructor(store: Store, options: FinishHooksOptions) {
    this.#store = store;
    this.#opts = options;
  }

  /** A final transition committed: look at the outbox now rather than at the next poll. */
  nudge(): void {
    this.#wake();
  }

  /**
   * Claims as many entries as there is room for and starts their hooks; returns how many it
   * claimed. With no hook configured, it deletes leftover entries instead (a hook was unset).
   */
  async runOnce(config: Config, now: number): Promise<number> {
    const on = hooksOn(config);
    const room = on ? (this.#opts.maxInFlight ?? 4) - this.#inFlight.size : 100;
    if (room <= 0) return 0;
    const claimed = await claimHooks(this.#store, {
      worker: this.#opts.worker,
      now,
      leaseMs: hookLeaseMs(config),
      limit: room,
    });
    for (const hook of claimed) {
      if (!on) {
        await finishHook(this.#store, hook, { now, ok: 0, failed: 0 });
        this.#opts.log.info("hook.dropped", { job: hook.job.id, reason: "no hook configured" });
        continue;
      }
      const running: Promise<void> = this.#deliver(hook, config).finally(() => {
        this.#inFlight.delete(running);
        this.#wake();
      });
      this.#inFlight.add(running);
    }
    return claimed.length;
  }

  /** Resolves once every hook started so far has ended. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * Runs hooks until `signal`: after each look, waits for a nudge, a free slot or the poll
   * interval. `config` is the worker's latest configuration (null before its first read).
   */
  async run(signal: AbortSignal, config: () => Config | null): Promise<void> {
    while (!signal.aborted) {
      const current = config();
      let claimed = 0;
      if (current) {
        try {
          claimed = await this.runOnce(current, Date.now());
        } catch (err) {
          this.#opts.log.warn("hook.claim_failed", { error: errorLine(err) });
        }
      }
      const poll = current && hooksOn(current) ? current.poll_interval_ms : UNCONFIGURED_POLL_MS;
      // A full batch may have left more behind: look again at once (if there is room).
      if (claimed > 0 && this.#inFlight.size < (this.#opts.maxInFlight ?? 4)) continue;
      await this.#pause(poll, signal);
    }
  }

  /**
   * Lets running hooks finish for up to `graceMs` (at most 5 s), then abandons them: their
   * entries stay claimed, and another worker runs them again once the claim lapses.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.#inFlight.size === 0) return;
    const waitMs = Math.min(graceMs, STOP_GRACE_MS);
    this.#opts.log.info("hook.waiting", { in_flight: this.#inFlight.size, grace_ms: waitMs });
    const timer = new AbortController();
    await Promise.race([this.settled(), sleep(waitMs, timer.signal)]);
    timer.abort();
    if (this.#inFlight.size === 0) return;
    this.#opts.log.warn("hook.abandoned", {
      in_flight: this.#inFlight.size,
      hint: "another worker runs them again when their claim lapses",
    });
    this.#abandon.abort();
    await this.settled();
  }

  /** Waits `ms`, or less when nudged, when a hook ends, or when `signal` aborts. */
  #pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#wake = () => {};
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.#wake = done;
    });
  }

  async #deliver(hook: ClaimedHook, config: Config): Promise<void> {
    const { job } = hook;
    const options = { timeoutMs: config.on_finish_timeout, signal: this.#abandon.signal };
    const runs: Promise<[string, HookResult]>[] = [];
    if (config.on_finish) {
      runs.push(runHookCommand(config.on_finish, job, options).then((r) => ["command", r]));
    }
    if (config.on_finish_url) {
      runs.push(postHook(config.on_finish_url, job, options).then((r) => ["url", r]));
    }
    const results = await Promise.all(runs);
    if (this.#abandon.signal.aborted) return; // Not acknowledged: it runs again elsewhere.
    let ok = 0;
    for (const [kind, r] of results) {
      if (r.ok) {
        ok++;
        this.#opts.log.debug("hook.ok", { job: job.id, kind, state: job.state });
      } else {
        this.#opts.log.warn("hook.failed", { job: job.id, kind, reason: r.reason });
      }
    }
    try {
      const now = Date.now();
      const acked = await finishHook(this.#store, hook, { now, ok, failed: results.length - ok });
      if (!acked) this.#opts.log.warn("hook.claim_lapsed", { job: job.id });
    } catch (err) {
      // The entry stays claimed; once the claim lapses, a worker runs the hook again.
      this.#opts.log.warn("hook.unacknowledged", { job: job.id, error: errorLine(err) });
    }
  }
}
