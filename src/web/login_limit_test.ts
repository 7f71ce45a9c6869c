import { match, ok, strictEqual } from "node:assert/strict";
import { post, webFixture } from "../../tests/web_fixture.ts";
import { LOGIN_LIMITS, LoginLimiter, loginWait } from "./login_limit.ts";

const TOKEN = "s3cret-token-0123456789";

Deno.test("loginWait allows five wrong tokens a minute, then says how long to wait", () => {
  strictEqual(loginWait([], 0), 0);
  strictEqual(loginWait([0, 1, 2, 3], 4), 0, "four failures: one more try");
  strictEqual(loginWait([0, 1, 2, 3, 4], 10), 59_990, "until the first is a minute old");
  strictEqual(loginWait([0, 1, 2, 3, 4], 59_999), 1);
  strictEqual(loginWait([0, 1, 2, 3, 4], 60_000), 0, "the first one has left the window");
  strictEqual(loginWait([0, 1, 2, 3, 4, 30_000], 60_000), 1, "the next oldest counts then");
  strictEqual(loginWait([0, 1], 5, { failures: 2, windowMs: 10 }), 5);
  strictEqual(LOGIN_LIMITS.failures, 5);
});

Deno.test("LoginLimiter counts per address and forgets the stalest address beyond its cap", () => {
  const limiter = new LoginLimiter({ failures: 2, windowMs: 1000, maxClients: 2 });
  limiter.failed("a", 0);
  limiter.failed("a", 1);
  strictEqual(limiter.wait("a", 2), 998);
  strictEqual(limiter.wait("b", 2), 0, "another address is not held back");
  limiter.failed("b", 3);
  limiter.failed("c", 4); // a third address: "a", the stalest, is forgotten
  strictEqual(limiter.wait("a", 5), 0);
  strictEqual(limiter.wait("a", 1001), 0);
});

Deno.test("POST /login refuses an address after five wrong tokens with 429 and Retry-After", async () => {
  await using web = await webFixture({ token: TOKEN });
  const attacker = { address: "192.0.2.7" };
  const form = (token: string) =>
    post("/login", `token=${encodeURIComponent(token)}`, {
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
  for (let i = 0; i < 5; i++) {
    const res = await web.handle(form(`guess-${i}`), attacker);
    strictEqual(res.status, 401, `guess ${i}`);
    await res.body?.cancel();
  }
  for (const token of ["guess-5", TOKEN]) {
    const res = await web.handle(form(token), attacker);
    strictEqual(res.status, 429, "even the right token waits: guessing must cost time");
    const retry = Number(res.headers.get("retry-after"));
    ok(retry > 55 && retry <= 60, `Retry-After ${retry}`);
    strictEqual(res.headers.get("set-cookie"), null);
    match(await res.text(), /^too many wrong tokens from 192\.0\.2\.7: try again in \d+ s\n$/);
  }
  const owner = await web.handle(form(TOKEN), { address: "127.0.0.1" });
  strictEqual(owner.status, 303, "another address logs in");
  strictEqual(web.logs.length, 0);
});
