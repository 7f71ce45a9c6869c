/**
 * A program that only imports `commander`, the CLI's argument parser (an npm package): `deno run`
 * of it, against the empty script, shows what loading npm code costs at start-up (B1 baseline).
 *
 * @module
 */
import { Command } from "commander";

void Command;
