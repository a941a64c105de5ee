/* ev_fork watchers: invoked (revents EV_FORK, once) at the start of the
 * next loop iteration after ev_loop_fork() in the child, on the default
 * loop and on a dynamic loop; not invoked in the parent; not invoked in a
 * child that does not call ev_loop_fork (no EVFLAG_FORKCHECK); a stopped
 * fork watcher is not invoked; ev_loop_fork without a real fork also
 * triggers them, ahead of a waiting idle watcher (fork watchers are
 * invoked at the very start of the iteration). */
#include <ev.h>
#include "testutil.h"

static int nfork, bad_revents, order, fork_order, idle_order;

static void fork_cb(struct ev_loop *loop, ev_fork *w, int revents)
{
  (void)loop; (void)w;
  if (revents != EV_FORK) bad_revents++;
  nfork++;
  fork_order = ++order;
}

static void idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)revents;
  idle_order = ++order;
  ev_idle_stop(loop, w);
}

static unsigned env_backend(void)
{
  const char *e = getenv("LIBEV_FLAGS");
  return e ? (unsigned)atoi(e) & EVBACKEND_MASK : 0;
}

/* fork; the child runs body() and exits with its result */
static int in_child(int (*body)(struct ev_loop *), struct ev_loop *loop)
{
  int status = 0;
  pid_t pid;
  fflush(NULL);
  pid = fork();
  if (pid < 0) { perror("fork"); return -1; }
  if (pid == 0) {
    alarm(3);
    _exit(body(loop));
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(status)) return -2;
  return WEXITSTATUS(status);
}

static int child_with_loop_fork(struct ev_loop *loop)
{
  int i;
  ev_loop_fork(loop);
  if (nfork != 0) return 10; /* not synchronously */
  ev_run(loop, EVRUN_NOWAIT);
  if (nfork != 1) return 11;
  for (i = 0; i < 3; i++) ev_run(loop, EVRUN_NOWAIT);
  if (nfork != 1) return 12;
  if (bad_revents) return 13;
  return 0;
}

static int child_without_loop_fork(struct ev_loop *loop)
{
  int i;
  for (i = 0; i < 3; i++) ev_run(loop, EVRUN_NOWAIT);
  return nfork ? 20 : 0;
}

static int child_stopped_watcher(struct ev_loop *loop)
{
  ev_loop_fork(loop);
  ev_run(loop, EVRUN_NOWAIT);
  return nfork ? 30 : 0;
}

int main(void)
{
  struct ev_loop *loops[2];
  ev_fork fw;
  ev_idle idle;
  int i;

  ALARM_GUARD(10);
  loops[0] = ev_default_loop(0);
  loops[1] = ev_loop_new(EVFLAG_NOENV | env_backend());
  CHECK(loops[0] && loops[1]);
  if (!loops[0] || !loops[1]) TEST_DONE();

  for (i = 0; i < 2; i++) {
    struct ev_loop *loop = loops[i];
    nfork = 0;
    ev_fork_init(&fw, fork_cb);
    ev_fork_start(loop, &fw);
    CHECK(ev_is_active(&fw));
    ev_run(loop, EVRUN_NOWAIT); /* a fork watcher does not fire by itself */
    CHECK_EQ_INT(nfork, 0);

    CHECK_EQ_INT(in_child(child_with_loop_fork, loop), 0);
    CHECK_EQ_INT(in_child(child_without_loop_fork, loop), 0);
    /* the parent is unaffected */
    ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(nfork, 0);

    /* ev_loop_fork without fork(): fork watchers run, before an idle
     * watcher of the same iteration */
    order = fork_order = idle_order = 0;
    ev_idle_init(&idle, idle_cb);
    ev_idle_start(loop, &idle);
    ev_loop_fork(loop);
    ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(nfork, 1);
    CHECK_EQ_INT(fork_order, 1);
    ev_run(loop, EVRUN_NOWAIT);
    ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(nfork, 1);
    CHECK_EQ_INT(idle_order, 2);

    /* stopped: not invoked */
    nfork = 0;
    ev_fork_stop(loop, &fw);
    CHECK(!ev_is_active(&fw));
    CHECK_EQ_INT(in_child(child_stopped_watcher, loop), 0);
    ev_idle_stop(loop, &idle);
  }

  CHECK_EQ_INT(bad_revents, 0);
  ev_loop_destroy(loops[1]);
  TEST_DONE();
}
