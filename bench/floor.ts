/**
 * The machine's floor for B3: spawns `sh -c true` N times in a row with `Deno.Command`, from this
 * one process, and prints `{"n", "start", "end"}` (epoch ms) as JSON. The bench runs one copy of
 * it, or two in parallel, to get the one-process and two-process floors.
 *
 * Usage: `deno run -A bench/floor.ts N`
 *
 * @module
 */
const n = Number(Deno.args[0] ?? "1000");
const cmd = new Deno.Command("sh", {
  args: ["-c", "true"],
  stdin: "null",
  stdout: "null",
  stderr: "null",
});
const start = performance.timeOrigin + performance.now();
for (let i = 0; i < n; i++) {
  const status = await cmd.spawn().status;
  if (!status.success) throw new Error(`sh -c true failed: ${status.code}`);
}
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
