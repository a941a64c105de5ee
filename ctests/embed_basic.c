/* ev_embed: an embeddable inner loop (epoll on Linux; created with
 * EVFLAG_NOENV so LIBEV_FLAGS does not change it) inside the outer loop
 * (backend from LIBEV_FLAGS).
 *  - with a callback: an io event on the inner loop invokes the embed
 *    callback (EV_EMBED); ev_embed_sweep from it runs the inner io cb;
 *  - without a callback (cb 0): the outer ev_run sweeps the inner loop
 *    itself, the inner io callback runs;
 *  - ev_embed_sweep called directly handles pending inner events;
 *  - after ev_embed_stop nothing of the inner loop is run by the outer;
 *  - embedding a loop whose backend is not embeddable (poll, select)
 *    aborts with libev's message. */
#include <ev.h>
#include <fcntl.h>
#include "testutil.h"

/* the backend of the embedded loop (embed_iouring.c sets another) */
#ifndef EMBED_INNER
# define EMBED_INNER EVBACKEND_EPOLL
#endif

static int nembed, ninner, bad_revents, sweep_in_cb;
static ev_embed *cur_embed;

static void inner_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
  char buf[64];
  (void)loop;
  if (revents != EV_READ) bad_revents++;
  if (read(w->fd, buf, sizeof buf) > 0) ninner++;
}

static void embed_cb(struct ev_loop *loop, ev_embed *w, int revents)
{
  (void)loop;
  if (revents != EV_EMBED) bad_revents++;
  nembed++;
  if (sweep_in_cb) ev_embed_sweep(loop, w);
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  if (ninner) ev_break(loop, EVBREAK_ALL);
}

static int timed_out;
static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  timed_out++;
  ev_break(loop, EVBREAK_ALL);
}

/* run the outer loop until an inner io callback happened, or 1 s */
static void run_outer(struct ev_loop *outer, double secs)
{
  ev_timer guard, tick;
  ev_timer_init(&guard, guard_cb, secs, 0.);
  ev_timer_start(outer, &guard);
  ev_timer_init(&tick, tick_cb, 0.005, 0.005);
  ev_timer_start(outer, &tick);
  ev_run(outer, 0);
  ev_timer_stop(outer, &tick);
  ev_timer_stop(outer, &guard);
}

static void embed_loop_with(unsigned backend)
{
  static ev_embed e;
  struct ev_loop *outer = ev_loop_new(0);
  struct ev_loop *inner = ev_loop_new(backend | EVFLAG_NOENV);
  if (!outer || !inner) _exit(3);
  ev_embed_init(&e, embed_cb, inner);
  ev_embed_start(outer, &e);
}
static void embed_poll(void) { embed_loop_with(EVBACKEND_POLL); }
static void embed_select(void) { embed_loop_with(EVBACKEND_SELECT); }

int main(void)
{
  struct ev_loop *outer, *inner;
  unsigned mask = ev_embeddable_backends() & ev_supported_backends();
  ev_embed e;
  ev_io io;
  int p[2];

  ALARM_GUARD(5);
  expect_abort(embed_poll, "libev: loop to be embedded is not embeddable");
  expect_abort(embed_select, "libev: loop to be embedded is not embeddable");

  /* epoll, explicitly: libev 4.33 also lists io_uring as embeddable (and
   * prefers it), but embedding an io_uring loop asserts in ev_io_start
   * ("negative fd") */
  if (!(mask & EMBED_INNER)) SKIP("the inner backend is not embeddable here");
  inner = ev_loop_new(EMBED_INNER | EVFLAG_NOENV);
  if (!inner) SKIP("cannot create an embeddable loop");
  CHECK(ev_backend(inner) & ev_embeddable_backends());
  outer = ev_loop_new(0);
  CHECK(outer != NULL);
  if (!outer) TEST_DONE();
  if (pipe(p) < 0) { perror("pipe"); return 1; }
  fcntl(p[0], F_SETFL, O_NONBLOCK); /* readiness may be spurious */

  ev_io_init(&io, inner_io_cb, p[0], EV_READ);
  ev_io_start(inner, &io);

  /* 1. with a callback that sweeps */
  ev_embed_init(&e, embed_cb, inner);
  CHECK(e.other == inner);
  ev_embed_start(outer, &e);
  CHECK(ev_is_active(&e));
  cur_embed = &e;
  sweep_in_cb = 1;
  /* one outer iteration lets the embed watcher's prepare hook register
   * the inner io watcher with the inner backend */
  ev_run(outer, EVRUN_NOWAIT);
  CHECK_EQ_INT(nembed, 0);
  if (write(p[1], "a", 1) != 1) perror("write");
  run_outer(outer, 1.0);
  CHECK_EQ_INT(timed_out, 0);
  CHECK(nembed >= 1);
  CHECK_EQ_INT(ninner, 1);

  /* a callback that does not sweep: the embed callback keeps being told,
   * the inner io callback does not run until somebody sweeps */
  nembed = ninner = 0;
  sweep_in_cb = 0;
  if (write(p[1], "b", 1) != 1) perror("write");
  {
    int i;
    for (i = 0; i < 50 && !nembed; i++) ev_run(outer, EVRUN_ONCE);
  }
  CHECK(nembed >= 1);
  CHECK_EQ_INT(ninner, 0);
  /* 2. ev_embed_sweep called directly */
  ev_embed_sweep(outer, &e);
  CHECK_EQ_INT(ninner, 1);
  ev_embed_stop(outer, &e);
  CHECK(!ev_is_active(&e));

  /* 3. no callback: automatic sweep during the outer ev_run */
  nembed = ninner = 0;
  ev_embed_init(&e, 0, inner);
  ev_embed_start(outer, &e);
  if (write(p[1], "c", 1) != 1) perror("write");
  run_outer(outer, 1.0);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(ninner, 1);
  CHECK_EQ_INT(nembed, 0);

  /* 4. after ev_embed_stop the outer loop does not run the inner one */
  ev_embed_stop(outer, &e);
  ninner = 0;
  if (write(p[1], "d", 1) != 1) perror("write");
  {
    int i;
    for (i = 0; i < 5; i++) ev_run(outer, EVRUN_NOWAIT);
  }
  CHECK_EQ_INT(ninner, 0);
  /* the inner loop itself still works */
  ev_run(inner, EVRUN_NOWAIT);
  CHECK_EQ_INT(ninner, 1);

  CHECK_EQ_INT(bad_revents, 0);
  ev_io_stop(inner, &io);
  ev_loop_destroy(outer);
  ev_loop_destroy(inner);
  TEST_DONE();
}
