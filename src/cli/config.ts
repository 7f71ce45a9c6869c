/**
 * `queuectl config show | get KEY | set KEY VALUE | reset`.
 *
 * @module
 */
import { buildCommand, buildRouteMap, type CommandContext, type RouteMap } from "@stricli/core";
import { CONFIG_DESCRIPTIONS, CONFIG_KEYS, DEFAULT_CONFIG, normalizeConfigKey } from "../config.ts";
import { formatConfigValue, parseConfigValue } from "../config_value.ts";
import { readConfig, resetConfig, writeConfig } from "../store/config_store.ts";
import type { Context } from "./context.ts";
import { table } from "./format.ts";
import { positional, toggle } from "./params.ts";

/** Builds the `config` command group. */
export function configCommand(ctx: Context): RouteMap<CommandContext> {
  const key = positional("key", "a config key, snake_case or kebab-case");
  return buildRouteMap({
    docs: { brief: "runtime configuration (running workers pick up changes)" },
    routes: {
      show: buildCommand({
        docs: { brief: "show every key, its value and its default" },
        parameters: { flags: { json: toggle("print a JSON object") } },
        func: async (flags: { json?: boolean }) => {
          const config = await readConfig(await ctx.store({ create: false }));
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
        },
      }),
      get: buildCommand({
        docs: { brief: "print one value" },
        parameters: {
          flags: { json: toggle('print {"key","value","default"}, values in their stored unit') },
          positional: { kind: "tuple", parameters: [key] },
        },
        func: async (flags: { json?: boolean }, name: string) => {
          const key = normalizeConfigKey(name);
          const config = await readConfig(await ctx.store({ create: false }));
          if (flags.json) {
            return ctx.out(
              JSON.stringify({ key, value: config[key], default: DEFAULT_CONFIG[key] }),
            );
          }
          ctx.out(formatConfigValue(key, config[key]));
        },
      }),
      set: buildCommand({
        docs: { brief: "set one value (validated)" },
        parameters: {
          flags: { json: toggle('print {"key","value"}, the value in its stored unit') },
          positional: { kind: "tuple", parameters: [key, positional("value", "the new value")] },
        },
        func: async (flags: { json?: boolean }, name: string, text: string) => {
          const key = normalizeConfigKey(name);
          const value = parseConfigValue(key, text);
          await writeConfig(await ctx.store(), key, value);
          if (flags.json) return ctx.out(JSON.stringify({ key, value }));
          ctx.out(`${key} = ${formatConfigValue(key, value)}`);
        },
      }),
      reset: buildCommand({
        docs: { brief: "forget every set value: the defaults apply again" },
        parameters: {},
        func: async () => {
          await resetConfig(await ctx.store({ create: false }));
          ctx.out("configuration reset to defaults");
        },
      }),
    },
  });
}
