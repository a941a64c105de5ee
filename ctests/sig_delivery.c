/* ev_signal delivery: raise()/kill() to self, several watchers on one
 * signal are all invoked (once each, with EV_SIGNAL), a burst of 100
 * kill()s gives at least one and at most 100 callbacks without hanging,
 * a signal sent by another process while the loop blocks wakes it up,
 * and a stopped watcher is no longer invoked. */
#include <ev.h>
#include "testutil.h"

static int n[3], bad_revents, nburst;
static int last_signum;

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)loop;
  if (revents != EV_SIGNAL) bad_revents++;
  last_signum = w->signum;
  n[(int)(long)w->data]++;
}

static void burst_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)w; (void)revents;
  nburst++;
  ev_break(loop, EVBREAK_ONE);
}

static void break_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)w; (void)revents;
  n[0]++;
  ev_break(loop, EVBREAK_ALL);
}

static int timed_out;
static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  timed_out++;
  ev_break(loop, EVBREAK_ALL);
}

/* run the loop until the watchers stop it or the guard fires */
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
  ev_signal s[3], sb;
  int i;
  pid_t pid;
  ev_tstamp t0;

  ALARM_GUARD(5);
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  /* 1. raise() with one watcher; not invoked before ev_run */
  ev_signal_init(&s[0], sig_cb, SIGUSR1);
  s[0].data = (void *)0L;
  ev_signal_start(loop, &s[0]);
  CHECK(ev_is_active(&s[0]));
  CHECK_EQ_INT(s[0].signum, SIGUSR1);
  raise(SIGUSR1);
  CHECK_EQ_INT(n[0], 0);
  ev_run(loop, EVRUN_NOWAIT);
  /* a signalfd-less loop may need one more iteration to see the pipe */
  if (!n[0]) ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(n[0], 1);
  CHECK_EQ_INT(last_signum, SIGUSR1);
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(n[0], 1); /* no repeat without a new signal */

  /* 2. three watchers on the same signal, via kill() to self */
  ev_signal_init(&s[1], sig_cb, SIGUSR1);
  s[1].data = (void *)1L;
  ev_signal_init(&s[2], sig_cb, SIGUSR1);
  s[2].data = (void *)2L;
  ev_signal_start(loop, &s[1]);
  ev_signal_start(loop, &s[2]);
  n[0] = n[1] = n[2] = 0;
  kill(getpid(), SIGUSR1);
  for (i = 0; i < 5 && !(n[0] && n[1] && n[2]); i++) ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(n[0], 1);
  CHECK_EQ_INT(n[1], 1);
  CHECK_EQ_INT(n[2], 1);

  /* 3. a stopped watcher is not invoked, the others still are */
  ev_signal_stop(loop, &s[1]);
  CHECK(!ev_is_active(&s[1]));
  n[0] = n[1] = n[2] = 0;
  raise(SIGUSR1);
  for (i = 0; i < 5 && !(n[0] && n[2]); i++) ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(n[0], 1);
  CHECK_EQ_INT(n[1], 0);
  CHECK_EQ_INT(n[2], 1);
  ev_signal_stop(loop, &s[0]);
  ev_signal_stop(loop, &s[2]);
  CHECK_EQ_INT(bad_revents, 0);

  /* 4. a burst of 100 signals: at least one callback, no hang */
  ev_signal_init(&sb, burst_cb, SIGUSR2);
  ev_signal_start(loop, &sb);
  for (i = 0; i < 100; i++) kill(getpid(), SIGUSR2);
  run_guarded(loop, 1.0);
  CHECK_EQ_INT(timed_out, 0);
  CHECK(nburst >= 1);
  /* whatever is left over is drained without blocking */
  for (i = 0; i < 3; i++) ev_run(loop, EVRUN_NOWAIT);
  CHECK(nburst >= 1 && nburst <= 100);
  ev_signal_stop(loop, &sb);

  /* 5. a signal from another process wakes up a blocked ev_run */
  ev_signal_init(&s[0], break_cb, SIGUSR2);
  ev_signal_start(loop, &s[0]);
  n[0] = 0;
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
  timed_out = 0;
  run_guarded(loop, 2.0);
  ev_now_update(loop);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(n[0], 1);
  CHECK(ev_now(loop) - t0 < 1.0);
  CHECK(ev_now(loop) - t0 >= 0.03);
  ev_signal_stop(loop, &s[0]);
  if (pid > 0) waitpid(pid, NULL, 0); /* may already be reaped by libev: fine */

  TEST_DONE();
}
