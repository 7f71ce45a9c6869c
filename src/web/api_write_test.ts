import { match } from "node:assert/strict";
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { checkInvariants, counters } from "../../tests/factory.ts";
import { errorOf, post, webFixture } from "../../tests/web_fixture.ts";

Deno.test("POST /api/jobs refuses the ids . and .. with a 400, since /api/jobs/.. cannot name them", async () => {
  await using web = await webFixture();
  const before = await counters(web.store);
  for (const id of [".", ".."]) {
    const res = await web.handle(post("/api/jobs", { id, command: "true" }));
    match(await errorOf(res, 400), /job id must not be "\." or "\.\."/);
  }
  assertEquals(await counters(web.store), before, "nothing was written");
  await checkInvariants(web.store);
});
