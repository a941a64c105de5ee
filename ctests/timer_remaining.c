/*
 * ev_timer_remaining and the relative/absolute life of a timer's `at`:
 *  - before start: the configured `after` (ev_timer_set stores it in `at`)
 *  - while active: time left relative to the loop time ev_now (does not
 *    move until the loop time is updated)
 *  - after ev_timer_stop: frozen at what was left; a later ev_timer_start
 *    without ev_timer_set resumes with that remaining time
 *  - after a one-shot timer expired: frozen at (scheduled - now) <= 0, so
 *    restarting it without ev_timer_set fires on the next iteration
 *  - inside the callback of a repeating timer: about `repeat`
 */
#include <ev.h>
#include "testutil.h"

static int calls;
static double fired_at, rem_cb;

static void
cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  CHECK_EQ_INT (revents, EV_TIMER);
  calls++;
  fired_at = ev_now (loop);
  rem_cb = ev_timer_remaining (loop, w);
  if (w->repeat > 0. && calls >= 2)
    ev_timer_stop (loop, w);
}

int
main (void)
{
  struct ev_loop *loop;
  ev_timer t;
  double r1, r2, t0;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);

  ev_timer_init (&t, cb, 5., 7.);
  CHECK_NEAR (t.at, 5., 0.);
  CHECK_NEAR (ev_timer_remaining (loop, &t), 5., 1e-9);
  CHECK_NEAR (t.repeat, 7., 0.);

  ev_now_update (loop);
  ev_timer_start (loop, &t);
  CHECK_NEAR (ev_timer_remaining (loop, &t), 5., 1e-6);
  /* the loop time has not moved: neither has the remaining time */
  usleep (30000);
  CHECK_NEAR (ev_timer_remaining (loop, &t), 5., 1e-6);
  ev_now_update (loop);
  r1 = ev_timer_remaining (loop, &t);
  CHECK (r1 <= 5. - 0.029);
  CHECK (r1 > 5. - 0.3);

  /* stop: frozen at the remaining time, in `at` */
  ev_timer_stop (loop, &t);
  r2 = ev_timer_remaining (loop, &t);
  CHECK_NEAR (r2, r1, 1e-6);
  CHECK_NEAR (t.at, r1, 1e-6);
  usleep (20000);
  ev_now_update (loop);
  CHECK_NEAR (ev_timer_remaining (loop, &t), r1, 1e-6);
  CHECK_NEAR (t.repeat, 7., 0.);

  /* restart without set: resumes the remaining time */
  ev_timer_start (loop, &t);
  CHECK_NEAR (ev_timer_remaining (loop, &t), r1, 1e-6);
  ev_timer_stop (loop, &t);

  /* ev_timer_set on the stopped timer replaces it */
  ev_timer_set (&t, 2.5, 0.);
  CHECK_NEAR (ev_timer_remaining (loop, &t), 2.5, 1e-9);

  /* resume really fires after the remaining time: 60 ms timer, stopped
   * after ~30 ms, restarted 50 ms later -> fires ~30 ms after restart */
  ev_timer_set (&t, 0.06, 0.);
  ev_now_update (loop);
  ev_timer_start (loop, &t);
  usleep (30000);
  ev_now_update (loop);
  ev_timer_stop (loop, &t);
  r1 = ev_timer_remaining (loop, &t);
  CHECK (r1 > 0.0);
  CHECK (r1 <= 0.031);
  usleep (50000);
  ev_now_update (loop);
  t0 = ev_now (loop);
  calls = 0;
  ev_timer_start (loop, &t);
  ev_run (loop, 0);
  CHECK_EQ_INT (calls, 1);
  CHECK (fired_at - t0 >= r1 - 0.001);
  CHECK (fired_at - t0 < r1 + 0.025);   /* well before the full 60 ms */

  /* expired one-shot: inactive, remaining frozen at <= 0 */
  CHECK (!ev_is_active (&t));
  CHECK (rem_cb <= 0.);
  CHECK (rem_cb > -0.05);
  r2 = ev_timer_remaining (loop, &t);
  CHECK_NEAR (r2, rem_cb, 1e-9);
  usleep (20000);
  ev_now_update (loop);
  CHECK_NEAR (ev_timer_remaining (loop, &t), r2, 1e-9);
  /* ... so a restart without ev_timer_set fires right away */
  calls = 0;
  t0 = ev_time ();
  ev_timer_start (loop, &t);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (calls, 1);
  CHECK (ev_time () - t0 < 0.02);

  /* repeating timer: inside the callback the next period is armed */
  ev_timer_init (&t, cb, 0.01, 0.02);
  calls = 0;
  ev_timer_start (loop, &t);
  ev_run (loop, EVRUN_ONCE);
  while (!calls)
    ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (calls, 1);
  CHECK (rem_cb > 0.005);
  CHECK (rem_cb <= 0.0201);
  CHECK (ev_is_active (&t));
  CHECK (ev_timer_remaining (loop, &t) <= 0.0201);
  ev_timer_stop (loop, &t);
  /* stopped repeating timer: remaining frozen, repeat untouched */
  CHECK (ev_timer_remaining (loop, &t) <= 0.0201);
  CHECK (ev_timer_remaining (loop, &t) > 0.);
  CHECK_NEAR (t.repeat, 0.02, 0.);

  TEST_DONE ();
}
