/**
 * A program that only imports `@stricli/core`, the CLI's argument parser (an npm package):
 * `deno run` of it, against the empty script, shows what loading the parser costs at start-up
 * (B1 baseline).
 *
 * @module
 */
import { run } from "@stricli/core";

void run;
