import { chromium } from "playwright-core";
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const p = await b.newPage({ viewport: { width: 1280, height: 800 } });
p.on("pageerror", (e) => console.log("PAGEERROR", e.message));
p.on("console", (m) => console.log("CONSOLE", m.type(), m.text()));
for (
  const [name, hash] of [["ov", "#/"], ["jobs", "#/jobs"], ["job", "#/job/xss"], ["dlq", "#/dlq"], [
    "enq",
    "#/enqueue",
  ]]
) {
  await p.goto("http://127.0.0.1:18080/" + hash);
  await p.waitForTimeout(1500);
  await p.screenshot({ path: `/tmp/shot_${name}.png` });
}
await b.close();
