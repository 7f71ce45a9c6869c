/*
 * Lab only (issue #17): forces TCP_NODELAY on whenever a program turns it off, which is what
 * `set_nodelay(true)` on the HTTP connector of Deno's fetch/KV client would do. With it, a
 * KV Connect commit past 1 KB no longer waits for the server's delayed ACK, against any server.
 *
 *   gcc -shared -fPIC -O2 -o /tmp/nodelay.so bench/lab/nodelay_preload.c -ldl
 *   LD_PRELOAD=/tmp/nodelay.so deno run -A bench/lab/remote_commit_size.ts --early-headers 0
 *
 * It affects every TCP socket of the process and its children. See docs/SCALING.md.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
  static int (*real)(int, int, int, const void *, socklen_t);
  if (!real) real = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
  if (level == IPPROTO_TCP && name == TCP_NODELAY) {
    int one = 1;
    return real(fd, level, name, &one, sizeof one);
  }
  return real(fd, level, name, val, len);
}
