import { equal, ok } from "node:assert/strict";
import { offsetFromSamples } from "./clock.ts";
import { tempStore } from "../../tests/factory.ts";
import { measureClockOffset } from "./clock.ts";

Deno.test("no samples give no offset", () => {
  equal(offsetFromSamples([]), null);
});

Deno.test("one Date sample bounds the offset to its second plus the round trip", () => {
  const got = offsetFromSamples([{ sentAt: 10_400, receivedAt: 10_402, serverSecond: 15_000 }])!;
  // The server's clock read 15.000–15.999 s while ours read 10.400–10.402 s.
  equal(got.offsetMs, 5099);
  equal(got.uncertaintyMs, 501);
});

Deno.test("samples across a tick of the server's second pin the offset down", () => {
  // A server 250 ms ahead: its second ticks over when our clock reads x.750.
  const server = (local: number) => Math.floor((local + 250) / 1000) * 1000;
  const samples = [700, 740, 760, 800].map((t) => ({
    sentAt: 20_000 + t,
    receivedAt: 20_000 + t + 1,
    serverSecond: server(20_000 + t),
  }));
  const got = offsetFromSamples(samples)!;
  ok(Math.abs(got.offsetMs - 250) <= got.uncertaintyMs, JSON.stringify(got));
  ok(got.uncertaintyMs <= 20, `uncertainty ${got.uncertaintyMs}`);
});

Deno.test("samples that contradict each other (a clock stepped) fall back to the last one", () => {
  const got = offsetFromSamples([
    { sentAt: 1000, receivedAt: 1001, serverSecond: 1000 },
    { sentAt: 2000, receivedAt: 2001, serverSecond: 60_000 },
  ])!;
  ok(got.offsetMs > 57_000 && got.offsetMs < 59_000, JSON.stringify(got));
});

Deno.test("a local store shares this host's clock: zero skew, nothing measured", async () => {
  await using store = await tempStore();
  const got = await measureClockOffset(store);
  equal(got?.method, "same host");
  equal(got?.offsetMs, 0);
});
