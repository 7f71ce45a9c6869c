/**
 * Which of queuectl's commits reach the size at which Deno's remote KV client splits a request
 * (1,024 bytes of body; docs/SCALING.md). Runs the KV Connect test server in this process with a
 * hook on every `atomic_write`, enqueues `--jobs` `true` jobs through the CLI, drains them with
 * one `worker run`, and prints each commit: its body size, checks, mutations, and the readable
 * parts of its keys with each value's size.
 *
 * ```sh
 * deno run -A bench/lab/remote_commit_bodies.ts [--jobs 3] [--command true]
 * ```
 *
 * @module
 */
import {
  bytesField,
  decodeMessage,
  messagesField,
  type WireMessage,
} from "../../tests/support/protobuf_wire.ts";
import { SPLIT_BODY_BYTES, startKvConnectServer } from "../../tests/support/kv_connect_server.ts";
import { CONFIG, DENO, MAIN, run, waitUntil } from "../lib.ts";

const argv = [...Deno.args];
const flag = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const jobs = Number(flag("--jobs", "3"));
const command = flag("--command", "true");
const token = "queuectl-lab-token-0123";

const lines: string[] = [];
await using server = await startKvConnectServer({
  token,
  onAtomicWrite: (body) => lines.push(describe(body)),
});
const env = { QUEUECTL_DB: server.url, DENO_KV_ACCESS_TOKEN: token, NO_COLOR: "1" };
const cli = (args: string[]) =>
  run(DENO, ["run", "-A", "--config", CONFIG, MAIN, ...args], { env });

for (let i = 0; i < jobs; i++) await cli(["enqueue", "--command", command]);
const worker = new Deno.Command(DENO, {
  args: ["run", "-A", "--config", CONFIG, MAIN, "worker", "run"],
  env,
  stdin: "null",
  stdout: "null",
  stderr: "null",
}).spawn();
try {
  await waitUntil(
    "the drain",
    async () => {
      const out = await cli(["status", "--json"]);
      return JSON.parse(out.stdout).counts.completed >= jobs;
    },
    60_000,
    100,
  );
} finally {
  worker.kill("SIGTERM");
  await worker.status;
}
console.log(lines.join("\n"));
const w = server.writes;
console.log(
  `\n${w.count} commits, ${w.split} of ${SPLIT_BODY_BYTES} bytes or more, largest ${w.max} bytes`,
);

/** One line per commit: size, counts, then each mutation's key text and value size. */
function describe(body: Uint8Array): string {
  const msg = decodeMessage(body);
  const checks = messagesField(msg, 1);
  const mutations = messagesField(msg, 2);
  const flag = body.length >= SPLIT_BODY_BYTES ? "SPLIT" : "     ";
  const parts = mutations.map((m: WireMessage) => {
    const key = keyText(bytesField(m, 1));
    const value = bytesField(decodeMessage(bytesField(m, 2)), 1).length;
    return `${key}=${value}`;
  });
  return `${flag} ${String(body.length).padStart(5)} B  ${checks.length}c ${mutations.length}m  ` +
    parts.join(" ");
}

/** The printable runs of a raw key, joined by `/`. */
function keyText(key: Uint8Array): string {
  return new TextDecoder().decode(key).split(/[^\x20-\x7e]+/).filter((s) => s).join("/");
}
