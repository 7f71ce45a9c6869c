/**
 * Small builders for the parser's parameter specs, so each command reads like its flag list.
 * Every value is taken as text and validated by the command, which owns its error messages.
 *
 * @module
 */

/** An optional option that takes a value, e.g. `--id <id>`. */
export function optional(brief: string, placeholder: string) {
  return { kind: "parsed", parse: String, brief, placeholder, optional: true } as const;
}

/** An option that takes a value and falls back to `value` when absent. */
export function withDefault(brief: string, placeholder: string, value: string) {
  return { kind: "parsed", parse: String, brief, placeholder, default: value } as const;
}

/** An option that must be given. */
export function required(brief: string, placeholder: string) {
  return { kind: "parsed", parse: String, brief, placeholder } as const;
}

/** An option that may be repeated; its values in order. */
export function repeatable(brief: string, placeholder: string) {
  return {
    kind: "parsed",
    parse: String,
    brief,
    placeholder,
    variadic: true,
    optional: true,
  } as const;
}

/** A switch such as `--json`; undefined when absent. */
export function toggle(brief: string) {
  return { kind: "boolean", brief, optional: true, withNegated: false } as const;
}

/** A positional argument. */
export function positional(placeholder: string, brief: string) {
  return { brief, placeholder, parse: String } as const;
}

/** An optional positional argument. */
export function optionalPositional(placeholder: string, brief: string) {
  return { brief, placeholder, parse: String, optional: true } as const;
}
