/* ev_set_invoke_pending_cb + ev_invoke_pending called from the custom
 * callback; pending count as seen by the custom callback. */
#include <ev.h>
#include "testutil.h"

static int inv_calls, inv_first_count, forward, ncb;
static struct ev_loop *inv_loop;
static int inv_depth;

static void my_invoke(struct ev_loop *loop)
{
  if (inv_calls == 0) {
    inv_first_count = ev_pending_count(loop);
    inv_depth = ev_depth(loop);
  }
  inv_calls++;
  inv_loop = loop;
  if (forward) ev_invoke_pending(loop);
}

static void cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w;
  CHECK_EQ_INT(revents, EV_CUSTOM);
  ncb++;
}

static int nt;
static void tcb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w;
  CHECK_EQ_INT(revents, EV_TIMER);
  nt++;
}

int main(void)
{
  struct ev_loop *loop;
  ev_timer w[3];
  int i, r;

  ALARM_GUARD(5);
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  for (i = 0; i < 3; i++) ev_init(&w[i], cb);

  ev_set_invoke_pending_cb(loop, my_invoke);

  /* 1. a custom callback that does not invoke: watchers stay pending */
  forward = 0;
  for (i = 0; i < 3; i++) ev_feed_event(loop, &w[i], EV_CUSTOM);
  r = ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(r, 0);
  CHECK(inv_calls >= 1);
  CHECK(inv_loop == loop);
  CHECK_EQ_INT(inv_depth, 1); /* called from within ev_run */
  CHECK_EQ_INT(inv_first_count, 3);
  CHECK_EQ_INT(ncb, 0);
  for (i = 0; i < 3; i++) CHECK(ev_is_pending(&w[i]));
  CHECK(ev_pending_count(loop) >= 3);

  /* ... until ev_invoke_pending is called by hand (outside ev_run) */
  ev_invoke_pending(loop);
  CHECK_EQ_INT(ncb, 3);
  for (i = 0; i < 3; i++) CHECK(!ev_is_pending(&w[i]));
  CHECK_EQ_INT(ev_pending_count(loop), 0);

  /* 2. a forwarding custom callback: watchers are invoked via it */
  forward = 1; inv_calls = 0; ncb = 0;
  for (i = 0; i < 3; i++) ev_feed_event(loop, &w[i], EV_CUSTOM);
  ev_run(loop, EVRUN_NOWAIT);
  CHECK(inv_calls >= 1);
  CHECK_EQ_INT(inv_first_count, 3);
  CHECK_EQ_INT(ncb, 3);
  CHECK_EQ_INT(ev_pending_count(loop), 0);

  /* timers too go through the custom callback */
  {
    ev_timer t;
    int before;
    ev_timer_init(&t, tcb, 0.003, 0.);
    ev_timer_start(loop, &t);
    before = inv_calls;
    ev_run(loop, 0);
    CHECK_EQ_INT(nt, 1);
    CHECK(inv_calls > before);
  }

  /* 3. a non-forwarding callback with a timer: the timer is expired but
   *    its callback does not run until ev_invoke_pending */
  forward = 0; nt = 0;
  {
    ev_timer t;
    ev_timer_init(&t, tcb, 0.002, 0.);
    ev_timer_start(loop, &t);
    for (i = 0; i < 20 && !ev_is_pending(&t); i++)
      ev_run(loop, EVRUN_ONCE);
    CHECK(ev_is_pending(&t));
    CHECK(!ev_is_active(&t)); /* one-shot: stopped when it expired */
    CHECK_EQ_INT(nt, 0);
    ev_invoke_pending(loop);
    CHECK_EQ_INT(nt, 1);
    CHECK(!ev_is_pending(&t));
  }

  /* 4. resetting with ev_invoke_pending as the callback restores normal
   *    behaviour */
  ev_set_invoke_pending_cb(loop, ev_invoke_pending);
  inv_calls = 0; ncb = 0;
  for (i = 0; i < 3; i++) ev_feed_event(loop, &w[i], EV_CUSTOM);
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(inv_calls, 0);
  CHECK_EQ_INT(ncb, 3);
  CHECK_EQ_INT(ev_pending_count(loop), 0);

  /* 5. the setting is per loop */
  {
    struct ev_loop *other = ev_loop_new(0);
    CHECK(other != NULL);
    if (other) {
      ev_set_invoke_pending_cb(other, my_invoke);
      forward = 0; inv_calls = 0; ncb = 0;
      ev_feed_event(loop, &w[0], EV_CUSTOM);
      ev_run(loop, EVRUN_NOWAIT);
      CHECK_EQ_INT(inv_calls, 0);
      CHECK_EQ_INT(ncb, 1);
      ev_feed_event(other, &w[1], EV_CUSTOM);
      ev_run(other, EVRUN_NOWAIT);
      CHECK(inv_calls >= 1);
      CHECK(inv_loop == other);
      CHECK_EQ_INT(ncb, 1);
      ev_invoke_pending(other);
      CHECK_EQ_INT(ncb, 2);
      ev_loop_destroy(other);
    }
  }

  ev_loop_destroy(loop);
  TEST_DONE();
}
