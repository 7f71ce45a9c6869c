import { equal } from "node:assert/strict";
import { dropResultNote, notesDir, readResultNote, writeResultNote } from "./result_notes.ts";

Deno.test("a result note is read back for its run only, and gone once dropped; the folder is the user's alone", () => {
  const mark = { worker: `test/host:${Deno.pid}:${crypto.randomUUID()}`, job: "j 1", run: 2 };
  equal(readResultNote(mark), null);
  writeResultNote(mark, "result could not be written: database or disk is full");
  equal(readResultNote(mark), "result could not be written: database or disk is full");
  equal(readResultNote({ ...mark, run: 3 }), null);
  equal(readResultNote({ ...mark, job: "j" }), null);
  equal(Deno.statSync(notesDir()).mode! & 0o777, 0o700);
  dropResultNote(mark);
  equal(readResultNote(mark), null);
  dropResultNote(mark); // A second drop is harmless.
});
