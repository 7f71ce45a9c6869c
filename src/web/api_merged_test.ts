import { match, strictEqual } from "node:assert/strict";
import { enqueueAndClaim, report, SETTINGS, spec, T0 } from "../../tests/factory.ts";
import { errorOf, get, webFixture } from "../../tests/web_fixture.ts";
import { finishAttempt } from "../store/finish.ts";
import { writeOutputChunk } from "../store/output.ts";
import { writeOutputRuns } from "../store/output_runs.ts";

const enc = new TextEncoder();

Deno.test("GET /api/jobs/:id/logs?stream=merged interleaves the streams by their runs, names each stretch's stream, and follows from an offset", async () => {
  await using web = await webFixture();
  const c = await enqueueAndClaim(web.store, spec({ id: "a" }));
  const out = (text: string) =>
    writeOutputChunk(web.store, { id: "a", n: 1, stream: "stdout", chunk: 0 }, enc.encode(text));
  await out("o1\no2\n");
  await writeOutputChunk(
    web.store,
    { id: "a", n: 1, stream: "stderr", chunk: 0 },
    enc.encode("e1\n"),
  );
  // The runs name a stdout run not stored yet: a running attempt stops before it.
  await writeOutputRuns(web.store, { id: "a", n: 1 }, { runs: [3, -3, 3, 3], capped: false });
  let res = await web.handle(get("/api/jobs/a/logs?stream=merged"));
  strictEqual(res.status, 200);
  strictEqual(res.headers.get("x-queuectl-running"), "true");
  strictEqual(res.headers.get("x-queuectl-offset"), "9");
  strictEqual(await res.text(), "o1\ne1\no2\n");
  strictEqual(res.headers.get("x-queuectl-streams"), "o3,e3,o3", "stderr's stretches, for tinting");
  await out("o1\no2\no3\n");
  await finishAttempt(web.store, c, report(), { now: T0 + 5, settings: SETTINGS });
  res = await web.handle(get("/api/jobs/a/logs?stream=merged&offset=9"));
  strictEqual(res.headers.get("x-queuectl-running"), "false");
  strictEqual(res.headers.get("x-queuectl-offset"), "12");
  strictEqual(await res.text(), "o3\n");
  strictEqual(res.headers.get("x-queuectl-streams"), "o3");
  const plain = await web.handle(get("/api/jobs/a/logs?stream=stderr"));
  strictEqual(plain.headers.get("x-queuectl-streams"), null, "one stream needs no marks");
  await plain.body?.cancel();
});

Deno.test("GET /api/jobs/:id/output?stream=merged downloads the interleaved bytes as <id>-<n>.merged.log", async () => {
  await using web = await webFixture();
  await enqueueAndClaim(web.store, spec({ id: "a" }));
  await writeOutputChunk(
    web.store,
    { id: "a", n: 1, stream: "stdout", chunk: 0 },
    enc.encode("o1o2"),
  );
  await writeOutputChunk(
    web.store,
    { id: "a", n: 1, stream: "stderr", chunk: 0 },
    enc.encode("e1"),
  );
  await writeOutputRuns(web.store, { id: "a", n: 1 }, { runs: [2, -2, 2], capped: false });
  const res = await web.handle(get("/api/jobs/a/output?stream=merged"));
  strictEqual(res.status, 200);
  strictEqual(res.headers.get("content-disposition"), 'attachment; filename="a-1.merged.log"');
  strictEqual(await res.text(), "o1e1o2");
});

Deno.test("a bad stream value on the logs and output routes is a one-line 400 naming the three choices", async () => {
  await using web = await webFixture();
  await enqueueAndClaim(web.store, spec({ id: "a" }));
  for (const path of ["/api/jobs/a/logs?stream=both", "/api/jobs/a/output?stream=MERGED"]) {
    const message = await errorOf(await web.handle(get(path)), 400);
    match(message, /^stream must be stdout or stderr or merged, got "(both|MERGED)"$/, path);
  }
  strictEqual(web.logs.length, 0);
});
