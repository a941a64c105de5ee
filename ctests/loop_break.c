/* ev_break: EVBREAK_ONE / EVBREAK_ALL / EVBREAK_CANCEL, nested ev_run,
 * ev_break outside ev_run, break from a prepare watcher. */
#include <ev.h>
#include "testutil.h"

static char log_[128];
static int llen;
static void note(char c) { if (llen < (int)sizeof(log_) - 1) log_[llen++] = c; log_[llen] = 0; }
static void reset_log(void) { llen = 0; log_[0] = 0; }

static ev_idle A, B;
static int na, nb, inner_ret, depth_after_inner, break_how;

/* A: on its first call, starts B and runs the loop recursively */
static void a_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)revents;
  na++;
  note('a'); note('0' + ev_depth(loop));
  ev_idle_stop(loop, w);
  ev_idle_start(loop, &B);
  inner_ret = ev_run(loop, 0);
  depth_after_inner = ev_depth(loop);
  note('r'); note('0' + inner_ret);
}

/* B: breaks the inner loop on its 2nd call at depth 2; at depth 1 it stops */
static void b_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)revents;
  nb++;
  note('b'); note('0' + ev_depth(loop));
  if (ev_depth(loop) == 2 && nb == 2)
    ev_break(loop, break_how);
  else if (ev_depth(loop) == 1)
    ev_idle_stop(loop, w);
}

/* counts calls, stops itself after `limit` calls; optional break actions */
static int nc, limit, do_break_one, do_cancel;
static void c_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)revents;
  nc++;
  if (do_break_one) ev_break(loop, EVBREAK_ONE);
  if (do_cancel) ev_break(loop, EVBREAK_CANCEL);
  if (nc >= limit) ev_idle_stop(loop, w);
}

static int nd;
static void d_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  nd++;
}

static void prep_break_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
  (void)w; (void)revents;
  note('P');
  ev_break(loop, EVBREAK_ONE);
}

static int nt;
static void t_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  nt++;
}

int main(void)
{
  struct ev_loop *loop;
  int r;
  unsigned it;

  ALARM_GUARD(5);
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  ev_idle_init(&A, a_cb);
  ev_idle_init(&B, b_cb);

  /* 1. nested ev_run, EVBREAK_ONE from depth 2 only leaves the inner run */
  reset_log(); na = nb = 0; break_how = EVBREAK_ONE;
  ev_idle_start(loop, &A);
  r = ev_run(loop, 0);
  CHECK_EQ_INT(r, 0);
  /* a@1, b@2, b@2 (break), inner returns 1 (B active), then b@1 in the
   * outer loop, which stops B so the outer run ends by itself */
  CHECK(strcmp(log_, "a1b2b2r1b1") == 0);
  if (strcmp(log_, "a1b2b2r1b1")) fprintf(stderr, "  log: %s\n", log_);
  CHECK_EQ_INT(inner_ret, 1);
  CHECK_EQ_INT(depth_after_inner, 1);
  CHECK_EQ_INT(ev_depth(loop), 0);
  CHECK(!ev_is_active(&A));
  CHECK(!ev_is_active(&B));

  /* 2. nested ev_run, EVBREAK_ALL from depth 2 leaves both runs */
  reset_log(); na = nb = 0; break_how = EVBREAK_ALL;
  ev_idle_start(loop, &A);
  r = ev_run(loop, 0);
  CHECK_EQ_INT(r, 1); /* B is still active */
  CHECK(strcmp(log_, "a1b2b2r1") == 0);
  if (strcmp(log_, "a1b2b2r1")) fprintf(stderr, "  log: %s\n", log_);
  CHECK_EQ_INT(ev_depth(loop), 0);
  CHECK(ev_is_active(&B));
  /* the break state is cleared by the next ev_run: B runs at depth 1 */
  reset_log();
  r = ev_run(loop, 0);
  CHECK_EQ_INT(r, 0);
  CHECK(strcmp(log_, "b1") == 0);
  CHECK(!ev_is_active(&B));

  /* 3. EVBREAK_ONE in a plain run: returns after that iteration with the
   *    active count; other watchers pending in the same iteration still run */
  {
    ev_idle c, d;
    nc = 0; nd = 0; limit = 1000; do_break_one = 1; do_cancel = 0;
    ev_idle_init(&c, c_cb);
    ev_idle_init(&d, d_cb);
    ev_idle_start(loop, &c);
    ev_idle_start(loop, &d);
    r = ev_run(loop, 0);
    CHECK_EQ_INT(r, 2);
    CHECK_EQ_INT(nc, 1);
    CHECK_EQ_INT(nd, 1);
    /* and again: break state was reset, one more iteration */
    r = ev_run(loop, 0);
    CHECK_EQ_INT(r, 2);
    CHECK_EQ_INT(nc, 2);
    CHECK_EQ_INT(nd, 2);
    ev_idle_stop(loop, &c);
    ev_idle_stop(loop, &d);
  }

  /* 4. EVBREAK_CANCEL cancels a previous EVBREAK_ONE */
  {
    ev_idle c;
    nc = 0; limit = 3; do_break_one = 1; do_cancel = 1;
    ev_idle_init(&c, c_cb);
    ev_idle_start(loop, &c);
    r = ev_run(loop, 0);
    CHECK_EQ_INT(r, 0);
    CHECK_EQ_INT(nc, 3);
  }

  /* 5. ev_break outside ev_run has no effect (ONE and ALL) */
  {
    ev_idle c;
    nc = 0; limit = 3; do_break_one = 0; do_cancel = 0;
    ev_idle_init(&c, c_cb);
    ev_idle_start(loop, &c);
    ev_break(loop, EVBREAK_ONE);
    ev_break(loop, EVBREAK_ALL);
    r = ev_run(loop, 0);
    CHECK_EQ_INT(r, 0);
    CHECK_EQ_INT(nc, 3);
    CHECK_EQ_INT(ev_depth(loop), 0);
  }

  /* 6. EVBREAK_ALL left over from a previous run does not stop the next */
  {
    ev_idle c;
    nc = 0; limit = 2; do_break_one = 0; do_cancel = 0;
    ev_idle_init(&c, c_cb);
    ev_idle_start(loop, &c);
    r = ev_run(loop, 0);
    CHECK_EQ_INT(nc, 2);
    CHECK_EQ_INT(r, 0);
  }

  /* 7. ev_break in a prepare watcher: ev_run returns before polling, the
   *    iteration counter is not incremented, an already expired timer is
   *    not even queued */
  {
    ev_prepare p;
    ev_timer t;
    reset_log(); nt = 0;
    ev_prepare_init(&p, prep_break_cb);
    ev_prepare_start(loop, &p);
    ev_timer_init(&t, t_cb, 0., 0.);
    ev_timer_start(loop, &t);
    it = ev_iteration(loop);
    r = ev_run(loop, 0);
    CHECK_EQ_INT(r, 2);
    CHECK(strcmp(log_, "P") == 0);
    CHECK_EQ_INT(ev_iteration(loop), it);
    CHECK_EQ_INT(nt, 0);
    CHECK(!ev_is_pending(&t));
    CHECK(ev_is_active(&t));
    ev_prepare_stop(loop, &p);
    /* without the prepare, the timer fires normally */
    r = ev_run(loop, 0);
    CHECK_EQ_INT(r, 0);
    CHECK_EQ_INT(nt, 1);
  }

  /* 8. EVBREAK_ONE with EVRUN_ONCE / NOWAIT is harmless */
  {
    ev_idle c;
    nc = 0; limit = 1000; do_break_one = 1; do_cancel = 0;
    ev_idle_init(&c, c_cb);
    ev_idle_start(loop, &c);
    CHECK_EQ_INT(ev_run(loop, EVRUN_ONCE), 1);
    CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 1);
    CHECK_EQ_INT(nc, 2);
    ev_idle_stop(loop, &c);
  }

  ev_loop_destroy(loop);
  TEST_DONE();
}
