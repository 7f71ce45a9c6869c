/**
 * Which commands are plain words, so a worker can exec them directly instead of through
 * `sh -c`: the shell is the largest CPU cost of a short job (#6 measured `sh` at about 0.8 ms of
 * CPU per job). The check is an allow-list, not a list of what is special: a word may hold only
 * ASCII letters, digits and `_ - . , / : @ % + =`, and words are separated by spaces or tabs.
 * Everything else, quotes, `\`, `$`, backticks, globs, `~`, braces, redirections, pipes, `&`,
 * `;`, parentheses, `#`, `!`, `^`, newlines and any non-ASCII byte, leaves the command to `sh`.
 * So does a first word holding `=` (`A=1 cmd` assigns a variable) or starting with `%` (a job
 * in bash), and a first word that is a keyword or builtin of `sh` (dash) or bash: a builtin
 * runs inside the shell, and even where an executable of the same name exists (`echo`,
 * `printf`, `test`, `kill`, `pwd`) it differs in details (`echo -e`, error messages, `pwd`'s
 * logical path). That holds for `true` and `false` too: their programs would do the same, but
 * the shell runs them as builtins with no second exec, so the shell costs one exec as the
 * program would, and the worker saves the PATH search (B3's `true` jobs measured 0.4 ms of
 * worker CPU a job more when run directly).
 *
 * @module
 */

const WORD = /^[A-Za-z0-9_\-.,/:@%+=]+$/;

// dash's builtins and keywords, and bash's (where sh is bash), plus a few words other shells
// treat specially. Conservative on purpose: a word here only costs a shell.
const SHELL_WORDS: ReadonlySet<string> = new Set([
  ...[".", ":", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo", "eval"],
  ...["exec", "exit", "export", "false", "fc", "fg", "getopts", "hash", "jobs", "kill"],
  ...["local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "times"],
  ...["trap", "true", "type", "ulimit", "umask", "unalias", "unset", "wait"],
  ...["if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until"],
  ...["for", "in", "function", "select", "time", "coproc"],
  ...["bind", "builtin", "caller", "compgen", "complete", "compopt", "declare", "dirs"],
  ...["disown", "enable", "help", "history", "let", "logout", "mapfile", "popd", "pushd"],
  ...["readarray", "shopt", "source", "suspend", "typeset", "newgrp", "login"],
]);

/**
 * The argv of `command` when it is only plain words (see the module doc), else null: null means
 * "let `sh -c` run it". Pure.
 *
 * @example
 * ```ts
 * plainWords("sleep 0.05"); // ["sleep", "0.05"]
 * plainWords("make -C build all"); // ["make", "-C", "build", "all"]
 * plainWords("echo $HOME"); // null: `$` is expanded by the shell
 * plainWords("A=1 env"); // null: an assignment
 * plainWords("cd /tmp"); // null: a builtin
 * plainWords("true"); // null: a builtin, as cheap in the shell
 * ```
 */
export function plainWords(command: string): string[] | null {
  const words = command.split(/[ \t]+/).filter((w) => w !== "");
  const first = words[0];
  if (first === undefined || !words.every((w) => WORD.test(w))) return null;
  // `A=1 cmd` assigns a variable; a leading `%` names a job in bash (`%1` resumes it).
  if (first.includes("=") || first.startsWith("%")) return null;
  if (SHELL_WORDS.has(first)) return null;
  return words;
}
