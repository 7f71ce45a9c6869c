/**
 * The spawn floors B3 compares its drains with: `sh -c true` spawned from plain Deno processes
 * running bench/floor.ts, with no queue at all.
 *
 * @module
 */
import { DENO, ROOT, run } from "./lib.ts";
import { ticksPerSecond } from "./proc.ts";

/** The floor: `sh -c true` spawned from plain Deno processes. */
export interface Floor {
  /** Spawns in all. */
  spawns: number;
  /** Processes spawning in parallel. */
  processes: number;
  /** Spawns each process keeps in flight (1: back to back; K: the floor of K slots). */
  in_flight: number;
  /** Spawns per second, from the first child's first spawn to the last child's last exit. */
  per_s: number;
  /** CPU ms per spawn in the spawning Deno processes (user + sys, start-up included). */
  parent_cpu_ms_per_spawn: number;
  /** CPU ms per spawn in the shells themselves. */
  shell_cpu_ms_per_spawn: number;
}

/** Options of {@linkcode floor}. */
export interface FloorOptions {
  /** Deno processes sharing the spawns, in parallel. Default 1. */
  processes?: number;
  /** Spawns each process keeps running at once. Default 1 (back to back). */
  inFlight?: number;
}

/**
 * Runs the floor: `n` spawns shared by the processes, each keeping its spawns in flight.
 *
 * @example
 * ```ts
 * const two = await floor(2000, { processes: 2 }); // two processes, back to back
 * const eight = await floor(2000, { inFlight: 8 }); // one process, 8 at a time: 8 slots' floor
 * ```
 */
export async function floor(n: number, options: FloorOptions = {}): Promise<Floor> {
  const processes = options.processes ?? 1;
  const inFlight = options.inFlight ?? 1;
  const per = Math.ceil(n / processes);
  const outs = await Promise.all(
    Array.from(
      { length: processes },
      () => run(DENO, ["run", "-A", `${ROOT}/bench/floor.ts`, String(per), String(inFlight)]),
    ),
  );
  const marks = outs.map((o) => {
    if (o.code !== 0) throw new Error(`floor.ts exited ${o.code}: ${o.stderr.trim()}`);
    return JSON.parse(o.stdout) as {
      n: number;
      start: number;
      end: number;
      ticks: { self: number; children: number };
    };
  });
  const start = Math.min(...marks.map((m) => m.start));
  const end = Math.max(...marks.map((m) => m.end));
  const spawns = marks.reduce((a, m) => a + m.n, 0);
  const tick = 1000 / ticksPerSecond();
  const perSpawn = (ticks: number) => Math.round(ticks * tick / spawns * 1000) / 1000;
  return {
    spawns,
    processes,
    in_flight: inFlight,
    per_s: Math.round(spawns / ((end - start) / 1000)),
    parent_cpu_ms_per_spawn: perSpawn(marks.reduce((a, m) => a + m.ticks.self, 0)),
    shell_cpu_ms_per_spawn: perSpawn(marks.reduce((a, m) => a + m.ticks.children, 0)),
  };
}
