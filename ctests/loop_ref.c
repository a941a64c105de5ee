/* ev_ref / ev_unref: an unref'ed watcher does not keep ev_run alive,
 * but still fires while the loop runs for other reasons. */
#include <ev.h>
#include "testutil.h"

static int n_rep, n_once;
static void rep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w;
  CHECK_EQ_INT(revents, EV_TIMER);
  n_rep++;
}
static void once_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w;
  CHECK_EQ_INT(revents, EV_TIMER);
  n_once++;
}

static int n_sig;
static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  n_sig++;
}

/* a one-shot timer that re-refs the loop in its callback (libev stops
 * non-repeating timers itself, so the user must ev_ref there) */
static void reref_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  n_once++;
  ev_ref(loop);
}

int main(void)
{
  struct ev_loop *loop;
  ev_timer rep, once;
  double t0, el;
  int r;
  unsigned it;

  ALARM_GUARD(5);
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  /* 1. a single unref'ed timer: ev_run(0) returns immediately with 0 */
  ev_timer_init(&rep, rep_cb, 0.2, 0.2);
  ev_timer_start(loop, &rep);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 1);
  ev_unref(loop);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);
  t0 = ev_time();
  it = ev_iteration(loop);
  r = ev_run(loop, 0);
  el = ev_time() - t0;
  CHECK_EQ_INT(r, 0);
  CHECK(el < 0.15); /* did not wait for the 200ms timer */
  CHECK_EQ_INT(ev_iteration(loop) - it, 1);
  CHECK_EQ_INT(n_rep, 0);
  CHECK(ev_is_active(&rep)); /* still active, just not counted */

  /* 2. with a referenced 25ms one-shot, the loop runs until it fires and the
   *    unref'ed 3ms repeater fires several times meanwhile */
  ev_ref(loop);
  ev_timer_stop(loop, &rep);
  ev_timer_set(&rep, 0.003, 0.003);
  ev_timer_start(loop, &rep);
  ev_unref(loop);
  ev_timer_init(&once, once_cb, 0.025, 0.);
  ev_now_update(loop);
  t0 = ev_time();
  ev_timer_start(loop, &once);
  r = ev_run(loop, EVRUN_NOWAIT);
  if (!n_once) CHECK_EQ_INT(r, 1); /* (unless the machine stalled 25ms) */
  r = ev_run(loop, 0);
  el = ev_time() - t0;
  CHECK_EQ_INT(r, 0);
  CHECK_EQ_INT(n_once, 1);
  CHECK(n_rep >= 1); /* typically 7-8 */
  CHECK(el >= 0.024);
  CHECK(el < 0.5);
  CHECK(ev_is_active(&rep));

  /* 3. ev_ref before stopping restores the balance */
  ev_ref(loop);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 1);
  ev_timer_stop(loop, &rep);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);

  /* 4. ev_ref / ev_unref on their own change the count ev_run reports */
  ev_ref(loop);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 1);
  ev_ref(loop);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 2);
  ev_unref(loop);
  ev_unref(loop);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);
  CHECK_EQ_INT(ev_run(loop, 0), 0);

  /* 5. several watchers, one unref: the count is reduced by one */
  {
    ev_timer a, b, c;
    ev_timer_init(&a, rep_cb, 10., 0.);
    ev_timer_init(&b, rep_cb, 10., 0.);
    ev_timer_init(&c, rep_cb, 10., 0.);
    ev_timer_start(loop, &a);
    ev_timer_start(loop, &b);
    ev_timer_start(loop, &c);
    ev_unref(loop);
    CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 2);
    ev_ref(loop);
    ev_timer_stop(loop, &a);
    ev_timer_stop(loop, &b);
    ev_timer_stop(loop, &c);
    CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);
  }

  /* 6. the documented idiom: one-shot timer started + unref'ed, callback
   *    does ev_ref; loop kept alive by another timer */
  n_once = 0;
  {
    ev_timer a, keep;
    ev_timer_init(&a, reref_cb, 0.002, 0.);
    ev_timer_start(loop, &a);
    ev_unref(loop);
    ev_timer_init(&keep, once_cb, 0.015, 0.);
    ev_timer_start(loop, &keep);
    r = ev_run(loop, 0);
    CHECK_EQ_INT(r, 0);
    CHECK_EQ_INT(n_once, 2);
    CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);
  }
  ev_loop_destroy(loop);

  /* 7. unref'ed signal watcher on the default loop does not keep it alive,
   *    but is still delivered while the loop runs */
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (loop) {
    ev_signal s;
    ev_timer keep;
    ev_signal_init(&s, sig_cb, SIGUSR1);
    ev_signal_start(loop, &s);
    ev_unref(loop);
    t0 = ev_time();
    CHECK_EQ_INT(ev_run(loop, 0), 0);
    CHECK(ev_time() - t0 < 0.5); /* did not block */
    n_once = 0;
    ev_timer_init(&keep, once_cb, 0.02, 0.);
    ev_timer_start(loop, &keep);
    raise(SIGUSR1);
    CHECK_EQ_INT(ev_run(loop, 0), 0);
    CHECK_EQ_INT(n_sig, 1);
    CHECK_EQ_INT(n_once, 1);
    ev_ref(loop);
    ev_signal_stop(loop, &s);
    CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);
  }

  TEST_DONE();
}
