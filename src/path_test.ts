import assert from "node:assert/strict";
import { dirname, join } from "./path.ts";

Deno.test("join puts one slash between segments and skips empty ones", () => {
  assert.equal(join("/home/me", ".queuectl", "queue.kv"), "/home/me/.queuectl/queue.kv");
  assert.equal(join("/home/me/", "/x"), "/home/me/x");
  assert.equal(join("a", "", "b"), "a/b");
  assert.equal(join(), ".");
});

Deno.test("dirname matches dirname(1)", () => {
  assert.equal(dirname("/tmp/q.db"), "/tmp");
  assert.equal(dirname("/tmp/dir/"), "/tmp");
  assert.equal(dirname("q.db"), ".");
  assert.equal(dirname("/q.db"), "/");
  assert.equal(dirname("/"), "/");
  assert.equal(dirname("a//b"), "a");
});
