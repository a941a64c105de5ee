/* The default loop reaps every child, watched or not: after the loop ran,
 * an exited child nobody watched is gone (waitpid: -1/ECHILD) and its
 * status is lost (a watcher started later is never invoked).  A stopped
 * child watcher is not invoked.  The loop's internal SIGCHLD watcher does
 * not keep ev_run alive, an active child watcher does.  ev_child_start on a non-default loop
 * aborts with libev's message. */
#include <ev.h>
#include "testutil.h"

static int ncb;
static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  ncb++;
}

static int nstop;
static void stop_cb(struct ev_loop *loop, ev_child *w, int revents)
{
  (void)revents;
  nstop++;
  ev_child_stop(loop, w);
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break(loop, EVBREAK_ONE);
}

static void child_on_other_loop(void)
{
  static ev_child w;
  struct ev_loop *l = ev_loop_new(0);
  if (!l) _exit(3);
  ev_child_init(&w, child_cb, 0, 0);
  ev_child_start(l, &w);
}

static void child_on_other_loop_no_default(void)
{
  static ev_child w;
  struct ev_loop *l = ev_loop_new(0);
  if (!l) _exit(3);
  ev_child_init(&w, child_cb, getpid(), 1);
  ev_child_start(l, &w);
}

/* 1 = zombie waiting to be reaped, 0 = still running, -1 = gone */
static int child_state(pid_t pid)
{
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
    return errno == ECHILD ? -1 : -2;
  return si.si_pid == pid ? 1 : 0;
}

/* run the loop in 10 ms slices until pid is reaped, at most ~1.5 s */
static int run_until_reaped(struct ev_loop *loop, pid_t pid)
{
  ev_timer tick;
  int i, st = 0;
  ev_timer_init(&tick, tick_cb, 0.01, 0.01);
  ev_timer_start(loop, &tick);
  for (i = 0; i < 150; i++) {
    ev_run(loop, 0);
    st = child_state(pid);
    if (st == -1) break;
  }
  ev_timer_stop(loop, &tick);
  return st;
}

int main(void)
{
  struct ev_loop *loop;
  ev_child w, w2;
  pid_t pid;
  int i;
  ev_tstamp t0;

  ALARM_GUARD(10);

  /* in a process without a default loop, and in one with one */
  expect_abort(child_on_other_loop_no_default, "libev: child watchers are only supported in the default loop");
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  expect_abort(child_on_other_loop, "libev: child watchers are only supported in the default loop");

  /* 1. an unwatched child is reaped by the default loop */
  fflush(NULL);
  pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) _exit(7);
  CHECK_EQ_INT(run_until_reaped(loop, pid), -1);
  errno = 0;
  CHECK_EQ_INT(waitpid(pid, NULL, WNOHANG), -1);
  CHECK_EQ_INT(errno, ECHILD);
  /* its status is gone: a watcher started now never hears of it */
  ev_child_init(&w, child_cb, pid, 0);
  ev_child_start(loop, &w);
  for (i = 0; i < 5; i++) ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(ncb, 0);
  ev_child_stop(loop, &w);

  /* 2. a watcher stopped before the child exits is not invoked, the child
   *    is still reaped */
  fflush(NULL);
  pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) { usleep(20000); _exit(1); }
  ev_child_init(&w, child_cb, pid, 0);
  ev_child_init(&w2, child_cb, 0, 1);
  ev_child_start(loop, &w);
  ev_child_start(loop, &w2);
  ev_child_stop(loop, &w);
  ev_child_stop(loop, &w2);
  CHECK(!ev_is_active(&w) && !ev_is_active(&w2));
  CHECK_EQ_INT(run_until_reaped(loop, pid), -1);
  CHECK_EQ_INT(ncb, 0);

  /* 3. the internal SIGCHLD watcher does not keep ev_run alive, an
   *    active child watcher does (until it is stopped in its callback) */
  ev_run(loop, 0); /* nothing active: returns at once */
  fflush(NULL);
  pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) { usleep(30000); _exit(2); }
  ev_child_init(&w2, stop_cb, pid, 0);
  ev_child_start(loop, &w2);
  ev_now_update(loop);
  t0 = ev_now(loop);
  ev_run(loop, 0); /* returns once stop_cb stopped the only watcher */
  ev_now_update(loop);
  CHECK_EQ_INT(nstop, 1);
  CHECK(!ev_is_active(&w2));
  CHECK(ev_now(loop) - t0 >= 0.02);
  CHECK(WIFEXITED(w2.rstatus) && WEXITSTATUS(w2.rstatus) == 2);

  TEST_DONE();
}
