/* Feeding signals by hand:
 *  - ev_feed_signal() from a handler the user installed with sigaction()
 *    after ev_signal_start() (replacing libev's own handler) delivers the
 *    signal to the watcher;
 *  - a user handler installed before ev_signal_start() is replaced;
 *  - ev_feed_signal() from another thread wakes up a blocked loop;
 *  - ev_feed_signal() for a signal nobody watches does nothing;
 *  - ev_feed_signal_event() makes every watcher of that signal on that loop
 *    pending at once; feeding to another loop or an illegal signal number
 *    is silently ignored. */
#include <ev.h>
#include <pthread.h>
#include "testutil.h"

static int ncb[3], bad_revents, nuser;

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)loop;
  if (revents != EV_SIGNAL) bad_revents++;
  ncb[(int)(long)w->data]++;
}

static void brk_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)w;
  if (revents != EV_SIGNAL) bad_revents++;
  ncb[0]++;
  ev_break(loop, EVBREAK_ALL);
}

static void user_handler(int signum)
{
  nuser++;
  ev_feed_signal(signum);
}

static void plain_handler(int signum)
{
  (void)signum;
  nuser++;
}

static int timed_out;
static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  timed_out++;
  ev_break(loop, EVBREAK_ALL);
}

static void *feeder(void *arg)
{
  (void)arg;
  usleep(50000);
  ev_feed_signal(SIGUSR2);
  return NULL;
}

static void set_handler(int signum, void (*h)(int))
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sigemptyset(&sa.sa_mask);
  sigaction(signum, &sa, NULL);
}

static void drain(struct ev_loop *loop)
{
  int i;
  for (i = 0; i < 3; i++) ev_run(loop, EVRUN_NOWAIT);
}

int main(void)
{
  struct ev_loop *loop, *other;
  ev_signal w[3], wo;
  ev_timer guard;
  pthread_t th;
  ev_tstamp t0;

  ALARM_GUARD(5);
  loop = ev_default_loop(0);
  other = ev_loop_new(0);
  CHECK(loop && other);
  if (!loop || !other) TEST_DONE();

  /* 1. user handler installed after ev_signal_start, forwarding with
   *    ev_feed_signal */
  ev_signal_init(&w[0], sig_cb, SIGUSR1);
  w[0].data = (void *)0L;
  ev_signal_start(loop, &w[0]);
  set_handler(SIGUSR1, user_handler);
  raise(SIGUSR1);
  CHECK_EQ_INT(nuser, 1);
  drain(loop);
  CHECK_EQ_INT(ncb[0], 1);
  ev_signal_stop(loop, &w[0]);

  /* 2. a handler installed before ev_signal_start is replaced */
  nuser = 0; ncb[0] = 0;
  set_handler(SIGUSR1, plain_handler);
  ev_signal_start(loop, &w[0]);
  raise(SIGUSR1);
  drain(loop);
  CHECK_EQ_INT(nuser, 0);
  CHECK_EQ_INT(ncb[0], 1);
  ev_signal_stop(loop, &w[0]);

  /* 3. ev_feed_signal without any raise, and for an unwatched signal */
  ncb[0] = 0;
  ev_signal_start(loop, &w[0]);
  ev_feed_signal(SIGUSR1);
  drain(loop);
  CHECK_EQ_INT(ncb[0], 1);
  ev_feed_signal(SIGUSR2); /* nobody watches it: nothing happens */
  ev_feed_signal(SIGWINCH);
  drain(loop);
  CHECK_EQ_INT(ncb[0], 1);

  /* 4. ev_feed_signal from another thread wakes the blocked loop */
  ev_signal_init(&w[1], brk_cb, SIGUSR2);
  ev_signal_start(loop, &w[1]);
  ev_timer_init(&guard, guard_cb, 2.0, 0.);
  ev_timer_start(loop, &guard);
  ncb[0] = 0;
  ev_now_update(loop);
  t0 = ev_now(loop);
  CHECK_EQ_INT(pthread_create(&th, NULL, feeder, NULL), 0);
  ev_run(loop, 0);
  ev_now_update(loop);
  pthread_join(th, NULL);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(ncb[0], 1);
  CHECK(ev_now(loop) - t0 < 1.0);
  ev_timer_stop(loop, &guard);
  ev_signal_stop(loop, &w[1]);

  /* 5. ev_feed_signal_event: all watchers of the signal on that loop */
  ncb[0] = ncb[1] = ncb[2] = 0;
  ev_signal_init(&w[1], sig_cb, SIGUSR1);
  w[1].data = (void *)1L;
  ev_signal_init(&w[2], sig_cb, SIGWINCH);
  w[2].data = (void *)2L;
  ev_signal_start(loop, &w[1]);
  ev_signal_start(loop, &w[2]);
  ev_feed_signal_event(loop, SIGUSR1);
  CHECK(ev_is_pending(&w[0]));
  CHECK(ev_is_pending(&w[1]));
  CHECK(!ev_is_pending(&w[2]));
  ev_invoke_pending(loop);
  CHECK_EQ_INT(ncb[0], 1);
  CHECK_EQ_INT(ncb[1], 1);
  CHECK_EQ_INT(ncb[2], 0);
  CHECK(!ev_is_pending(&w[0]));

  /* feeding to a loop that does not own the signal: ignored */
  ev_feed_signal_event(other, SIGUSR1);
  CHECK(!ev_is_pending(&w[0]));
  ev_run(other, EVRUN_NOWAIT);
  drain(loop);
  CHECK_EQ_INT(ncb[0], 1);
  /* the other loop's own watcher gets it */
  ev_signal_init(&wo, sig_cb, SIGUSR2);
  wo.data = (void *)2L;
  ev_signal_start(other, &wo);
  ev_feed_signal_event(other, SIGUSR2);
  CHECK(ev_is_pending(&wo));
  ev_invoke_pending(other);
  CHECK_EQ_INT(ncb[2], 1);
  ev_signal_stop(other, &wo);

  /* illegal numbers: ignored, no abort */
  ev_feed_signal_event(loop, 0);
  ev_feed_signal_event(loop, 65);
  ev_feed_signal_event(loop, -3);
  drain(loop);
  CHECK_EQ_INT(ncb[0], 1);
  CHECK_EQ_INT(ncb[1], 1);
  CHECK_EQ_INT(ncb[2], 1);
  CHECK_EQ_INT(bad_revents, 0);

  ev_signal_stop(loop, &w[0]);
  ev_signal_stop(loop, &w[1]);
  ev_signal_stop(loop, &w[2]);
  ev_loop_destroy(other);
  TEST_DONE();
}
