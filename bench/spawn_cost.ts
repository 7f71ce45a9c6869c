/**
 * What starting a job's process costs, by way of starting it: CPU per spawn of `sh -c true` in
 * this process and in its children (`/proc/self/stat`), from a process with Deno KV open as a
 * worker has. It shows what bounds B3: a new session through the `setsid` program costs about
 * twice a plain spawn, and `posix_spawn` with `POSIX_SPAWN_SETSID` (glibc, called here through
 * FFI with no pipes, as a measurement only) shows what a session without the extra exec costs.
 *
 * ```sh
 * deno run -A --unstable-kv bench/spawn_cost.ts [spawns=1000]
 * ```
 *
 * @module
 */
const n = Number(Deno.args[0] ?? "1000");
const tmp = await Deno.makeTempDir({ prefix: "queuectl-spawn-" });
const kv = await Deno.openKv(`${tmp}/x.kv`);
await kv.set(["x"], 1);

function cpu(): { self: number; kids: number } {
  const s = Deno.readTextFileSync("/proc/self/stat");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ").map(Number);
  const tick = 10; // ms per clock tick (CLK_TCK 100 on Linux)
  return { self: (f[11]! + f[12]!) * tick, kids: (f[13]! + f[14]!) * tick };
}

const piped = { stdin: "null", stdout: "piped", stderr: "piped" } as const;
async function viaCommand(cmd: string, args: string[], extra: Deno.CommandOptions = {}) {
  const c = new Deno.Command(cmd, { args, ...piped, ...extra }).spawn();
  await c.status;
  await c.stdout.cancel();
  await c.stderr.cancel();
}

const C_STRING = new TextEncoder();
const cString = (s: string) => C_STRING.encode(s + "\0");
function pointers(strings: Uint8Array[]): Uint8Array {
  const a = new BigUint64Array(strings.length + 1);
  strings.forEach((s, i) => (a[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(s)))));
  return new Uint8Array(a.buffer);
}
let ffiSpawn: (() => Promise<void>) | null = null;
try {
  const libc = Deno.dlopen("libc.so.6", {
    posix_spawn: {
      parameters: ["buffer", "buffer", "pointer", "buffer", "buffer", "buffer"],
      result: "i32",
    },
    posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
    posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
    waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32", nonblocking: true },
  });
  const attr = new Uint8Array(512);
  libc.symbols.posix_spawnattr_init(attr);
  libc.symbols.posix_spawnattr_setflags(attr, 0x80); // POSIX_SPAWN_SETSID
  const env = Object.entries(Deno.env.toObject()).map(([k, v]) => cString(`${k}=${v}`));
  const path = cString("/bin/sh");
  const argStrings = [cString("sh"), cString("-c"), cString("true")];
  const pid = new Int32Array(1);
  const status = new Uint8Array(4);
  ffiSpawn = async () => {
    const rc = libc.symbols.posix_spawn(
      new Uint8Array(pid.buffer),
      path,
      null,
      attr,
      pointers(argStrings),
      pointers(env),
    );
    if (rc !== 0) throw new Error(`posix_spawn: ${rc}`);
    await libc.symbols.waitpid(pid[0]!, status, 0);
  };
} catch {
  // No glibc: that row is left out.
}

const ways: [string, () => Promise<void>][] = [
  ["Deno.Command sh -c true (the B3 floor's spawn)", () => viaCommand("sh", ["-c", "true"])],
  ["Deno.Command setsid sh -c true (queuectl's)", () => viaCommand("setsid", ["sh", "-c", "true"])],
  [
    "Deno.Command sh -c true, detached: true",
    () => viaCommand("sh", ["-c", "true"], { detached: true }),
  ],
];
if (ffiSpawn) ways.push(["FFI posix_spawn SETSID sh -c true, no pipes", ffiSpawn]);
console.log(`${n} spawns each, load ${Deno.readTextFileSync("/proc/loadavg").split(" ")[0]}`);
console.log("way".padEnd(48), "wall ms  self ms  children ms  total CPU ms (per spawn)");
for (let rep = 0; rep < 2; rep++) {
  for (const [name, spawn] of ways) {
    const a = cpu();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await spawn();
    const wall = (performance.now() - t0) / n;
    const b = cpu();
    const self = (b.self - a.self) / n;
    const kids = (b.kids - a.kids) / n;
    console.log(
      name.padEnd(48),
      wall.toFixed(3).padStart(7),
      self.toFixed(3).padStart(8),
      kids.toFixed(3).padStart(12),
      (self + kids).toFixed(3).padStart(13),
    );
  }
}
kv.close();
await Deno.remove(tmp, { recursive: true });
