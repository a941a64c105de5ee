/* ev_iteration counting and ev_depth inside (nested) ev_run */
#include <ev.h>
#include "testutil.h"

static unsigned prep_it[8], check_it[8];
static int nprep, ncheck;
static void prep_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
  (void)w; (void)revents;
  if (nprep < 8) prep_it[nprep] = ev_iteration(loop);
  nprep++;
}
static void check_cb(struct ev_loop *loop, ev_check *w, int revents)
{
  (void)w; (void)revents;
  if (ncheck < 8) check_it[ncheck] = ev_iteration(loop);
  ncheck++;
}

static int depths[16], ndepth;
static void rec_depth(struct ev_loop *loop) { if (ndepth < 16) depths[ndepth++] = ev_depth(loop); }

static int nested_levels; /* how deep to recurse */
static void nest_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)revents;
  rec_depth(loop);
  if ((int)ev_depth(loop) < nested_levels) {
    /* recurse: a nested NOWAIT run invokes this idle watcher again */
    ev_run(loop, EVRUN_NOWAIT);
    rec_depth(loop); /* back at our own depth */
  } else
    ev_idle_stop(loop, w);
}

static unsigned it_in_idle[8];
static int nidle;
static void idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)revents;
  if (nidle < 8) it_in_idle[nidle] = ev_iteration(loop);
  if (++nidle >= 5) ev_idle_stop(loop, w);
}

int main(void)
{
  struct ev_loop *loop, *other;
  unsigned it0;
  int i;

  ALARM_GUARD(5);
  loop = ev_loop_new(0);
  other = ev_loop_new(0);
  CHECK(loop != NULL && other != NULL);
  if (!loop || !other) TEST_DONE();

  /* a fresh loop: iteration 0, depth 0 */
  CHECK_EQ_INT(ev_iteration(loop), 0);
  CHECK_EQ_INT(ev_depth(loop), 0);

  /* every NOWAIT / ONCE run is exactly one iteration */
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(ev_iteration(loop), 1);
  ev_run(loop, EVRUN_NOWAIT);
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(ev_iteration(loop), 3);
  ev_run(loop, EVRUN_ONCE); /* no watchers: does not block */
  CHECK_EQ_INT(ev_iteration(loop), 4);
  CHECK_EQ_INT(ev_depth(loop), 0);
  /* counters are per loop */
  CHECK_EQ_INT(ev_iteration(other), 0);

  /* the counter is incremented between the prepare and check phases */
  {
    ev_prepare p;
    ev_check c;
    ev_prepare_init(&p, prep_cb);
    ev_check_init(&c, check_cb);
    ev_prepare_start(loop, &p);
    ev_check_start(loop, &c);
    it0 = ev_iteration(loop);
    for (i = 0; i < 3; i++) ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(nprep, 3);
    CHECK_EQ_INT(ncheck, 3);
    for (i = 0; i < 3; i++) {
      CHECK_EQ_INT(prep_it[i], it0 + i);
      CHECK_EQ_INT(check_it[i], it0 + i + 1);
    }
    CHECK_EQ_INT(ev_iteration(loop), it0 + 3);
    ev_prepare_stop(loop, &p);
    ev_check_stop(loop, &c);
  }

  /* ev_run(0) with an idle watcher: one iteration per invocation, callbacks
   * see the already incremented counter */
  {
    ev_idle id;
    ev_idle_init(&id, idle_cb);
    ev_idle_start(loop, &id);
    it0 = ev_iteration(loop);
    CHECK_EQ_INT(ev_run(loop, 0), 0);
    CHECK_EQ_INT(nidle, 5);
    for (i = 0; i < 5; i++) CHECK_EQ_INT(it_in_idle[i], it0 + 1 + i);
    CHECK_EQ_INT(ev_iteration(loop), it0 + 5);
  }

  /* depth: 1 in a callback of a top-level run, +1 per nested ev_run,
   * back to the previous value after a nested run returns, 0 outside */
  {
    ev_idle id;
    ev_idle_init(&id, nest_cb);
    ev_idle_start(loop, &id);
    nested_levels = 3;
    ndepth = 0;
    ev_run(loop, 0);
    /* entries: 1 (calls nested) 2 (calls nested) 3 (stops) back 2, back 1 */
    CHECK_EQ_INT(ndepth, 5);
    CHECK_EQ_INT(depths[0], 1);
    CHECK_EQ_INT(depths[1], 2);
    CHECK_EQ_INT(depths[2], 3);
    CHECK_EQ_INT(depths[3], 2);
    CHECK_EQ_INT(depths[4], 1);
    CHECK_EQ_INT(ev_depth(loop), 0);
    CHECK(!ev_is_active(&id));
  }

  /* nested runs count their iterations on the same counter */
  {
    ev_idle id;
    ev_idle_init(&id, nest_cb);
    ev_idle_start(loop, &id);
    nested_levels = 2;
    ndepth = 0;
    it0 = ev_iteration(loop);
    ev_run(loop, 0);
    CHECK_EQ_INT(ndepth, 3);
    /* outer iteration + one nested NOWAIT iteration */
    CHECK_EQ_INT(ev_iteration(loop), it0 + 2);
  }

  /* depth of another loop is unaffected while this one runs */
  CHECK_EQ_INT(ev_depth(other), 0);

  ev_loop_destroy(other);
  ev_loop_destroy(loop);
  TEST_DONE();
}
