/**
 * The command line of `deno task bench`.
 *
 * @module
 */

/** The command line of `deno task bench`. */
export interface Args {
  /** `--smoke`: tiny sizes, no timing asserted. */
  smoke: boolean;
  /** `--only`: the workload ids to run (upper case), or null for all. */
  only: Set<string> | null;
  /** `--out`: where results.json goes, or null for the default. */
  out: string | null;
  /** `--max-depth`: the deepest B6 depth, or null for the sizes' own. */
  maxDepth: number | null;
  /** `--budget`: the whole-run time limit in seconds, or null for the default. */
  budget: number | null;
  /** `--remote`: also run R, the workloads over a KV Connect server (smoke always does). */
  remote: boolean;
}

/** Parses the arguments; prints the usage and exits on `--help` or a bad argument. */
export function parseArgs(argv: string[]): Args {
  const args: Args = {
    smoke: false,
    only: null,
    out: null,
    maxDepth: null,
    budget: null,
    remote: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const eq = a.indexOf("=");
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === "--smoke") args.smoke = true;
    else if (a === "--remote") args.remote = true;
    else if (a.startsWith("--only")) {
      args.only = new Set(value().toUpperCase().split(",").map((s) => s.trim()));
    } else if (a.startsWith("--out")) args.out = value();
    else if (a.startsWith("--max-depth")) args.maxDepth = Number(value());
    else if (a.startsWith("--budget")) args.budget = Number(value());
    else if (a === "-h" || a === "--help") usage(null);
    else usage(`unknown argument ${a}`);
  }
  if (args.only?.has("R") && !args.remote && !args.smoke) usage("--only R needs --remote");
  return args;
}

function usage(error: string | null): never {
  const text =
    "usage: deno task bench [--smoke] [--remote] [--only P,B1,B2,B3,B4,B5,B6,B8,PROF,R] " +
    "[--max-depth N] [--budget SECONDS] [--out results.json]";
  if (error) {
    console.error(`bench: ${error}\n${text}`);
    Deno.exit(2);
  }
  console.log(text);
  Deno.exit(0);
}
