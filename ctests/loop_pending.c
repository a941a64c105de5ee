/* ev_pending_count outside and inside callbacks, ev_invoke_pending called
 * directly, and from within a callback. */
#include <ev.h>
#include "testutil.h"

static int seen_count[8], seen_rev[8], ncalls;
static char order[16];
static void cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  int id = (int)(long)w->data;
  if (ncalls < 8) {
    seen_count[ncalls] = ev_pending_count(loop);
    seen_rev[ncalls] = revents;
    order[ncalls] = '0' + id;
    order[ncalls + 1] = 0;
  }
  ncalls++;
  CHECK(!ev_is_pending(w)); /* pending flag is cleared before the callback */
}

static void reset(void) { ncalls = 0; order[0] = 0; memset(seen_count, -1, sizeof seen_count); }

/* a callback that calls ev_invoke_pending itself */
static ev_timer inner_w[2];
static int nested_done;
static void outer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_feed_event(loop, &inner_w[0], EV_CUSTOM);
  ev_feed_event(loop, &inner_w[1], EV_CUSTOM);
  CHECK(ev_pending_count(loop) >= 2);
  ev_invoke_pending(loop);
  /* the fed watchers ran synchronously inside ev_invoke_pending */
  nested_done = ncalls;
  CHECK(!ev_is_pending(&inner_w[0]));
  CHECK(!ev_is_pending(&inner_w[1]));
}

int main(void)
{
  struct ev_loop *loop;
  ev_timer w[3];
  int i;

  ALARM_GUARD(5);
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  for (i = 0; i < 3; i++) {
    ev_init(&w[i], cb);
    w[i].data = (void *)(long)i;
  }

  /* nothing pending in a fresh loop */
  CHECK_EQ_INT(ev_pending_count(loop), 0);

  /* ev_feed_event makes watchers pending immediately (even inactive ones) */
  ev_feed_event(loop, &w[0], EV_CUSTOM);
  CHECK_EQ_INT(ev_pending_count(loop), 1);
  CHECK(ev_is_pending(&w[0]));
  ev_feed_event(loop, &w[1], EV_CUSTOM);
  ev_feed_event(loop, &w[2], EV_CUSTOM);
  CHECK_EQ_INT(ev_pending_count(loop), 3);

  /* inside the callbacks, the count goes down as they are invoked;
   * watchers fed before ev_run are invoked before any polling */
  reset();
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);
  CHECK_EQ_INT(ncalls, 3);
  CHECK_EQ_INT(seen_count[0], 2);
  CHECK_EQ_INT(seen_count[1], 1);
  CHECK_EQ_INT(seen_count[2], 0);
  for (i = 0; i < 3; i++) CHECK_EQ_INT(seen_rev[i], EV_CUSTOM);
  /* same priority: invoked in reverse feed order (LIFO) */
  CHECK(strcmp(order, "210") == 0);
  for (i = 0; i < 3; i++) CHECK(!ev_is_pending(&w[i]));

  /* feeding the same watcher twice: pending once, revents are or'ed */
  reset();
  ev_feed_event(loop, &w[0], EV_CUSTOM);
  ev_feed_event(loop, &w[0], EV_READ);
  CHECK_EQ_INT(ev_pending_count(loop), 1);
  ev_invoke_pending(loop);
  CHECK_EQ_INT(ncalls, 1);
  CHECK_EQ_INT(seen_rev[0], EV_CUSTOM | EV_READ);
  CHECK_EQ_INT(ev_pending_count(loop), 0);

  /* ev_invoke_pending outside ev_run runs everything pending, respecting
   * priorities (higher first) */
  reset();
  ev_set_priority(&w[0], 2);
  ev_set_priority(&w[1], -2);
  ev_set_priority(&w[2], 0);
  ev_feed_event(loop, &w[0], EV_CUSTOM);
  ev_feed_event(loop, &w[1], EV_CUSTOM);
  ev_feed_event(loop, &w[2], EV_CUSTOM);
  CHECK_EQ_INT(ev_pending_count(loop), 3);
  ev_invoke_pending(loop);
  CHECK_EQ_INT(ncalls, 3);
  CHECK(strcmp(order, "021") == 0);
  CHECK_EQ_INT(ev_pending_count(loop), 0);
  ev_invoke_pending(loop); /* nothing to do */
  CHECK_EQ_INT(ncalls, 3);
  for (i = 0; i < 3; i++) ev_set_priority(&w[i], 0);

  /* ev_clear_pending returns the revents and the watcher is not invoked */
  reset();
  ev_feed_event(loop, &w[1], EV_CUSTOM);
  CHECK_EQ_INT(ev_clear_pending(loop, &w[1]), EV_CUSTOM);
  CHECK(!ev_is_pending(&w[1]));
  ev_invoke_pending(loop);
  CHECK_EQ_INT(ncalls, 0);
  CHECK_EQ_INT(ev_pending_count(loop), 0);

  /* a timer expiring in an iteration is pending for its callback's peers */
  {
    ev_timer a, b;
    ev_timer_init(&a, cb, 0.003, 0.); a.data = (void *)0L;
    ev_timer_init(&b, cb, 0.003, 0.); b.data = (void *)1L;
    ev_timer_start(loop, &a);
    ev_timer_start(loop, &b);
    reset();
    CHECK_EQ_INT(ev_pending_count(loop), 0);
    for (i = 0; i < 20 && ncalls < 2; i++)
      ev_run(loop, EVRUN_ONCE);
    CHECK_EQ_INT(ncalls, 2);
    /* the first callback sees at least the other timer pending (some
     * backends also have internal watchers pending at that moment) */
    CHECK(seen_count[0] >= 1);
    CHECK(seen_count[1] == seen_count[0] - 1);
    CHECK_EQ_INT(seen_rev[0], EV_TIMER);
    CHECK_EQ_INT(seen_rev[1], EV_TIMER);
  }

  /* ev_invoke_pending may be called from inside a callback */
  {
    ev_timer o;
    ev_init(&o, outer_cb);
    ev_init(&inner_w[0], cb); inner_w[0].data = (void *)0L;
    ev_init(&inner_w[1], cb); inner_w[1].data = (void *)1L;
    reset();
    nested_done = -1;
    ev_feed_event(loop, &o, EV_CUSTOM);
    ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(nested_done, 2);
    CHECK_EQ_INT(ncalls, 2);
    CHECK(strcmp(order, "10") == 0);
  }

  ev_loop_destroy(loop);
  TEST_DONE();
}
