import { strictEqual } from "node:assert/strict";
import { clientKey } from "./client_key.ts";

Deno.test("clientKey keeps IPv4 addresses and counts an IPv6 client by its /64", () => {
  const cases: [string, string][] = [
    ["127.0.0.1", "127.0.0.1"],
    ["192.0.2.7", "192.0.2.7"],
    ["::ffff:192.0.2.7", "192.0.2.7"],
    ["::1", "::1"],
    ["[::1]", "::1"],
    ["2001:db8:0:1:aaaa::1", "2001:db8:0:1::/64"],
    ["2001:DB8:0:1:ffff:ffff:ffff:ffff", "2001:db8:0:1::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.7", "64:ff9b:0:0::/64"],
    ["not-an-address", "not-an-address"],
  ];
  for (const [hostname, key] of cases) strictEqual(clientKey(hostname), key, hostname);
});
