/* ev_child trace flag: a watcher with trace 1 is told about a child that
 * stops (WIFSTOPPED, WSTOPSIG SIGSTOP) and continues (WIFCONTINUED) as
 * well as about its exit; a watcher with trace 0 (for the same pid, and a
 * pid-0 one) only about the exit.  The flags field holds !!trace. */
#include <ev.h>
#include "testutil.h"

enum { MAXEV = 8 };
static int tr_status[MAXEV], ntr, nplain, nany, bad_revents;
static int plain_status, any_status;

static void trace_cb(struct ev_loop *loop, ev_child *w, int revents)
{
  if (revents != EV_CHILD) bad_revents++;
  if (ntr < MAXEV) tr_status[ntr] = w->rstatus;
  ntr++;
  ev_break(loop, EVBREAK_ALL);
}

static void plain_cb(struct ev_loop *loop, ev_child *w, int revents)
{
  (void)loop;
  if (revents != EV_CHILD) bad_revents++;
  plain_status = w->rstatus;
  nplain++;
}

static void any_cb(struct ev_loop *loop, ev_child *w, int revents)
{
  (void)loop;
  if (revents != EV_CHILD) bad_revents++;
  any_status = w->rstatus;
  nany++;
}

static int timed_out;
static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  timed_out++;
  ev_break(loop, EVBREAK_ALL);
}

/* run until the trace watcher has seen `upto` events (or 1.5 s passed) */
static void run_until(struct ev_loop *loop, int upto)
{
  ev_timer guard;
  ev_timer_init(&guard, guard_cb, 1.5, 0.);
  ev_timer_start(loop, &guard);
  while (ntr < upto && !timed_out) ev_run(loop, 0);
  ev_timer_stop(loop, &guard);
}

int main(void)
{
  struct ev_loop *loop;
  ev_child wt, wp, wa;
  int p[2];
  pid_t pid;
  char c = 'x';

  ALARM_GUARD(5);
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  if (pipe(p) < 0) { perror("pipe"); return 1; }

  fflush(NULL);
  pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    char b;
    close(p[1]);
    raise(SIGSTOP);
    /* continued: wait for the parent's go before exiting */
    while (read(p[0], &b, 1) < 0 && errno == EINTR)
      ;
    _exit(5);
  }
  close(p[0]);

  ev_child_init(&wt, trace_cb, pid, 1);
  ev_child_init(&wp, plain_cb, pid, 0);
  ev_child_init(&wa, any_cb, 0, 0);
  CHECK_EQ_INT(wt.flags, 1);
  CHECK_EQ_INT(wp.flags, 0);
  ev_child_init(&wt, trace_cb, pid, 42); /* any non-zero trace is 1 */
  CHECK_EQ_INT(wt.flags, 1);
  ev_child_start(loop, &wt);
  ev_child_start(loop, &wp);
  ev_child_start(loop, &wa);

  /* stopped */
  run_until(loop, 1);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(ntr, 1);
  CHECK(WIFSTOPPED(tr_status[0]));
  if (WIFSTOPPED(tr_status[0])) CHECK_EQ_INT(WSTOPSIG(tr_status[0]), SIGSTOP);
  CHECK_EQ_INT(wt.rpid, pid);
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(nplain, 0);
  CHECK_EQ_INT(nany, 0);

  /* continued */
  kill(pid, SIGCONT);
  run_until(loop, 2);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(ntr, 2);
  CHECK(WIFCONTINUED(tr_status[1]));
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(nplain, 0);
  CHECK_EQ_INT(nany, 0);

  /* exit: everybody is told */
  if (write(p[1], &c, 1) != 1) perror("write");
  run_until(loop, 3);
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(ntr, 3);
  CHECK(WIFEXITED(tr_status[2]));
  CHECK_EQ_INT(WEXITSTATUS(tr_status[2]), 5);
  CHECK_EQ_INT(nplain, 1);
  CHECK(WIFEXITED(plain_status));
  CHECK_EQ_INT(WEXITSTATUS(plain_status), 5);
  CHECK_EQ_INT(nany, 1);
  CHECK(WIFEXITED(any_status));
  CHECK_EQ_INT(wp.rpid, pid);
  CHECK_EQ_INT(wa.rpid, pid);

  ev_child_stop(loop, &wt);
  ev_child_stop(loop, &wp);
  ev_child_stop(loop, &wa);
  close(p[1]);
  CHECK_EQ_INT(bad_revents, 0);
  TEST_DONE();
}
