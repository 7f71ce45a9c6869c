/**
 * A one-line progress bar on a terminal's stderr, silent when not a terminal.
 *
 * @module
 */
import type { Context } from "./context.ts";

/**
 * Progress of a long bulk operation.
 *
 * @example
 * ```ts
 * import type { Context } from "./context.ts";
 * declare const ctx: Context;
 * const p = new Progress(ctx, "enqueue", 100_000);
 * p.update(50_000);
 * p.done();
 * ```
 */
export class Progress {
  readonly #enabled: boolean;
  readonly #label: string;
  readonly #total: number | null;
  #last = 0;
  readonly #started = Date.now();

  /** @param ctx where to draw; @param label what is being done; total when known */
  constructor(ctx: Context, label: string, total: number | null = null) {
    this.#enabled = Deno.stderr.isTerminal() && ctx.isTty;
    this.#label = label;
    this.#total = total;
  }

  /** Redraws with `done` items finished (at most 10 times a second). */
  update(done: number): void {
    if (!this.#enabled) return;
    const now = Date.now();
    // Work that ends within a moment draws nothing: a bar that flashes once is noise.
    if (now - this.#started < 300 || now - this.#last < 100) return;
    this.#last = now;
    let line = `${this.#label}: ${done}`;
    if (this.#total) {
      const frac = Math.min(1, done / this.#total);
      const bar = "#".repeat(Math.round(frac * 30)).padEnd(30, ".");
      line = `${this.#label} [${bar}] ${done}/${this.#total}`;
    }
    Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}\x1b[K`));
  }

  /** Clears the line. */
  done(): void {
    if (this.#enabled && this.#last > 0) {
      Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
    }
  }
}
