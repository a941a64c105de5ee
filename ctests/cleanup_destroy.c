/* ev_cleanup watchers: they do not keep ev_run alive (a loop with only a
 * cleanup watcher returns from ev_run(0) at once, and ev_run(ONCE) does
 * not block); they are invoked (revents EV_CLEANUP, once each) by
 * ev_loop_destroy, for dynamic loops and the default loop; a stopped
 * cleanup watcher is not invoked; the loop is still usable inside the
 * callback (ev_now, ev_iteration, ev_userdata, stopping watchers);
 * ev_loop_destroy on the default loop clears ev_default_loop_ptr. */
#include <ev.h>
#include "testutil.h"

static int ncb[3], bad_revents, order, ord[3];
static struct ev_loop *seen_loop;
static void *seen_userdata;
static ev_timer t;
static int timer_active_in_cb = -1;

static void cleanup_cb(struct ev_loop *loop, ev_cleanup *w, int revents)
{
  int i = (int)(long)w->data;
  if (revents != EV_CLEANUP) bad_revents++;
  ncb[i]++;
  ord[i] = ++order;
  seen_loop = loop;
  seen_userdata = ev_userdata(loop);
  (void)ev_now(loop);
  (void)ev_iteration(loop);
  /* watchers can still be stopped from here */
  if (i == 0) {
    timer_active_in_cb = !!ev_is_active(&t);
    ev_timer_stop(loop, &t);
  }
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
}

static unsigned env_backend(void)
{
  const char *e = getenv("LIBEV_FLAGS");
  return e ? (unsigned)atoi(e) & EVBACKEND_MASK : 0;
}

int main(void)
{
  struct ev_loop *loop;
  ev_cleanup c[3];
  int i;
  ev_tstamp t0;

  ALARM_GUARD(5);

  /* ---- dynamic loop ---- */
  loop = ev_loop_new(EVFLAG_NOENV | env_backend());
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  ev_set_userdata(loop, (void *)&ncb);
  for (i = 0; i < 3; i++) {
    ev_cleanup_init(&c[i], cleanup_cb);
    c[i].data = (void *)(long)i;
  }
  ev_cleanup_start(loop, &c[0]);
  ev_cleanup_start(loop, &c[1]);
  ev_cleanup_start(loop, &c[2]);
  CHECK(ev_is_active(&c[0]) && ev_is_active(&c[1]) && ev_is_active(&c[2]));
  ev_cleanup_stop(loop, &c[1]);
  CHECK(!ev_is_active(&c[1]));

  /* only cleanup watchers: ev_run returns immediately */
  ev_now_update(loop);
  t0 = ev_now(loop);
  ev_run(loop, 0);
  ev_run(loop, EVRUN_ONCE);
  ev_now_update(loop);
  CHECK(ev_now(loop) - t0 < 0.5);
  CHECK_EQ_INT(ncb[0] + ncb[1] + ncb[2], 0);
  CHECK(ev_is_active(&c[0]));

  /* an active timer is still active when the cleanup runs */
  ev_timer_init(&t, timer_cb, 100., 0.);
  ev_timer_start(loop, &t);

  ev_loop_destroy(loop);
  CHECK_EQ_INT(ncb[0], 1);
  CHECK_EQ_INT(ncb[1], 0);
  CHECK_EQ_INT(ncb[2], 1);
  CHECK(seen_loop == loop);
  CHECK(seen_userdata == (void *)&ncb);
  CHECK_EQ_INT(timer_active_in_cb, 1);
  CHECK(!ev_is_active(&t));

  /* ---- default loop ---- */
  memset(ncb, 0, sizeof ncb);
  order = 0;
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  ev_cleanup_init(&c[0], cleanup_cb);
  c[0].data = (void *)0L;
  ev_cleanup_start(loop, &c[0]);
  ev_timer_init(&t, timer_cb, 100., 0.);
  ev_timer_start(loop, &t);
  ev_unref(loop); /* the timer alone should not keep ev_run(0) alive */
  ev_run(loop, 0);
  ev_ref(loop);
  CHECK_EQ_INT(ncb[0], 0);
  ev_loop_destroy(loop);
  CHECK_EQ_INT(ncb[0], 1);
  CHECK(seen_loop == loop);
  CHECK(ev_default_loop_uc_() == NULL);

  CHECK_EQ_INT(bad_revents, 0);
  TEST_DONE();
}
