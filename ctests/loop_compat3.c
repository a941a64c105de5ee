/* The libev-3 compatibility names for loop functions (EV_COMPAT3, on by
 * default): ev_loop, ev_unloop, ev_loop_count, ev_loop_depth,
 * ev_loop_verify, ev_default_fork, EVLOOP_* / EVUNLOOP_* constants.
 * They are header inlines calling ev_run/ev_break/ev_iteration/... */
#include <ev.h>
#include "testutil.h"

static int n, depth_seen, nested_ret_depth;
static void idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)revents;
  n++;
  depth_seen = ev_loop_depth(loop);
  ev_loop_verify(loop);
  if (n == 3) ev_unloop(loop, EVUNLOOP_ONE);
  if (n >= 5) ev_idle_stop(loop, w);
}

static ev_idle inner;
static int ninner;
static void inner_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)w; (void)revents;
  ninner++;
  nested_ret_depth = ev_loop_depth(loop);
  ev_unloop(loop, EVUNLOOP_ALL);
}
static void outer_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)revents;
  ev_idle_stop(loop, w);
  ev_idle_start(loop, &inner);
  ev_loop(loop, 0);
}

static int nfork;
static void fork_cb(struct ev_loop *loop, ev_fork *w, int revents) { (void)loop; (void)w; (void)revents; nfork++; }

int main(void)
{
  struct ev_loop *loop;
  ev_idle id, outer;
  unsigned c0;

  ALARM_GUARD(5);

  /* the old names are the same values */
  CHECK_EQ_INT(EVLOOP_NONBLOCK, EVRUN_NOWAIT);
  CHECK_EQ_INT(EVLOOP_ONESHOT, EVRUN_ONCE);
  CHECK_EQ_INT(EVUNLOOP_CANCEL, EVBREAK_CANCEL);
  CHECK_EQ_INT(EVUNLOOP_ONE, EVBREAK_ONE);
  CHECK_EQ_INT(EVUNLOOP_ALL, EVBREAK_ALL);
  CHECK_EQ_INT(EV_TIMEOUT, EV_TIMER);

  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  /* ev_loop_count == ev_iteration, ev_loop(NONBLOCK) is one iteration */
  c0 = ev_loop_count(loop);
  CHECK_EQ_INT(c0, ev_iteration(loop));
  ev_loop(loop, EVLOOP_NONBLOCK);
  CHECK_EQ_INT(ev_loop_count(loop), c0 + 1);
  ev_loop(loop, EVLOOP_ONESHOT);
  CHECK_EQ_INT(ev_loop_count(loop), c0 + 2);
  CHECK_EQ_INT(ev_loop_depth(loop), 0);

  /* ev_unloop(ONE) stops ev_loop(0) after that iteration; a second ev_loop
   * continues until the watcher stops */
  ev_idle_init(&id, idle_cb);
  ev_idle_start(loop, &id);
  ev_loop(loop, 0);
  CHECK_EQ_INT(n, 3);
  CHECK_EQ_INT(depth_seen, 1);
  ev_loop(loop, 0);
  CHECK_EQ_INT(n, 5);
  CHECK(!ev_is_active(&id));

  /* nested ev_loop + ev_unloop(ALL) */
  ev_idle_init(&inner, inner_cb);
  ev_idle_init(&outer, outer_cb);
  ev_idle_start(loop, &outer);
  ev_loop(loop, 0);
  CHECK_EQ_INT(ninner, 1);
  CHECK_EQ_INT(nested_ret_depth, 2);
  CHECK_EQ_INT(ev_loop_depth(loop), 0);
  ev_idle_stop(loop, &inner);
  ev_loop_destroy(loop);

  /* ev_default_fork == ev_loop_fork(default loop): fork watchers run */
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (loop) {
    ev_fork f;
    ev_fork_init(&f, fork_cb);
    ev_fork_start(loop, &f);
    ev_loop(loop, EVLOOP_NONBLOCK);
    CHECK_EQ_INT(nfork, 0);
    ev_default_fork();
    ev_loop(loop, EVLOOP_NONBLOCK);
    CHECK_EQ_INT(nfork, 1);
    ev_fork_stop(loop, &f);
    ev_default_destroy();
  }

  TEST_DONE();
}
