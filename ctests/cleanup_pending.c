/* ev_loop_destroy with cleanup watchers queues them and invokes all
 * pending watchers: cleanup watchers run last-started first, and a watcher
 * that was already pending (ev_feed_event) is invoked too.  Without any
 * cleanup watcher no callback runs at destroy time.  ev_default_destroy
 * (EV_COMPAT3) runs the default loop's cleanup watchers as well. */
#include <ev.h>
#include "testutil.h"

static int nidle, ncb, order[4], bad_revents;

static void idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)loop; (void)w;
  if (revents != EV_CUSTOM) bad_revents++;
  nidle++;
}

static void cleanup_cb(struct ev_loop *loop, ev_cleanup *w, int revents)
{
  (void)loop;
  if (revents != EV_CLEANUP) bad_revents++;
  if (ncb < 4) order[ncb] = (int)(long)w->data;
  ncb++;
}

static unsigned env_backend(void)
{
  const char *e = getenv("LIBEV_FLAGS");
  return e ? (unsigned)atoi(e) & EVBACKEND_MASK : 0;
}

int main(void)
{
  struct ev_loop *loop;
  ev_idle idle;
  ev_cleanup c1, c2, c3;

  ALARM_GUARD(5);

  /* with cleanup watchers: pending watchers are invoked too */
  loop = ev_loop_new(EVFLAG_NOENV | env_backend());
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  ev_idle_init(&idle, idle_cb);
  ev_cleanup_init(&c1, cleanup_cb);
  c1.data = (void *)1L;
  ev_cleanup_init(&c2, cleanup_cb);
  c2.data = (void *)2L;
  ev_cleanup_init(&c3, cleanup_cb);
  c3.data = (void *)3L;
  ev_cleanup_start(loop, &c1);
  ev_cleanup_start(loop, &c2);
  ev_cleanup_start(loop, &c3);
  ev_feed_event(loop, &idle, EV_CUSTOM);
  CHECK(ev_is_pending(&idle));
  ev_loop_destroy(loop);
  CHECK_EQ_INT(ncb, 3);
  CHECK_EQ_INT(order[0], 3);
  CHECK_EQ_INT(order[1], 2);
  CHECK_EQ_INT(order[2], 1);
  CHECK_EQ_INT(nidle, 1);
  CHECK(!ev_is_pending(&idle));

  /* without cleanup watchers: nothing is invoked */
  nidle = ncb = 0;
  loop = ev_loop_new(EVFLAG_NOENV | env_backend());
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  ev_idle_init(&idle, idle_cb);
  ev_feed_event(loop, &idle, EV_CUSTOM);
  ev_loop_destroy(loop);
  CHECK_EQ_INT(nidle, 0);

  /* a cleanup watcher stopped again is as good as none */
  loop = ev_loop_new(EVFLAG_NOENV | env_backend());
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  ev_idle_init(&idle, idle_cb);
  ev_cleanup_init(&c1, cleanup_cb); /* destroy does not reset watchers */
  c1.data = (void *)1L;
  ev_cleanup_start(loop, &c1);
  ev_cleanup_stop(loop, &c1);
  ev_feed_event(loop, &idle, EV_CUSTOM);
  ev_loop_destroy(loop);
  CHECK_EQ_INT(nidle, 0);
  CHECK_EQ_INT(ncb, 0);

  /* ev_default_destroy */
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  ev_cleanup_init(&c2, cleanup_cb);
  c2.data = (void *)2L;
  ev_cleanup_start(loop, &c2);
  ev_default_destroy();
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(order[0], 2);
  CHECK(ev_default_loop_uc_() == NULL);

  CHECK_EQ_INT(bad_revents, 0);
  TEST_DONE();
}
