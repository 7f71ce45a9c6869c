/**
 * `queuectl doctor [--repair] [--json]`: checks the database's invariants, and reports how this
 * host reaches it: backend, round trip, wake-up path, clock skew and the limits in force.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { OperationError } from "../errors.ts";
import { readConfig } from "../store/config_store.ts";
import { countHooks } from "../store/hook_outbox.ts";
import type { Config } from "../config.ts";
import { hooksOn } from "../finish_hook.ts";
import { listWorkers } from "../store/workers.ts";
import { checkStore } from "../store/doctor.ts";
import { repairStore } from "../store/doctor_repair.ts";
import { checkSchedules, repairSchedules } from "../store/doctor_schedules.ts";
import { type ClockOffset, measureClockOffset, SKEW_WARN_MS } from "../store/clock.ts";
import { REMOTE_LIMITS } from "../store/db.ts";
import {
  checkWake,
  type CommitTimes,
  commitTimesMs,
  largeCommitsWait,
  roundTripMs,
  type WakeCheck,
} from "../store/probe.ts";
import type { Context } from "./context.ts";
import { toggle } from "./params.ts";
import { hostName } from "../worker/identity.ts";
import { isProcessAlive } from "../worker/process_group.ts";
import { recoveryLookMs } from "../worker/maintenance.ts";

/** Builds the `doctor` command. */
export function doctorCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: {
      brief:
        "check indexes, counters, attempt counts, leases and schedules' next ticks, and the connection (round trip, commit times, wake-up, clock skew, limits); --repair fixes indexes",
    },
    parameters: {
      flags: {
        repair: toggle(
          "rebuild indexes and counters from the job records, and schedules' due entries (stop workers first)",
        ),
        json: toggle(
          'print {"backend", "jobs", "violations", "repaired", "unverified", "round_trip_ms", "commit_ms", "wake", "clock", "limits"}',
        ),
      },
    },
    func: async (flags: { repair?: boolean; json?: boolean }) => {
      const store = await ctx.store({ create: false });
      const config = await readConfig(store);
      const repaired = flags.repair
        ? await repairStore(store, { now: Date.now() }) +
          await repairSchedules(store, { now: Date.now() })
        : 0;
      const { violations, jobs, unverified } = await checkStore(store, {
        now: Date.now(),
        leaseMs: config.lease_ms,
        host: hostName(),
        pidAlive: isProcessAlive,
        lookMs: recoveryLookMs(config),
      });
      // Every schedule that is not paused has its next tick.
      violations.push(...await checkSchedules(store));
      const rtt = await roundTripMs(store);
      const commits = await commitTimesMs(store);
      const wake = await checkWake(store);
      const clock = await measureClockOffset(store);
      const spread = offsetSpread(await listWorkers(store));
      const hooks = { waiting: await countHooks(store, HOOKS_COUNTED) };
      // A live worker keeps its job while the recoverer's clock runs ahead of its own by less
      // than the lease minus one heartbeat interval.
      const toleratedMs = config.lease_ms - config.heartbeat_ms;
      const backend = store.remote ? "remote" : "local";
      const limits = { strict: store.db.strict, ...limitsJson() };
      if (flags.json) {
        ctx.out(JSON.stringify({
          backend,
          jobs,
          violations,
          repaired,
          unverified,
          round_trip_ms: round(rtt),
          commit_ms: commits && {
            small: round(commits.small_ms),
            large: round(commits.large_ms),
            large_waits: largeCommitsWait(commits),
          },
          wake: { ...wake, ms: wake.ms === null ? null : round(wake.ms) },
          clock: clock
            ? {
              offset_ms: clock.offsetMs,
              uncertainty_ms: clock.uncertaintyMs,
              method: clock.method,
              warn_above_ms: SKEW_WARN_MS,
              tolerated_ms: toleratedMs,
              workers_measured: spread.measured,
              workers_spread_ms: spread.spreadMs,
            }
            : null,
          limits,
          hooks,
        }));
      } else {
        const access = store.readOnly ? `, read-only: ${store.readOnly}` : "";
        ctx.out(`database:   ${store.location} (${backend}${access})`);
        ctx.out(`round trip: ${round(rtt)} ms (median of 5 reads)`);
        if (commits) ctx.out(`commits:    ${commitText(commits)}`);
        ctx.out(`wake-up:    ${wakeText(wake)}`);
        ctx.out(`clock:      ${clockText(clock, toleratedMs)}`);
        if (spread.measured > 0) {
          const verdict = spread.spreadMs! > toleratedMs ? "WARNING: more than" : "within";
          ctx.out(
            `            ${spread.measured} worker(s) measured their clocks: they span ${spread.spreadMs} ms (${verdict} the ${toleratedMs} ms the lease tolerates)`,
          );
        }
        ctx.out(`limits:     ${limitsText(limits.strict)}`);
        if (hooksOn(config) || hooks.waiting > 0) {
          ctx.out(`hooks:      ${hooksText(config, hooks)}`);
        }
        if (flags.repair) ctx.out(`repaired: ${repaired} key(s) rewritten`);
        ctx.out(`checked ${jobs} job(s): ${violations.length} violation(s)`);
        for (const v of violations) ctx.out(`  ${v.kind}: ${v.detail}`);
        if (unverified.length > 0) {
          ctx.out(
            `not verified: counter(s) ${
              unverified.join(", ")
            } changed during every read (the queue is busy); run doctor again when it is quieter`,
          );
        }
      }
      if (violations.length > 0) {
        throw new OperationError(`doctor found ${violations.length} violation(s)`);
      }
    },
  });
}

/**
 * How far apart the clocks of the registered workers are: the spread of the offsets they
 * measured against the server (pure). Null spread when none has measured.
 */
function offsetSpread(
  workers: { clock_offset_ms?: number | null }[],
): { measured: number; spreadMs: number | null } {
  const offsets = workers.map((w) => w.clock_offset_ms).filter((o): o is number =>
    typeof o === "number"
  );
  if (offsets.length === 0) return { measured: 0, spreadMs: null };
  return { measured: offsets.length, spreadMs: Math.max(...offsets) - Math.min(...offsets) };
}

function commitText(c: CommitTimes): string {
  const text = `${round(c.small_ms)} ms small, ${round(c.large_ms)} ms past 1 KB (medians of 3)`;
  if (!largeCommitsWait(c)) return text;
  return `${text}; WARNING: commits past 1 KB wait for a delayed ACK (Deno's KV client keeps ` +
    `Nagle on), so each job costs about 40 ms more: see docs/SCALING.md`;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function limitsJson() {
  return {
    checks_per_atomic: REMOTE_LIMITS.checks,
    mutations_per_atomic: REMOTE_LIMITS.mutations,
    bytes_per_atomic: 800 * 1024,
    ranges_per_read: REMOTE_LIMITS.getMany,
    entries_per_read: REMOTE_LIMITS.listLimit,
  };
}

function wakeText(w: WakeCheck): string {
  const how = w.kind === "watch"
    ? "kv.watch of the doorbell key"
    : w.kind === "inotify"
    ? "inotify doorbell file"
    : "polling only";
  if (w.kind === "none") return how;
  return w.delivered
    ? `${how}: delivered in ${round(w.ms!)} ms`
    : `${how}: NOT delivered within 3 s (workers fall back to polling every poll_interval_ms)`;
}

function clockText(c: ClockOffset | null, toleratedMs: number): string {
  if (!c) return "unknown (the server sent no Date header)";
  if (c.method === "same host") return "0 ms skew (one host, one clock)";
  const sign = c.offsetMs > 0 ? "+" : "";
  const verdict = Math.abs(c.offsetMs) > SKEW_WARN_MS ? "WARNING: above" : "within";
  return `server is ${sign}${c.offsetMs} ms ± ${c.uncertaintyMs} ms from this host (${verdict} ${SKEW_WARN_MS} ms; the lease tolerates up to ${toleratedMs} ms between hosts)`;
}

function limitsText(strict: boolean): string {
  const l = limitsJson();
  const what =
    `${l.checks_per_atomic} checks, ${l.mutations_per_atomic} mutations, 800 KiB per atomic op; ${l.ranges_per_read} ranges, ${l.entries_per_read} entries per read`;
  return strict
    ? `strict: remote limits enforced (${what})`
    : `local: up to 100 checks per atomic op (QUEUECTL_STRICT_LIMITS=1 enforces the remote ${what})`;
}

/** Outbox entries counted at most: beyond, doctor says "at least". */
const HOOKS_COUNTED = 1000;

/** The finish hooks configured and how many wait in the outbox (pure). */
function hooksText(config: Config, hooks: { waiting: number }): string {
  const set = [config.on_finish && "on_finish", config.on_finish_url && "on_finish_url"]
    .filter(Boolean).join(", ");
  const waiting = hooks.waiting >= HOOKS_COUNTED ? `at least ${HOOKS_COUNTED}` : hooks.waiting;
  return `${set || "none configured"}; ${waiting} waiting to run`;
}
