import assert from "node:assert/strict";
import { plainWords } from "./plain_words.ts";

Deno.test("plain words split on spaces and tabs into the program's argv", () => {
  assert.deepEqual(plainWords("sleep 0.05"), ["sleep", "0.05"]);
  assert.deepEqual(plainWords("  make\t-C  build   all "), ["make", "-C", "build", "all"]);
  assert.deepEqual(plainWords("./run.sh --level=3 a,b x:y user@host +5 50%"), [
    "./run.sh",
    "--level=3",
    "a,b",
    "x:y",
    "user@host",
    "+5",
    "50%",
  ]);
  assert.deepEqual(plainWords("/usr/bin/env FOO=1 printenv FOO"), [
    "/usr/bin/env",
    "FOO=1",
    "printenv",
    "FOO",
  ]);
  assert.deepEqual(plainWords("date +%s"), ["date", "+%s"]);
});

Deno.test("anything the shell would read as syntax leaves the command to the shell", () => {
  const shellish = [
    "echo 'a b'",
    'ls "x"',
    "ls a\\ b",
    "echo $HOME",
    "echo ${X}",
    "echo `date`",
    "ls *.ts",
    "ls a?",
    "ls [ab]",
    "ls ~",
    "ls ~/x",
    "echo {a,b}",
    "cat < in",
    "ls > out",
    "ls 2>&1",
    "ls | wc",
    "sleep 1 &",
    "true; false",
    "true && false",
    "(true)",
    "ls # comment",
    "ls\nls",
    "ls\rx",
    "! true",
    "ls a^b",
    "ls é",
    "ls\u00a0x",
  ];
  for (const command of shellish) assert.equal(plainWords(command), null, command);
});

Deno.test("an assignment, a job spec or nothing at all as the first word goes to the shell", () => {
  assert.equal(plainWords("A=1 env"), null);
  assert.equal(plainWords("PATH=/x ls"), null);
  assert.equal(plainWords("%1"), null);
  assert.equal(plainWords(""), null);
  assert.equal(plainWords(" \t "), null);
});

Deno.test("shell builtins and keywords go to the shell, true and false too", () => {
  const builtins = [
    "cd /tmp",
    "exit 3",
    "export A",
    ". file",
    ": x",
    "source file",
    "eval ls",
    "exec ls",
    "set -e",
    "unset A",
    "alias ll",
    "read x",
    "wait",
    "trap x INT",
    "ulimit -n",
    "umask 022",
    "if",
    "for x",
    "while true",
    "case x",
    "time ls",
    "echo hi",
    "printf x",
    "test -e x",
    "kill 1",
    "pwd",
    "command ls",
    "type ls",
    "hash",
    "local x",
    "return",
    "shift",
    "getopts",
    "declare x",
    "let x",
    "true --help",
    "false --version",
    "true",
    "false",
  ];
  for (const command of builtins) assert.equal(plainWords(command), null, command);
  // Only the first word is a command name: later words are plain arguments.
  assert.deepEqual(plainWords("nice -n 5 cd"), ["nice", "-n", "5", "cd"]);
  assert.deepEqual(plainWords("/usr/bin/echo hi"), ["/usr/bin/echo", "hi"]);
});
