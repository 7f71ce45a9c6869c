/**
 * `queuectl completions bash|zsh|fish`: each script names every command and flag of the
 * parser's tree, the bash one parses, and it completes through `compgen` in a real bash.
 *
 * @module
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { CommandContext, RouteMap } from "@stricli/core";
import { commandTree, type CompletionNode } from "../src/cli/completion_script.ts";
import type { Context } from "../src/cli/context.ts";
import { COMMANDS } from "../src/cli/mod.ts";
import { buildProgram } from "../src/cli/parser.ts";
import { assertOneLineError, cli, cliOk, tempDb } from "./helpers.ts";

async function tree(): Promise<CompletionNode> {
  const ctx = {} as Context; // building the routes touches no context
  const app = await buildProgram(ctx, {}, [], COMMANDS);
  return commandTree(app.root as RouteMap<CommandContext>, "");
}

function everything(node: CompletionNode): string[] {
  return [
    ...node.flags.map((f) => `--${f.long}`),
    ...node.children.flatMap((c) => [c.name, ...everything(c)]),
  ];
}

Deno.test("each completion script names every command, subcommand and flag of the command tree", async () => {
  await using db = await tempDb();
  const words = everything(await tree());
  for (const w of ["wait", "completions", "start", "--max-retries", "--any", "--all", "--db"]) {
    ok(words.includes(w), w);
  }
  ok(!words.includes("run"), "the hidden `worker run` is not offered");
  for (const shell of ["bash", "zsh", "fish"]) {
    const script = await cliOk(db, ["completions", shell]);
    const missing = words.filter((w) =>
      !new RegExp(`(^|[\\s"'(|/-])${w.replace(/^--?/, "")}([\\s"')|;]|$)`, "m").test(script)
    );
    deepStrictEqual(missing, [], `${shell} misses these`);
  }
  assertOneLineError(await cli(db, ["completions", "tcsh"]), 2, /unknown shell "tcsh"/);
  assertOneLineError(await cli(db, ["completions"]), 2);
});

Deno.test("the bash script parses with bash -n and completes through compgen in a real bash", async () => {
  await using db = await tempDb();
  const path = `${db.dir}/queuectl.bash`;
  await Deno.writeTextFile(path, await cliOk(db, ["completions", "bash"]));
  equal((await new Deno.Command("bash", { args: ["-n", path] }).output()).code, 0);
  const probe = `f=$1; source "$f"
c() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _queuectl; echo "\${COMPREPLY[*]}"; }
c queuectl wo; c queuectl worker st; c queuectl enqueue --max; c queuectl --db x.kv wa
c queuectl enqueue --file "$f"`;
  const out = await new Deno.Command("bash", { args: ["-c", probe, "probe", path] }).output();
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
  deepStrictEqual(new TextDecoder().decode(out.stdout).trim().split("\n"), [
    "worker",
    "start stop",
    "--max-retries",
    "wait",
    path,
  ]);
});
