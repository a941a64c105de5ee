/* ev_periodic:
 *  - absolute mode (interval 0): ev_periodic_at == offset exactly after
 *    start; fires once, not before offset and soon after it, and is then
 *    inactive; an offset in the past fires at the next iteration;
 *  - interval mode: at is the next offset + k*interval after now (also
 *    for an offset far in the future), it fires repeatedly and inside the
 *    callback at already is the following slot;
 *  - reschedule_cb: called by start and after each firing with the
 *    current time, its return value becomes `at`;
 *  - ev_periodic_again recomputes `at` (and starts an inactive watcher);
 *  - a negative interval aborts. */
#include <ev.h>
#include <math.h>
#include "testutil.h"

static int nabs, bad_revents;
static double fired_at;

static void abs_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
  if (revents != EV_PERIODIC) bad_revents++;
  nabs++;
  fired_at = ev_time();
  if (ev_is_active(w)) bad_revents += 100; /* one-shot: already stopped */
  ev_break(loop, EVBREAK_ALL);
}

enum { NREP = 3 };
static int nrep;
static double rep_now[NREP + 1], rep_at[NREP + 1];
static void rep_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
  if (revents != EV_PERIODIC) bad_revents++;
  if (nrep <= NREP) {
    rep_now[nrep] = ev_now(loop);
    rep_at[nrep] = ev_periodic_at(w);
  }
  if (!ev_is_active(w)) bad_revents += 100; /* repeating: stays active */
  if (++nrep >= NREP) ev_break(loop, EVBREAK_ALL);
}

static int nresched, nrcb;
static double resched_now, resched_ret;
static ev_tstamp resched(ev_periodic *w, ev_tstamp now)
{
  (void)w;
  nresched++;
  resched_now = now;
  resched_ret = now + 0.02;
  return resched_ret;
}
static void rcb(struct ev_loop *loop, ev_periodic *w, int revents)
{
  if (revents != EV_PERIODIC) bad_revents++;
  nrcb++;
  if (nrcb >= 3) {
    ev_periodic_stop(loop, w);
    ev_break(loop, EVBREAK_ALL);
  }
}

static int timed_out;
static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  timed_out++;
  ev_break(loop, EVBREAK_ALL);
}

static void run_guarded(struct ev_loop *loop, double secs)
{
  ev_timer guard;
  ev_timer_init(&guard, guard_cb, secs, 0.);
  ev_timer_start(loop, &guard);
  ev_run(loop, 0);
  ev_timer_stop(loop, &guard);
}

static void negative_interval(void)
{
  static ev_periodic w;
  ev_periodic_init(&w, abs_cb, 0., -1., 0);
  ev_periodic_start(ev_default_loop(0), &w);
}

int main(void)
{
  struct ev_loop *loop;
  ev_periodic p, q;
  double off, now, k;
  int i;

  ALARM_GUARD(5);
  expect_abort(negative_interval, "libev: ev_periodic_start called with negative interval value");

  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  /* 1. absolute */
  ev_now_update(loop);
  off = ev_now(loop) + 0.05;
  ev_periodic_init(&p, abs_cb, off, 0., 0);
  CHECK(p.offset == off);
  ev_periodic_start(loop, &p);
  CHECK(ev_periodic_at(&p) == off);
  CHECK(ev_is_active(&p));
  run_guarded(loop, 1.0);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(nabs, 1);
  CHECK(fired_at >= off - 0.002);
  CHECK(fired_at < off + 0.2);
  CHECK(!ev_is_active(&p));
  CHECK(ev_periodic_at(&p) == off);
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(nabs, 1);

  /* in the past: fires at the next iteration */
  nabs = 0;
  ev_periodic_set(&p, ev_now(loop) - 10., 0., 0);
  ev_periodic_start(loop, &p);
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(nabs, 1);
  CHECK(!ev_is_active(&p));

  /* 2. interval mode: offset 0.01, interval 0.03 */
  ev_now_update(loop);
  ev_periodic_init(&q, rep_cb, 0.01, 0.03, 0);
  ev_periodic_start(loop, &q);
  now = ev_now(loop);
  CHECK(ev_periodic_at(&q) > now);
  CHECK(ev_periodic_at(&q) <= now + 0.03 + 1e-6);
  k = (ev_periodic_at(&q) - 0.01) / 0.03;
  CHECK_NEAR(k, floor(k + 0.5), 1e-3);
  run_guarded(loop, 1.0);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(nrep, NREP);
  for (i = 0; i < NREP; i++) {
    CHECK(rep_at[i] > rep_now[i]);
    k = (rep_at[i] - 0.01) / 0.03;
    CHECK_NEAR(k, floor(k + 0.5), 1e-3);
    if (i) CHECK_NEAR(rep_at[i] - rep_at[i - 1], 0.03, 1e-6);
  }
  CHECK(ev_is_active(&q));
  ev_periodic_stop(loop, &q);
  CHECK(!ev_is_active(&q));

  /* offset far in the future: the slot before it that is after now */
  ev_now_update(loop);
  ev_periodic_set(&q, ev_now(loop) + 100.25, 1., 0);
  ev_periodic_start(loop, &q);
  now = ev_now(loop);
  CHECK(ev_periodic_at(&q) > now);
  CHECK(ev_periodic_at(&q) <= now + 1.0 + 1e-6);
  k = now + 100.25 - ev_periodic_at(&q); /* a whole number of intervals */
  CHECK_NEAR(k, floor(k + 0.5), 1e-6);

  /* 3. ev_periodic_again after changing offset/interval */
  q.offset = ev_now(loop) + 0.3;
  q.interval = 0.;
  ev_periodic_again(loop, &q);
  CHECK(ev_is_active(&q));
  CHECK(ev_periodic_at(&q) == q.offset);
  ev_periodic_stop(loop, &q);
  /* on an inactive watcher it starts it */
  q.offset = ev_now(loop) + 0.4;
  ev_periodic_again(loop, &q);
  CHECK(ev_is_active(&q));
  CHECK(ev_periodic_at(&q) == q.offset);
  ev_periodic_stop(loop, &q);

  /* 4. reschedule_cb */
  ev_periodic_init(&p, rcb, 12345., 67., resched);
  ev_now_update(loop);
  ev_periodic_start(loop, &p);
  CHECK_EQ_INT(nresched, 1);
  CHECK(resched_now == ev_now(loop));
  CHECK(ev_periodic_at(&p) == resched_ret);
  run_guarded(loop, 1.0);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(nrcb, 3);
  /* start + one reschedule per firing */
  CHECK_EQ_INT(nresched, 4);
  CHECK(!ev_is_active(&p));
  /* again: calls it once more */
  ev_periodic_again(loop, &p);
  CHECK_EQ_INT(nresched, 5);
  CHECK(ev_periodic_at(&p) == resched_ret);
  ev_periodic_stop(loop, &p);

  CHECK_EQ_INT(bad_revents, 0);
  TEST_DONE();
}
