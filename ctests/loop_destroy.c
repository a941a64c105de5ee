/* ev_loop_destroy with active watchers is allowed: no crash, no fd leak,
 * user fds untouched, cleanup watchers run, pending watchers are not
 * invoked, watcher memory can be reused in a new loop. */
#include <ev.h>
#include <fcntl.h>
#include "testutil.h"

static int count_fds(void)
{
  int fd, n = 0;
  for (fd = 0; fd < 1024; fd++)
    if (fcntl(fd, F_GETFD) >= 0) n++;
  return n;
}

static int ncalls;
static void any_cb(struct ev_loop *loop, ev_watcher *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  ncalls++;
}

static int ncleanup, cleanup_rev;
static struct ev_loop *cleanup_loop;
static void cleanup_cb(struct ev_loop *loop, ev_cleanup *w, int revents)
{
  (void)w;
  ncleanup++;
  cleanup_rev = revents;
  cleanup_loop = loop;
}

static int nt;
static void tcb(struct ev_loop *loop, ev_timer *w, int revents) { (void)loop; (void)w; (void)revents; nt++; }

int main(void)
{
  int base, p[2], i;
  struct ev_loop *loop;
  ev_io io_r, io_w;
  ev_timer t, t2;
  ev_periodic per;
  ev_idle idle;
  ev_prepare prep;
  ev_check chk;
  ev_async as;
  ev_stat st;
  ev_cleanup cl;

  ALARM_GUARD(5);
  CHECK_EQ_INT(pipe(p), 0);
  base = count_fds();

  /* 1. destroy with many active watchers of many kinds */
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  ev_io_init(&io_r, (void (*)(struct ev_loop *, ev_io *, int))any_cb, p[0], EV_READ);
  ev_io_init(&io_w, (void (*)(struct ev_loop *, ev_io *, int))any_cb, p[1], EV_WRITE);
  ev_timer_init(&t, (void (*)(struct ev_loop *, ev_timer *, int))any_cb, 100., 0.);
  ev_timer_init(&t2, (void (*)(struct ev_loop *, ev_timer *, int))any_cb, 100., 1.);
  ev_periodic_init(&per, (void (*)(struct ev_loop *, ev_periodic *, int))any_cb, 0., 100., 0);
  ev_idle_init(&idle, (void (*)(struct ev_loop *, ev_idle *, int))any_cb);
  ev_prepare_init(&prep, (void (*)(struct ev_loop *, ev_prepare *, int))any_cb);
  ev_check_init(&chk, (void (*)(struct ev_loop *, ev_check *, int))any_cb);
  ev_async_init(&as, (void (*)(struct ev_loop *, ev_async *, int))any_cb);
  ev_stat_init(&st, (void (*)(struct ev_loop *, ev_stat *, int))any_cb, "/", 0.);
  ev_cleanup_init(&cl, cleanup_cb);
  ev_io_start(loop, &io_r);
  ev_io_start(loop, &io_w);
  ev_timer_start(loop, &t);
  ev_timer_start(loop, &t2);
  ev_periodic_start(loop, &per);
  ev_idle_start(loop, &idle);
  ev_prepare_start(loop, &prep);
  ev_check_start(loop, &chk);
  ev_async_start(loop, &as);
  ev_stat_start(loop, &st);
  ev_cleanup_start(loop, &cl);
  ev_run(loop, EVRUN_NOWAIT);
  CHECK(ncalls >= 3); /* write-ready io, idle, prepare, check */
  CHECK_EQ_INT(ncleanup, 0);
  ev_async_send(loop, &as); /* leaves a pending wakeup behind */
  ncalls = 0;
  ev_loop_destroy(loop);
  /* cleanup watcher ran exactly once, with EV_CLEANUP */
  CHECK_EQ_INT(ncleanup, 1);
  CHECK_EQ_INT(cleanup_rev, EV_CLEANUP);
  CHECK(cleanup_loop == loop);
  /* no backend / wakeup / inotify fd leaked, our pipe left open */
  CHECK_EQ_INT(count_fds(), base);
  CHECK(fcntl(p[0], F_GETFD) >= 0);
  CHECK(fcntl(p[1], F_GETFD) >= 0);
  CHECK_EQ_INT((int)write(p[1], "x", 1), 1);
  {
    char c;
    CHECK_EQ_INT((int)read(p[0], &c, 1), 1);
  }

  /* 2. a pending watcher is not invoked by destroy (no cleanup watchers) */
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (loop) {
    ev_timer f;
    ncalls = 0;
    ev_init(&f, (void (*)(struct ev_loop *, ev_timer *, int))any_cb);
    ev_feed_event(loop, &f, EV_CUSTOM);
    CHECK_EQ_INT(ev_pending_count(loop), 1);
    ev_loop_destroy(loop);
    CHECK_EQ_INT(ncalls, 0);
  }

  /* 3. the watchers of a destroyed loop can be re-initialised and used in
   *    a new loop */
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (loop) {
    ev_timer_init(&t, tcb, 0.001, 0.);
    ev_timer_start(loop, &t);
    ev_io_init(&io_r, (void (*)(struct ev_loop *, ev_io *, int))any_cb, p[0], EV_READ);
    ev_io_start(loop, &io_r);
    ncalls = 0;
    CHECK_EQ_INT((int)write(p[1], "y", 1), 1);
    while (nt == 0 || ncalls == 0) ev_run(loop, EVRUN_ONCE);
    CHECK_EQ_INT(nt, 1);
    CHECK(ncalls >= 1);
    ev_io_stop(loop, &io_r);
    {
      char c;
      CHECK_EQ_INT((int)read(p[0], &c, 1), 1);
    }
    ev_loop_destroy(loop);
  }

  /* 4. create/destroy many loops with active watchers: no fd leak */
  for (i = 0; i < 50; i++) {
    ev_timer tt;
    ev_async aa;
    ev_io ii;
    loop = ev_loop_new(0);
    CHECK(loop != NULL);
    if (!loop) break;
    ev_timer_init(&tt, tcb, 10., 0.);
    ev_timer_start(loop, &tt);
    ev_async_init(&aa, (void (*)(struct ev_loop *, ev_async *, int))any_cb);
    ev_async_start(loop, &aa);
    ev_io_init(&ii, (void (*)(struct ev_loop *, ev_io *, int))any_cb, p[0], EV_READ);
    ev_io_start(loop, &ii);
    ev_run(loop, EVRUN_NOWAIT);
    ev_loop_destroy(loop);
  }
  CHECK_EQ_INT(count_fds(), base);

  /* 5. the default loop can be destroyed with active watchers too */
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (loop) {
    ev_timer_init(&t, tcb, 100., 0.);
    ev_timer_start(loop, &t);
    ev_io_init(&io_w, (void (*)(struct ev_loop *, ev_io *, int))any_cb, p[1], EV_WRITE);
    ev_io_start(loop, &io_w);
    ev_run(loop, EVRUN_NOWAIT);
    ev_loop_destroy(loop);
    CHECK_EQ_INT(count_fds(), base);
  }

  close(p[0]);
  close(p[1]);
  TEST_DONE();
}
