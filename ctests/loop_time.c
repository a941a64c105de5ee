/* ev_time, ev_now, ev_now_update, ev_sleep */
#include <ev.h>
#include <sys/time.h>
#include "testutil.h"

static double wall(void)
{
  struct timeval tv;
  gettimeofday(&tv, 0);
  return tv.tv_sec + tv.tv_usec * 1e-6;
}

static double now_in_cb[4];
static int ncb;
static void cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  if (ncb < 4) now_in_cb[ncb] = ev_now(loop);
  ncb++;
  if (ncb == 1) ev_sleep(0.01); /* ev_now must not move during callbacks */
}

int main(void)
{
  struct ev_loop *loop;
  double t0, t1, n0, n1;
  int i;

  ALARM_GUARD(5);

  /* ev_time: wall-clock time (same epoch as gettimeofday), non-decreasing */
  t0 = ev_time();
  CHECK_NEAR(t0, wall(), 0.05);
  CHECK(t0 > 1.5e9); /* after 2017 */
  t1 = ev_time();
  CHECK(t1 >= t0);

  /* ev_sleep(0) and negative intervals return immediately */
  t0 = ev_time();
  ev_sleep(0.);
  ev_sleep(-1.);
  ev_sleep(-1e9);
  CHECK(ev_time() - t0 < 0.2); /* no real sleeping */

  /* ev_sleep of a small value sleeps about that long */
  t0 = ev_time();
  ev_sleep(0.02);
  t1 = ev_time() - t0;
  CHECK(t1 >= 0.015); /* "might return a bit earlier" - allow some slack */
  CHECK(t1 < 0.5);
  t0 = ev_time();
  ev_sleep(0.001);
  t1 = ev_time() - t0;
  CHECK(t1 >= 0.0005);
  CHECK(t1 < 0.5);

  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  /* ev_now of a fresh loop is the current (wall-clock) time */
  CHECK_NEAR(ev_now(loop), ev_time(), 0.1);

  /* ev_now is cached: it does not move by itself */
  n0 = ev_now(loop);
  ev_sleep(0.02);
  CHECK(ev_now(loop) == n0);
  CHECK(ev_time() - n0 >= 0.015);

  /* ev_now_update brings it up to date */
  ev_now_update(loop);
  n1 = ev_now(loop);
  CHECK(n1 - n0 >= 0.015);
  CHECK_NEAR(n1, ev_time(), 0.05);

  /* ev_run updates ev_now (even a NOWAIT run) */
  ev_sleep(0.02);
  n0 = ev_now(loop);
  ev_run(loop, EVRUN_NOWAIT);
  n1 = ev_now(loop);
  CHECK(n1 - n0 >= 0.015);
  CHECK_NEAR(n1, ev_time(), 0.05);

  /* ev_now is the same for all callbacks of one iteration even if a
   * callback takes time, and equals the loop time after the run */
  {
    ev_timer a, b;
    ev_timer_init(&a, cb, 0.005, 0.);
    ev_timer_init(&b, cb, 0.005, 0.);
    n0 = ev_now(loop);
    ev_timer_start(loop, &a);
    ev_timer_start(loop, &b);
    t0 = ev_time();
    for (i = 0; i < 20 && ncb < 2; i++)
      ev_run(loop, EVRUN_ONCE);
    CHECK_EQ_INT(ncb, 2);
    CHECK(now_in_cb[0] == now_in_cb[1]);
    CHECK(now_in_cb[0] >= n0 + 0.0045); /* timers were due at n0 + 5ms */
    CHECK(now_in_cb[0] == ev_now(loop));
    CHECK(ev_time() - ev_now(loop) >= 0.009); /* the 10ms sleep in cb */
  }

  /* a relative timer is based on ev_now: with a stale ev_now (30ms old), a
   * 20ms timer is already due: even a NOWAIT run fires it */
  {
    ev_timer a;
    ncb = 10; /* no sleeping in cb */
    ev_now_update(loop);
    ev_sleep(0.03);
    ev_timer_init(&a, cb, 0.02, 0.);
    ev_timer_start(loop, &a);
    CHECK(ev_timer_remaining(loop, &a) <= 0.02 + 1e-9); /* at - now, rounded */
    ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(ncb, 11);
    CHECK(!ev_is_active(&a));
  }

  /* with ev_now_update first it fires after the full interval */
  {
    ev_timer a;
    ncb = 10;
    ev_sleep(0.03);
    ev_now_update(loop);
    ev_timer_init(&a, cb, 0.02, 0.);
    t0 = ev_time();
    ev_timer_start(loop, &a);
    CHECK(ev_timer_remaining(loop, &a) <= 0.02 + 1e-9); /* at - now, rounded */
    CHECK(ev_timer_remaining(loop, &a) > 0.01);
    ev_run(loop, 0);
    t1 = ev_time() - t0;
    CHECK_EQ_INT(ncb, 11);
    CHECK(t1 >= 0.018);
    CHECK(t1 < 0.5);
    /* after the run, ev_now is at/after the expiry time */
    CHECK(ev_now(loop) >= t0 + 0.018);
  }

  ev_loop_destroy(loop);
  TEST_DONE();
}
