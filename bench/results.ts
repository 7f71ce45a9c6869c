/**
 * The shape of one run's results: what bench.ts collects, results.json stores and the table and
 * the extra sections are built from.
 *
 * @module
 */
import type { B3 } from "./drain.ts";
import type { DepthPoint } from "./depth.ts";
import type { EndToEnd } from "./e2e.ts";
import type { B1, B2 } from "./enqueue_workloads.ts";
import type { Latency } from "./latency.ts";
import type { Primitives } from "./primitives.ts";
import type { EnqueueProfile, Profile } from "./profile.ts";
import type { Remote } from "./remote.ts";
import type { B5 } from "./retry.ts";

/** Everything one run found. */
export interface Results {
  primitives?: Primitives;
  B1?: B1;
  B2?: B2;
  B3?: B3;
  B4?: Latency;
  B5?: B5;
  B6?: { depths: DepthPoint[]; filled_with: string; capped: string | null };
  /** End-to-end latency of one job on idle slots, beside task-spooler's. */
  B8?: EndToEnd;
  profile?: Profile;
  profile_enqueue?: EnqueueProfile;
  /** Only with `--remote`. */
  R?: Remote;
}
