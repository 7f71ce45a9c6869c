/**
 * The machine's floor for B3: spawns `sh -c true` N times with `Deno.Command` from this one
 * process, K at a time (default 1: back to back), and prints `{"n", "start", "end", "ticks"}`
 * (epoch ms, CPU ticks) as JSON. The bench runs one copy of it, or two in parallel, to get the
 * one-process and two-process floors, and one copy with K in flight for the floor of K slots.
 *
 * Usage: `deno run -A bench/floor.ts N [K]`
 *
 * @module
 */
const n = Number(Deno.args[0] ?? "1000");
const inFlight = Math.max(1, Number(Deno.args[1] ?? "1"));
const cmd = new Deno.Command("sh", {
  args: ["-c", "true"],
  stdin: "null",
  stdout: "null",
  stderr: "null",
});
let left = n;
/** One lane: spawns the next one as soon as its last one exits, until none are left. */
async function lane(): Promise<void> {
  while (left > 0) {
    left--;
    const status = await cmd.spawn().status;
    if (!status.success) throw new Error(`sh -c true failed: ${status.code}`);
  }
}
const start = performance.timeOrigin + performance.now();
await Promise.all(Array.from({ length: Math.min(inFlight, n) }, lane));
const end = performance.timeOrigin + performance.now();
// CPU ticks of this process and of its (waited-for) children, the shells.
const stat = Deno.readTextFileSync("/proc/self/stat");
const [user, sys, childUser, childSys] = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  .slice(11, 15).map(Number);
console.log(
  JSON.stringify({
    n,
    start,
    end,
    ticks: { self: user! + sys!, children: childUser! + childSys! },
  }),
);
