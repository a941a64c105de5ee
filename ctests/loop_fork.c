/* ev_loop_fork / EVFLAG_FORKCHECK: after fork() the child re-initialises
 * the backend, fork watchers run in the child (only), io and timers keep
 * working in both processes. */
#include <ev.h>
#include "testutil.h"

static int nfork, nio, nt;
static void fork_cb(struct ev_loop *loop, ev_fork *w, int revents)
{
  (void)loop; (void)w;
  if (revents != EV_FORK) nfork += 1000;
  nfork++;
}
static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
  char buf[16];
  if (revents != EV_READ) nio += 1000;
  if (read(w->fd, buf, sizeof buf) > 0) nio++;
  ev_break(loop, EVBREAK_ALL);
}
static void t_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  nt++;
  ev_break(loop, EVBREAK_ALL);
}

/* runs in the child: returns the exit code (0 = ok) */
static int child_body(struct ev_loop *loop, int p_wr, int call_loop_fork, ev_timer *guard)
{
  ev_timer t;
  if (call_loop_fork) ev_loop_fork(loop);
  /* the fork watcher only runs once ev_run is entered */
  if (nfork != 0) return 20;
  if (write(p_wr, "c", 1) != 1) return 21;
  ev_run(loop, 0);
  if (nfork != 1) { fprintf(stderr, "child nfork=%d\n", nfork); return 22; }
  if (nio != 1) { fprintf(stderr, "child nio=%d\n", nio); return 23; }
  /* timers work in the child too */
  ev_timer_stop(loop, guard);
  ev_timer_init(&t, t_cb, 0.002, 0.);
  ev_timer_start(loop, &t);
  ev_run(loop, 0);
  if (nt != 1) return 24;
  /* no further fork events without another fork */
  ev_run(loop, EVRUN_NOWAIT);
  if (nfork != 1) return 25;
  return 0;
}

static void run_case(unsigned flags, int call_loop_fork)
{
  struct ev_loop *loop;
  ev_fork fw;
  ev_io io;
  ev_timer guard;
  int p[2];
  pid_t pid;
  int status = 0;

  nfork = nio = nt = 0;
  CHECK_EQ_INT(pipe(p), 0);
  loop = ev_loop_new(flags);
  CHECK(loop != NULL);
  if (!loop) return;
  ev_fork_init(&fw, fork_cb);
  ev_fork_start(loop, &fw);
  ev_io_init(&io, io_cb, p[0], EV_READ);
  ev_io_start(loop, &io);
  ev_timer_init(&guard, t_cb, 2., 0.); /* safety net */
  ev_timer_start(loop, &guard);
  /* backend state exists before the fork */
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(nfork, 0);

  fflush(NULL);
  pid = fork();
  if (pid == 0) {
    alarm(5);
    _exit(child_body(loop, p[1], call_loop_fork, &guard));
  }
  CHECK(pid > 0);
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK_EQ_INT(WEXITSTATUS(status), 0);

  /* parent: no fork event, io still works (the child consumed its byte) */
  CHECK_EQ_INT(write(p[1], "p", 1), 1);
  ev_run(loop, 0);
  CHECK_EQ_INT(nfork, 0);
  CHECK_EQ_INT(nio, 1);
  CHECK_EQ_INT(nt, 0);

  ev_fork_stop(loop, &fw);
  ev_io_stop(loop, &io);
  ev_timer_stop(loop, &guard);
  ev_loop_destroy(loop);
  close(p[0]);
  close(p[1]);
}

int main(void)
{
  ALARM_GUARD(10);
  /* explicit ev_loop_fork in the child */
  run_case(0, 1);
  /* EVFLAG_FORKCHECK: detected automatically, without ev_loop_fork (this
   * flag is kept even when LIBEV_FLAGS overrides the other flags) */
  run_case(EVFLAG_FORKCHECK, 0);
  /* ev_loop_fork when nothing forked: fork watchers run on the next
   * iteration anyway, loop keeps working */
  {
    struct ev_loop *loop = ev_loop_new(0);
    ev_fork fw;
    ev_timer t;
    CHECK(loop != NULL);
    if (loop) {
      nfork = nt = 0;
      ev_fork_init(&fw, fork_cb);
      ev_fork_start(loop, &fw);
      ev_run(loop, EVRUN_NOWAIT);
      CHECK_EQ_INT(nfork, 0);
      ev_loop_fork(loop);
      CHECK_EQ_INT(nfork, 0);
      ev_timer_init(&t, t_cb, 0.002, 0.);
      ev_timer_start(loop, &t);
      ev_run(loop, 0);
      CHECK_EQ_INT(nfork, 1);
      CHECK_EQ_INT(nt, 1);
      ev_run(loop, EVRUN_NOWAIT);
      CHECK_EQ_INT(nfork, 1);
      ev_fork_stop(loop, &fw);
      ev_loop_destroy(loop);
    }
  }
  TEST_DONE();
}
