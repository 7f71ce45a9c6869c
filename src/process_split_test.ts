import { strictEqual } from "node:assert/strict";
import { defaultProcesses, SLOTS_PER_PROCESS } from "./process_split.ts";

Deno.test("defaultProcesses runs one worker process per 32 slots, at least one", () => {
  strictEqual(SLOTS_PER_PROCESS, 32);
  strictEqual(defaultProcesses(1), 1);
  strictEqual(defaultProcesses(32), 1);
  strictEqual(defaultProcesses(33), 2);
  strictEqual(defaultProcesses(64), 2);
  strictEqual(defaultProcesses(65), 3);
});
