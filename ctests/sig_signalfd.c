/* A loop created with EVFLAG_SIGNALFD still delivers signals: raise(),
 * several watchers on one signal, a burst, and a signal from another
 * process while the loop blocks.  The signal is blocked while watched
 * (it is read from the signalfd instead of a handler). */
#include <ev.h>
#include "testutil.h"

static int n[3], bad_revents, nbrk;

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)loop;
  if (revents != EV_SIGNAL) bad_revents++;
  n[(int)(long)w->data]++;
}

static void brk_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)w;
  if (revents != EV_SIGNAL) bad_revents++;
  nbrk++;
  ev_break(loop, EVBREAK_ALL);
}

static int timed_out;
static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  timed_out++;
  ev_break(loop, EVBREAK_ALL);
}

static unsigned env_backend(void)
{
  const char *e = getenv("LIBEV_FLAGS");
  return e ? (unsigned)atoi(e) & EVBACKEND_MASK : 0;
}

static void run_guarded(struct ev_loop *loop, double secs)
{
  ev_timer guard;
  ev_timer_init(&guard, guard_cb, secs, 0.);
  ev_timer_start(loop, &guard);
  ev_run(loop, 0);
  ev_timer_stop(loop, &guard);
}

int main(void)
{
  struct ev_loop *loop;
  ev_signal w[3], wb;
  sigset_t ss;
  int i;
  pid_t pid;
  ev_tstamp t0;

  ALARM_GUARD(5);
  /* blocked signals are never discarded, even when ignored; SIG_IGN only
   * keeps a signal the loop failed to consume from killing the test when
   * the last stop unblocks it */
  signal(SIGUSR1, SIG_IGN);
  signal(SIGUSR2, SIG_IGN);
  loop = ev_loop_new(EVFLAG_NOENV | EVFLAG_SIGNALFD | env_backend());
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  for (i = 0; i < 3; i++) {
    ev_signal_init(&w[i], sig_cb, SIGUSR1);
    w[i].data = (void *)(long)i;
  }
  ev_signal_start(loop, &w[0]);
  sigemptyset(&ss);
  sigprocmask(SIG_BLOCK, NULL, &ss);
  CHECK(sigismember(&ss, SIGUSR1));

  /* raise: nothing before ev_run, exactly one callback after */
  raise(SIGUSR1);
  CHECK_EQ_INT(n[0], 0);
  for (i = 0; i < 3 && !n[0]; i++) ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(n[0], 1);
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(n[0], 1);

  /* several watchers */
  ev_signal_start(loop, &w[1]);
  ev_signal_start(loop, &w[2]);
  n[0] = n[1] = n[2] = 0;
  kill(getpid(), SIGUSR1);
  for (i = 0; i < 3 && !(n[0] && n[1] && n[2]); i++) ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(n[0], 1);
  CHECK_EQ_INT(n[1], 1);
  CHECK_EQ_INT(n[2], 1);

  /* a burst: standard signals coalesce while pending */
  n[0] = n[1] = n[2] = 0;
  for (i = 0; i < 100; i++) kill(getpid(), SIGUSR1);
  for (i = 0; i < 5; i++) ev_run(loop, EVRUN_NOWAIT);
  CHECK(n[0] >= 1 && n[0] <= 100);
  CHECK_EQ_INT(n[0], n[1]);
  CHECK_EQ_INT(n[0], n[2]);
  for (i = 0; i < 3; i++) ev_signal_stop(loop, &w[i]);

  /* a signal from another process wakes the blocked loop */
  ev_signal_init(&wb, brk_cb, SIGUSR2);
  ev_signal_start(loop, &wb);
  fflush(NULL);
  pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    usleep(60000);
    kill(getppid(), SIGUSR2);
    _exit(0);
  }
  ev_now_update(loop);
  t0 = ev_now(loop);
  run_guarded(loop, 2.0);
  ev_now_update(loop);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(nbrk, 1);
  CHECK(ev_now(loop) - t0 < 1.0);
  if (pid > 0) waitpid(pid, NULL, 0);
  ev_signal_stop(loop, &wb);

  /* with no signal watcher left, the loop has nothing to do: ev_run
   * returns at once (the internal signalfd watcher does not count) */
  ev_run(loop, 0);
  CHECK_EQ_INT(bad_revents, 0);

  ev_loop_destroy(loop);
  TEST_DONE();
}
