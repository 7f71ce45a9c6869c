/**
 * Helpers for one-line error messages: "did you mean" suggestions and a safe, short rendering of
 * any offending value.
 *
 * @module
 */

/**
 * Edit distance (insertions, deletions, substitutions) between two strings.
 *
 * @example
 * ```ts
 * levenshtein("comand", "command"); // 1
 * ```
 */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // One rolling row is enough: the words compared here are short field and key names.
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate closest to `word` (case-insensitive), or undefined when none is close enough
 * to be a plausible typo. Ties go to the earlier candidate.
 *
 * @example
 * ```ts
 * suggest("comand", ["id", "command", "priority"]); // "command"
 * suggest("xyz", ["id", "command"]); // undefined
 * ```
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const needle = word.toLowerCase();
  // Allow more edits for longer words; a 1-edit budget for short ones avoids silly guesses.
  const budget = needle.length <= 3 ? 1 : needle.length <= 6 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = levenshtein(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= budget ? best : undefined;
}

/**
 * Renders any value for an error message: strings quoted (JSON-escaped, so the message stays
 * on one line), numbers plain, objects as JSON, all cut to about `maxLength` characters.
 *
 * @example
 * ```ts
 * showValue("a\nb"); // "\"a\\nb\""
 * showValue(5000); // "5000"
 * showValue("x".repeat(100), 10); // "\"xxxxxxxxxx…\""
 * ```
 */
export function showValue(value: unknown, maxLength = 60): string {
  if (typeof value === "string") return JSON.stringify(truncate(value, maxLength));
  if (typeof value === "bigint") return `${value}n`;
  if (
    value === undefined || value === null || typeof value === "number" ||
    typeof value === "boolean" || typeof value === "symbol" || typeof value === "function"
  ) {
    return String(value);
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // Circular structures or BigInt members: fall back to the type tag.
  }
  return truncate(json ?? Object.prototype.toString.call(value), maxLength);
}

function truncate(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}
