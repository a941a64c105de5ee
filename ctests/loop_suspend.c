/* ev_suspend / ev_resume: time spent suspended does not count for
 * ev_timer watchers; ev_periodic watchers are rescheduled; ev_now updated. */
#include <ev.h>
#include "testutil.h"

static int nt;
static double t_fire;
static void tcb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w;
  CHECK_EQ_INT(revents, EV_TIMER);
  nt++;
  t_fire = ev_time();
}

static int np;
static void pcb(struct ev_loop *loop, ev_periodic *w, int revents)
{
  (void)loop; (void)w;
  CHECK_EQ_INT(revents, EV_PERIODIC);
  np++;
}


/* start a 40ms timer, let `pre` seconds pass, suspend for `susp` seconds,
 * resume; all bounds are derived from measured times so that a loaded
 * machine does not make this flaky */
static void suspend_case(struct ev_loop *loop, double pre, double susp)
{
  ev_timer t;
  double t_start, t_sus, t_before_res, t_res, t_after, expected, rem;

  nt = 0;
  ev_now_update(loop);
  t_start = ev_now(loop);
  ev_timer_init(&t, tcb, 0.04, 0.);
  ev_timer_start(loop, &t);
  if (pre > 0.) ev_sleep(pre);
  t_sus = ev_time();
  ev_suspend(loop);
  ev_sleep(susp);
  t_before_res = ev_time();
  ev_resume(loop);
  t_res = ev_time();

  /* resume updated the loop time */
  CHECK(ev_now(loop) >= t_before_res - 0.002);
  CHECK(ev_now(loop) <= t_res + 0.002);
  CHECK(ev_now(loop) - t_start >= pre + susp - 0.005);

  /* remaining = 40ms minus the time that passed outside the suspension */
  expected = 0.04 - (t_sus - t_start);
  rem = ev_timer_remaining(loop, &t);
  CHECK(rem <= expected + 0.003);
  CHECK(rem >= expected - 0.02);
  /* without suspend support it would be about expected - susp */
  CHECK(rem > expected - susp + 0.02);

  /* not fired right after resume (unless that much time really passed) */
  ev_run(loop, EVRUN_NOWAIT);
  t_after = ev_time();
  if (t_after - t_before_res < rem - 0.002)
    CHECK_EQ_INT(nt, 0);
  CHECK_EQ_INT(ev_run(loop, 0), 0);
  CHECK_EQ_INT(nt, 1);
  if (rem > 0.005)
    CHECK(t_fire - t_before_res >= rem - 0.003);
  CHECK(t_fire - t_res < 0.5);
  /* in total: 40ms of running time plus the suspension */
  CHECK(t_fire - t_start >= 0.04 + susp - 0.005);
}

int main(void)
{
  struct ev_loop *loop;
  double t_res, n0;

  ALARM_GUARD(5);
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  /* 1. 40ms timer, suspended for 60ms right away: after resume it still has
   *    ~40ms to go and does not fire immediately.
   * 2. time before the suspend counts, time during it does not:
   *    40ms timer, 20ms pass, 40ms suspended -> ~20ms left */
  suspend_case(loop, 0., 0.06);
  suspend_case(loop, 0.02, 0.04);

  /* 3. repeating timer: the repeat interval is unaffected */
  {
    ev_timer r;
    nt = 0;
    ev_now_update(loop);
    ev_timer_init(&r, tcb, 0.02, 0.02);
    ev_timer_start(loop, &r);
    ev_suspend(loop);
    ev_sleep(0.04);
    t_res = ev_time();
    ev_resume(loop);
    ev_run(loop, EVRUN_NOWAIT);
    /* would have fired (twice) without the suspend */
    if (ev_time() - t_res < 0.015)
      CHECK_EQ_INT(nt, 0);
    while (nt < 2) ev_run(loop, EVRUN_ONCE);
    CHECK(r.repeat == 0.02);
    CHECK(ev_timer_remaining(loop, &r) <= 0.021);
    ev_timer_stop(loop, &r);
  }

  /* 4. periodic: events that would have happened while suspended are lost
   *    (rescheduled to the next interval after resume) ... */
  {
    ev_periodic p;
    ev_now_update(loop);
    ev_periodic_init(&p, pcb, 0., 0.03, 0);
    ev_periodic_start(loop, &p);
    np = 0;
    ev_suspend(loop);
    ev_sleep(0.05);
    ev_resume(loop);
    CHECK(ev_periodic_at(&p) > ev_now(loop));
    CHECK(ev_periodic_at(&p) - ev_now(loop) <= 0.03 + 0.001);
    n0 = ev_periodic_at(&p);
    ev_run(loop, EVRUN_NOWAIT);
    if (ev_time() < n0)
      CHECK_EQ_INT(np, 0);
    np = 0;
    /* ... whereas without suspend a missed periodic fires (once) at once */
    n0 = ev_periodic_at(&p);
    ev_sleep(n0 - ev_time() + 0.04); /* miss two boundaries */
    ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(np, 1);
    ev_periodic_stop(loop, &p);
  }

  /* 5. suspend/resume on an idle loop is harmless and updates ev_now */
  n0 = ev_now(loop);
  ev_sleep(0.01);
  ev_suspend(loop);
  ev_resume(loop);
  CHECK(ev_now(loop) - n0 >= 0.009);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);

  ev_loop_destroy(loop);
  TEST_DONE();
}
