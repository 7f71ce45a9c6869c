/**
 * `queuectl config show | get KEY | set KEY VALUE | reset`.
 *
 * @module
 */
import { Command } from "commander";
import {
  CONFIG_DESCRIPTIONS,
  CONFIG_KEYS,
  DEFAULT_CONFIG,
  formatConfigValue,
  normalizeConfigKey,
  parseConfigValue,
} from "../config.ts";
import { readConfig, resetConfig, writeConfig } from "../store/mod.ts";
import type { Context } from "./context.ts";
import { table } from "./format.ts";

/** Builds the `config` command group. */
export function configCommand(ctx: Context): Command {
  const cmd = new Command("config").description(
    "runtime configuration (running workers pick up changes)",
  );
  cmd.command("show")
    .description("show every key, its value and its default")
    .option("--json", "print a JSON object")
    .action(async (flags: { json?: boolean }) => {
      const config = await readConfig(await ctx.store());
      if (flags.json) return ctx.out(JSON.stringify(config));
      ctx.out(table(
        ["KEY", "VALUE", "DEFAULT", "MEANING"],
        CONFIG_KEYS.map((k) => [
          k,
          formatConfigValue(k, config[k]),
          formatConfigValue(k, DEFAULT_CONFIG[k]),
          CONFIG_DESCRIPTIONS[k],
        ]),
        70,
      ));
    });
  cmd.command("get")
    .description("print one value")
    .argument("<key>", "a config key, snake_case or kebab-case")
    .action(async (name: string) => {
      const key = normalizeConfigKey(name);
      const config = await readConfig(await ctx.store());
      ctx.out(formatConfigValue(key, config[key]));
    });
  cmd.command("set")
    .description("set one value (validated)")
    .argument("<key>", "a config key, snake_case or kebab-case")
    .argument("<value>", "the new value")
    .action(async (name: string, text: string) => {
      const key = normalizeConfigKey(name);
      const value = parseConfigValue(key, text);
      await writeConfig(await ctx.store(), key, value);
      ctx.out(`${key} = ${formatConfigValue(key, value)}`);
    });
  cmd.command("reset")
    .description("forget every set value: the defaults apply again")
    .action(async () => {
      await resetConfig(await ctx.store());
      ctx.out("configuration reset to defaults");
    });
  return cmd;
}
