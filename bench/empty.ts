/**
 * An empty program: `deno run` of it measures the runtime's own start-up cost (B1 baseline).
 *
 * @module
 */
export {};
