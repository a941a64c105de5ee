/* ev_periodic reschedule_cb in detail: it receives the watcher and the
 * current event-loop time (ev_now) both on start and after each firing;
 * its return value becomes `at`, offset and interval are ignored; the
 * callback fires no earlier than the returned time; a returned time far
 * away keeps it quiet; returning a time in the past after a firing aborts
 * with libev's message; revents is EV_PERIODIC. */
#include <ev.h>
#include "testutil.h"

static struct ev_loop *gloop;
static int nres, ncb, bad, calls_bad_watcher;
static ev_periodic pw;
static double res_now[8], ret_at[8], cb_now[8];
static double step = 0.02;

static ev_tstamp resched(ev_periodic *w, ev_tstamp now)
{
  if (w != &pw) calls_bad_watcher++;
  if (nres < 8) {
    res_now[nres] = now;
    ret_at[nres] = now + step;
  }
  nres++;
  return now + step;
}

static void pcb(struct ev_loop *loop, ev_periodic *w, int revents)
{
  if (revents != EV_PERIODIC) bad++;
  if (ncb < 8) cb_now[ncb] = ev_now(loop);
  ncb++;
  if (ncb == 3) {
    ev_periodic_stop(loop, w);
    ev_break(loop, EVBREAK_ALL);
  }
}

static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break(loop, EVBREAK_ALL);
}

static int nabort_res;
static ev_tstamp past(ev_periodic *w, ev_tstamp now)
{
  (void)w;
  return nabort_res++ == 0 ? now + 0.01 : now - 1.;
}
static void nop_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
  (void)loop; (void)w; (void)revents;
}
static void returns_past(void)
{
  static ev_periodic p;
  struct ev_loop *l = ev_default_loop(0);
  ev_periodic_init(&p, nop_cb, 0., 0., past);
  ev_periodic_start(l, &p);
  ev_run(l, 0);
}

int main(void)
{
  ev_timer guard;
  int i;

  ALARM_GUARD(5);
  expect_abort(returns_past, "libev: ev_periodic reschedule callback returned time in the past");

  gloop = ev_default_loop(0);
  CHECK(gloop != NULL);
  if (!gloop) TEST_DONE();

  ev_periodic_init(&pw, pcb, 1e9, 3600., resched);
  CHECK(pw.reschedule_cb == resched);
  ev_now_update(gloop);
  ev_periodic_start(gloop, &pw);
  CHECK_EQ_INT(nres, 1);
  CHECK(res_now[0] == ev_now(gloop));
  CHECK(ev_periodic_at(&pw) == ret_at[0]);
  CHECK(pw.offset == 1e9);      /* untouched */
  CHECK(pw.interval == 3600.);  /* untouched */

  ev_timer_init(&guard, guard_cb, 1.0, 0.);
  ev_timer_start(gloop, &guard);
  ev_run(gloop, 0);
  ev_timer_stop(gloop, &guard);
  CHECK_EQ_INT(ncb, 3);
  CHECK_EQ_INT(nres, 4); /* start + one per firing */
  for (i = 0; i < 3; i++) {
    /* fired no earlier than the time returned before */
    CHECK(cb_now[i] >= ret_at[i]);
    /* the reschedule after firing i saw the time of that firing */
    CHECK(res_now[i + 1] >= ret_at[i]);
  }
  CHECK_EQ_INT(calls_bad_watcher, 0);

  /* a time far away: nothing fires within the guard */
  ncb = 0;
  step = 3600.;
  ev_periodic_start(gloop, &pw);
  CHECK(ev_periodic_at(&pw) > ev_now(gloop) + 3000.);
  ev_timer_init(&guard, guard_cb, 0.05, 0.);
  ev_timer_start(gloop, &guard);
  ev_run(gloop, 0);
  CHECK_EQ_INT(ncb, 0);
  CHECK(ev_is_active(&pw));
  ev_periodic_stop(gloop, &pw);

  CHECK_EQ_INT(bad, 0);
  TEST_DONE();
}
