/**
 * Shell-native enqueue (#15 items 1 and 7a–c) through the real CLI and real workers: a shell
 * command as the argument, `--file --lines`, the ids of a bulk enqueue, the job's working
 * directory and environment, and that environment values never show outside `show --env`.
 */
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { cli, startWorkers, storeOf, type TempDb, tempDb, waitFor } from "./helpers.ts";
import { errorOf, get, jsonOf, post, webFixture } from "./web_fixture.ts";
import { enqueueJobs } from "../src/store/enqueue.ts";
import { keys } from "../src/store/keys.ts";
import { assertNothingWritten, expectRejected } from "./cli_rejects.ts";

Deno.test("a positional argument that does not start with { is a shell command", async () => {
  await using db = await tempDb();
  const r = await cli(db, ["enqueue", "make test", "--json", "--priority", "3"]);
  assertEquals(r.code, 0, r.stderr);
  const job = JSON.parse(r.stdout);
  assertEquals([job.command, job.priority], ["make test", 3]);
  const spec = await cli(db, ["enqueue", '{"command":"echo hi"}', "--json"]);
  assertEquals(JSON.parse(spec.stdout).command, "echo hi");
});

Deno.test("a shell command given both as the argument and as --command is refused", async () => {
  await using db = await tempDb();
  await expectRejected(db, [
    { args: ["enqueue", "make", "--command", "make test"], pattern: /not both/ },
  ]);
  await assertNothingWritten(db);
});

/** Runs the CLI and parses its JSON output, failing on a non-zero exit. */
async function json(db: TempDb, args: string[], options: Parameters<typeof cli>[2] = {}) {
  const r = await cli(db, args, options);
  assertEquals(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Waits until job `id` is in a final state, and returns it as `show --json` prints it. */
async function settled(db: TempDb, id: string) {
  return await waitFor(async () => {
    const job = await json(db, ["show", id, "--json"]);
    return ["completed", "dead", "canceled"].includes(job.state) ? job : null;
  }, { what: `job ${id} to end` });
}

Deno.test("a job runs in the enqueue call's folder with its --env, or in --cwd, and --env-all brings the calling shell's variables", async () => {
  await using db = await tempDb();
  const here = await Deno.makeTempDir({ dir: db.dir, prefix: "here-" });
  const there = await Deno.makeTempDir({ dir: here, prefix: "there-" });
  const show = 'echo "$(pwd) $GREETING ${ONLY_IN_SHELL:-unset}"';
  const ids = await Promise.all([
    json(db, ["enqueue", show, "--env", "GREETING=hi there", "--json"], { cwd: here }),
    json(db, ["enqueue", show, "--cwd", there.slice(here.length + 1), "--json"], { cwd: here }),
    json(db, ["enqueue", show, "--env-all", "--json"], {
      cwd: here,
      env: { ONLY_IN_SHELL: "yes" },
    }),
    json(db, ["enqueue", show, "--json"], { cwd: here, env: { ONLY_IN_SHELL: "yes" } }),
  ]);
  assertEquals(ids.map((j) => j.cwd), [here, there, here, here]);
  const workers = startWorkers(db, 2);
  try {
    const out = [];
    for (const { id } of ids) {
      assertEquals((await settled(db, id)).state, "completed");
      out.push((await cli(db, ["logs", id])).stdout.trim());
    }
    assertEquals(out, [
      `${here} hi there unset`,
      `${there}  unset`,
      `${here}  yes`,
      `${here}  unset`,
    ]);
  } finally {
    await workers.stop();
  }
});

Deno.test("a job whose folder is missing on the worker's host ends dead at once, without a retry", async () => {
  await using db = await tempDb();
  const gone = await Deno.makeTempDir({ dir: db.dir, prefix: "gone-" });
  const { id } = await json(db, ["enqueue", "true", "--cwd", gone, "--max-retries", "3", "--json"]);
  await Deno.remove(gone);
  const workers = startWorkers(db, 1, { env: { QUEUECTL_HOSTNAME: "h1" } });
  try {
    const job = await settled(db, id);
    assertEquals([job.state, job.attempts, job.last_error], [
      "dead",
      1,
      `cwd ${gone} does not exist on host h1`,
    ]);
  } finally {
    await workers.stop();
  }
});

Deno.test("env values never show in list, status, show or the JSON API, only in show --env", async () => {
  await using db = await tempDb();
  const secret = "s3cret-value-42";
  const { id } = await json(db, ["enqueue", "true", "--env", `TOKEN=${secret}`, "--json"]);
  const outputs = await Promise.all([
    cli(db, ["list", "--json"]),
    cli(db, ["list"]),
    cli(db, ["status", "--json"]),
    cli(db, ["show", id, "--json"]),
    cli(db, ["show", id]),
  ]);
  for (const r of outputs) {
    assertEquals(r.code, 0, r.stderr);
    ok(!r.stdout.includes(secret), r.stdout);
  }
  assertEquals(JSON.parse(outputs[3]!.stdout).env_names, ["TOKEN"]);
  const withEnv = await cli(db, ["show", id, "--env"]);
  ok(withEnv.stdout.includes(`TOKEN=${secret}`), withEnv.stdout);
  assertEquals((await json(db, ["show", id, "--env", "--json"])).env, { TOKEN: secret });
});

Deno.test("enqueue --file --lines takes one shell command per line, with every flag applied, and --json streams the ids it stored", async () => {
  await using db = await tempDb();
  const input = "echo one\n\n# a comment\n  echo two  \necho three\n";
  const r = await json(db, ["enqueue", "--file", "-", "--lines", "--priority", "7", "--json"], {
    stdin: input,
  });
  assertEquals(r.enqueued, 3);
  const listed = await json(db, ["list", "--json"]);
  assertEquals(
    listed.map((j: { command: string; priority: number }) => [j.command, j.priority]).sort(),
    [["echo one", 7], ["echo three", 7], ["echo two", 7]],
  );
  assertEquals([...r.ids].sort(), listed.map((j: { id: string }) => j.id).sort());
  const text = await cli(db, ["enqueue", "--file", "-", "--lines"], { stdin: "true\n" });
  assertEquals(text.stdout.trim(), "enqueued 1 jobs");
});

Deno.test("bad --cwd and --env input exits 2 with one line and writes nothing", async () => {
  await using db = await tempDb();
  const file = `${db.dir}/a-file`;
  await Deno.writeTextFile(file, "");
  await expectRejected(db, [
    {
      args: ["enqueue", "true", "--cwd", file],
      pattern: /cwd must be an existing folder.*not a folder/,
    },
    { args: ["enqueue", "true", "--cwd", `${db.dir}/nope`], pattern: /not found/ },
    { args: ["enqueue", "true", "--env", "NOEQUALS"], pattern: /KEY=VALUE.*without "="/ },
    { args: ["enqueue", "true", "--env", "=x"], pattern: /env name must match/ },
    { args: ["enqueue", "true", "--env", "1X=y"], pattern: /env name must match/ },
    { args: ["enqueue", "true", "--env", "A-B=y"], pattern: /env name must match/ },
    {
      args: ["enqueue", '{"command":"true","env":{"A":"\\ud800"}}'],
      pattern: /env A must be valid UTF-8/,
    },
    { args: ["enqueue", '{"command":"true","env":{"A":1}}'], pattern: /env "A" must be a string/ },
    { args: ["enqueue", '{"command":"true","cwd":7}'], pattern: /cwd must be an absolute path/ },
    {
      args: ["enqueue", "--file", "-", "--lines", "--env", "X"],
      pattern: /KEY=VALUE/,
      stdin: "true\n",
    },
    {
      args: ["enqueue", "--file", "-", "--lines", "--cwd", file],
      pattern: /line 1: cwd/,
      stdin: "true\n",
    },
    {
      args: ["enqueue", "--file", "-", "--lines"],
      pattern: /no commands in standard input/,
      stdin: "\n# x\n",
    },
    { args: ["enqueue", "true", "--lines"], pattern: /--lines .*--file/ },
  ]);
  await assertNothingWritten(db);
});

Deno.test("the JSON API never shows env values, and a job it enqueues runs in the worker's folder (cwd null)", async () => {
  await using web = await webFixture();
  const secret = "api-s3cret";
  const [job] = await enqueueJobs(web.store, [{ command: "true", priority: 0, timeout: null }], {
    now: Date.now(),
    maxRetries: 3,
    env: { TOKEN: secret },
  });
  for (const path of ["/api/jobs", `/api/jobs/${job!.id}`, "/api/status"]) {
    const res = await web.handle(get(path));
    assertEquals(res.status, 200);
    const body = await res.text();
    ok(!body.includes(secret), `${path}: ${body}`);
  }
  const one0 = await jsonOf<Record<string, unknown>>(
    await web.handle(get(`/api/jobs/${job!.id}`)),
    200,
  );
  assertEquals(one0.env_names, ["TOKEN"]);
  const posted = await jsonOf<{ id: string }>(
    await web.handle(post("/api/jobs", { command: "true", env: { A: "1" } })),
    201,
  );
  const one = await jsonOf<Record<string, unknown>>(
    await web.handle(get(`/api/jobs/${posted.id}`)),
    200,
  );
  assertEquals(one.cwd, null);
  const relative = await web.handle(post("/api/jobs", { command: "true", cwd: "src" }));
  match(await errorOf(relative, 400), /cwd must be an absolute path/);
});

Deno.test("1,000 jobs enqueued in one bulk call with a 4 KB environment store one copy of it", async () => {
  await using db = await tempDb();
  const lines = Array.from({ length: 1000 }, (_, i) => `echo ${i}`).join("\n");
  const r = await cli(
    db,
    ["enqueue", "--file", "-", "--lines", "--env", `BIG=${"x".repeat(4096)}`],
    {
      stdin: lines,
    },
  );
  assertEquals([r.code, r.stdout.trim()], [0, "enqueued 1000 jobs"], r.stderr);
  await using store = await storeOf(db);
  const envKeys = await store.db.list({ prefix: keys.envs() }, { limit: 1000 });
  assertEquals(envKeys.length, 1);
});

Deno.test("a job whose stored environment is missing is reported by doctor, and its attempt ends dead with a clear error", async () => {
  await using db = await tempDb();
  const { id, env_id } = await json(db, ["enqueue", "true", "--env", "A=1", "--json"]);
  {
    await using store = await storeOf(db);
    await store.db.kv.delete(keys.env(env_id, 0));
  }
  const doctor = await cli(db, ["doctor"]);
  ok(doctor.code !== 0 && doctor.stdout.includes(`env_missing: job ${id}`), doctor.stdout);
  const workers = startWorkers(db, 1);
  try {
    const job = await settled(db, id);
    assertEquals([job.state, job.attempts, job.last_error], [
      "dead",
      1,
      `environment ${env_id} of the job is missing from the database`,
    ]);
  } finally {
    await workers.stop();
  }
});
