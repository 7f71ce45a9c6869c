import assert from "node:assert/strict";
import { executable, findExecutable, type Ids, shellEnv } from "./exec_path.ts";

async function withTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "exec_path_test_" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function file(path: string, mode: number) {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, "#!/bin/sh\necho ran\n");
  await Deno.chmod(path, mode);
}

/** What dash itself finds for `name` with this PATH and cwd (`command -v`), or null. */
async function shFinds(name: string, path: string, cwd: string): Promise<string | null> {
  const out = await new Deno.Command("/bin/sh", {
    args: ["-c", `PATH='${path}'; command -v ${name}`],
    cwd,
  }).output();
  const found = new TextDecoder().decode(out.stdout).trim();
  return out.code === 0 && found !== "" ? found : null;
}

const me: Ids = { uid: Deno.uid() ?? 0, gid: Deno.gid() ?? 0 };

Deno.test("the first executable regular file on PATH wins, as dash finds it", async () => {
  await withTempDir(async (dir) => {
    await file(`${dir}/a/tool`, 0o644); // not executable: skipped
    await Deno.mkdir(`${dir}/b/tool`, { recursive: true }); // a folder: skipped
    await file(`${dir}/c/tool`, 0o755);
    await file(`${dir}/d/tool`, 0o755);
    const path = `${dir}/missing:${dir}/a:${dir}/b:${dir}/c:${dir}/d`;
    const found = findExecutable("tool", { path, cwd: "/", ids: me });
    assert.equal(found, `${dir}/c/tool`);
    // A cheap existence check first changes nothing but the cost of the misses.
    const exists = (p: string) => {
      try {
        Deno.statSync(p);
        return true;
      } catch {
        return false;
      }
    };
    assert.equal(findExecutable("tool", { path, cwd: "/", ids: me, exists }), found);
    assert.equal(found, await shFinds("tool", path, "/"));
  });
});

Deno.test("nothing executable on PATH is null, and so is an unset PATH or one with %", async () => {
  await withTempDir(async (dir) => {
    await file(`${dir}/a/tool`, 0o644);
    const path = `${dir}/a:${dir}/none`;
    assert.equal(findExecutable("tool", { path, cwd: "/", ids: me }), null);
    assert.equal(await shFinds("tool", path, "/"), null);
    assert.equal(findExecutable("true", { path: undefined, cwd: "/", ids: me }), null);
    assert.equal(findExecutable("true", { path: "/usr/bin%builtin", cwd: "/", ids: me }), null);
  });
});

Deno.test("empty and relative PATH entries start at the job's folder, as in dash", async () => {
  await withTempDir(async (dir) => {
    await file(`${dir}/tool`, 0o755);
    await file(`${dir}/rel/other`, 0o755);
    assert.equal(
      findExecutable("tool", { path: "/nowhere::/usr/bin", cwd: dir, ids: me }),
      `${dir}/tool`,
    );
    assert.equal(await shFinds("tool", "/nowhere::/usr/bin", dir), "tool");
    assert.equal(
      findExecutable("other", { path: "rel:/usr/bin", cwd: dir, ids: me }),
      `${dir}/rel/other`,
    );
    assert.equal(await shFinds("other", "rel:/usr/bin", dir), "rel/other");
  });
});

Deno.test("a name with a slash is a path from the job's folder and is not searched", () => {
  const options = { path: "/usr/bin", cwd: "/srv/app", ids: me };
  assert.equal(findExecutable("./run.sh", options), "/srv/app/./run.sh");
  assert.equal(findExecutable("bin/run", options), "/srv/app/bin/run");
  assert.equal(findExecutable("/bin/true", options), "/bin/true");
});

Deno.test("execute permission follows the owner, then the group, then other bits", () => {
  const f = (mode: number, uid = 1000, gid = 1000) =>
    ({ mode: 0o100000 | mode, uid, gid }) as Deno.FileInfo;
  assert.equal(executable(f(0o644), { uid: 0, gid: 0 }), false, "no x bit at all, even for root");
  assert.equal(executable(f(0o001, 5), { uid: 0, gid: 0 }), true, "root: any x bit");
  assert.equal(executable(f(0o700), { uid: 1000, gid: 1 }), true);
  assert.equal(executable(f(0o077), { uid: 1000, gid: 1000 }), false, "the owner's bit decides");
  assert.equal(executable(f(0o070), { uid: 2000, gid: 1000 }), true);
  assert.equal(executable(f(0o701), { uid: 2000, gid: 1000 }), false, "the group's bit decides");
  assert.equal(executable(f(0o711), { uid: 2000, gid: 3000 }), true);
  assert.equal(executable(f(0o700), { uid: 2000, gid: 3000 }), false);
  // Other says yes or no, but a supplementary group could decide otherwise: unsure.
  assert.equal(executable(f(0o701), { uid: 2000, gid: 3000 }), null);
  assert.equal(executable(f(0o710), { uid: 2000, gid: 3000 }), null);
});

Deno.test("an unsure permission stops the search rather than skipping to a later file", async () => {
  await withTempDir(async (dir) => {
    await file(`${dir}/a/tool`, 0o701);
    await file(`${dir}/b/tool`, 0o755);
    const stranger = { uid: 4242, gid: 4242 };
    const path = `${dir}/a:${dir}/b`;
    assert.equal(findExecutable("tool", { path, cwd: "/", ids: stranger }), null);
  });
});

Deno.test("the program's environment drops names the shell drops and sets PWD as dash does", async () => {
  const same = () => true;
  const other = () => false;
  assert.deepEqual(
    shellEnv({ A: "1", "A-B": "2", "1X": "3", _ok: "4" }, { realCwd: "/srv", samePwd: same }),
    { A: "1", _ok: "4", PWD: "/srv" },
  );
  assert.equal(shellEnv({ PWD: "/link" }, { realCwd: "/real", samePwd: same }).PWD, "/link");
  assert.equal(shellEnv({ PWD: "/old" }, { realCwd: "/real", samePwd: other }).PWD, "/real");
  assert.equal(shellEnv({ PWD: "rel" }, { realCwd: "/real", samePwd: same }).PWD, "/real");
  // Side by side with dash: the same variables reach a program it runs.
  await withTempDir(async (dir) => {
    const env = { KEEP: "1", "BAD-NAME": "2", PWD: "/nonexistent" };
    const out = await new Deno.Command("/bin/sh", {
      args: ["-c", "/usr/bin/env"],
      env,
      clearEnv: true,
      cwd: dir,
    }).output();
    const seen = new TextDecoder().decode(out.stdout).trim().split("\n").sort();
    const ours = Object.entries(shellEnv(env, { realCwd: dir, samePwd: other }))
      .map(([k, v]) => `${k}=${v}`).sort();
    assert.deepEqual(seen, ours);
  });
});
