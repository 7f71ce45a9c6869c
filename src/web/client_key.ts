/**
 * The address a client is counted under by the connection cap and the login limit. An IPv6 host
 * is usually given a whole /64, so counting each of its addresses apart would let one machine
 * open millions of "clients"; it is counted by its /64 instead.
 *
 * @module
 */

/**
 * The key of a remote address (pure): an IPv4 address as it is (also when written IPv4-mapped,
 * `::ffff:192.0.2.7`), an IPv6 one as its /64 (`2001:db8:0:1::/64`).
 *
 * @example
 * ```ts
 * clientKey("192.0.2.7"); // "192.0.2.7"
 * clientKey("2001:db8:0:1:aaaa::1"); // "2001:db8:0:1::/64"
 * clientKey("::1"); // "::1"
 * ```
 */
export function clientKey(hostname: string): string {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(h);
  if (mapped) return mapped[1]!;
  if (!h.includes(":") || h === "::1") return h;
  const groups = expandIpv6(h);
  if (groups === null) return h;
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function expandIpv6(h: string): number[] | null {
  const halves = h.split("::");
  if (halves.length > 2) return null;
  const part = (s: string) => (s === "" ? [] : s.split(":"));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  // A trailing dotted IPv4 part stands for two groups.
  const last = tail.length ? tail : head;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(last[last.length - 1] ?? "");
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    last.splice(last.length - 1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
  }
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}
