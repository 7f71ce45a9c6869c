import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { matchRoute, type Route } from "./router.ts";

const ok = () => new Response("ok");
const routes: Route[] = [
  { method: "GET", path: "/api/jobs", handle: ok },
  { method: "POST", path: "/api/jobs", handle: ok },
  { method: "GET", path: "/api/jobs/:id", handle: ok },
  { method: "DELETE", path: "/api/jobs/:id", handle: ok },
  { method: "POST", path: "/api/jobs/:id/retry", handle: ok },
];

Deno.test("matchRoute finds the route and decodes its params", () => {
  const found = matchRoute(routes, "GET", "/api/jobs/a%3Ab");
  strictEqual(found !== null && "route" in found && found.route, routes[2]);
  assertEquals(found !== null && "params" in found && found.params, { id: "a:b" });
  const retry = matchRoute(routes, "POST", "/api/jobs/x/retry");
  strictEqual(retry !== null && "route" in retry && retry.route, routes[4]);
});

Deno.test("matchRoute answers HEAD with the GET route", () => {
  const found = matchRoute(routes, "HEAD", "/api/jobs");
  strictEqual(found !== null && "route" in found && found.route, routes[0]);
});

Deno.test("matchRoute lists the allowed methods of a known path, and null for an unknown one", () => {
  assertEquals(matchRoute(routes, "PUT", "/api/jobs/x"), { allow: ["GET", "DELETE"] });
  strictEqual(matchRoute(routes, "GET", "/api/jobs/"), null, "an empty param matches nothing");
  strictEqual(matchRoute(routes, "GET", "/api/jobs/%E0%A4%A"), null, "a malformed escape");
  strictEqual(matchRoute(routes, "GET", "/api/nope"), null);
});
