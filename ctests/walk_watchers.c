/* ev_walk: every active watcher of the requested types is reported once, with
 * its type; the loop's internal watchers (signal/async wakeup, SIGCHLD) are not;
 * stat and embed watchers are reported as themselves, not as their inner
 * timer/io; stopped watchers are not reported. */
/* OURS-ONLY: Debian's libev 4.33 is built without EV_WALK_ENABLE and does not export ev_walk */
#define _GNU_SOURCE
#include <ev.h>
#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>
#include "testutil.h"

/* ev.h declares ev_walk only with EV_WALK_ENABLE, and the reference library
 * (which this test is also linked against) lacks it: look it up at run time */
typedef void (*walk_fn) (struct ev_loop *loop, int types, void (*cb) (struct ev_loop *loop, int type, void *w));
static walk_fn ev_walk_;
#define ev_walk ev_walk_

static void *seen[32];
static int seen_type[32], nseen;

static void
walk_cb (struct ev_loop *loop, int type, void *w)
{
  (void)loop;
  if (nseen < 32)
    {
      seen[nseen] = w;
      seen_type[nseen] = type;
    }
  nseen++;
}

static int
count (void *w, int type)
{
  int i, n = 0;
  for (i = 0; i < nseen && i < 32; i++)
    if (seen[i] == w && seen_type[i] == type)
      n++;
  return n;
}

static void io_cb (struct ev_loop *l, ev_io *w, int r) { (void)l; (void)w; (void)r; }
static void timer_cb (struct ev_loop *l, ev_timer *w, int r) { (void)l; (void)w; (void)r; }
static void idle_cb (struct ev_loop *l, ev_idle *w, int r) { (void)l; (void)w; (void)r; }
static void sig_cb (struct ev_loop *l, ev_signal *w, int r) { (void)l; (void)w; (void)r; }
static void async_cb (struct ev_loop *l, ev_async *w, int r) { (void)l; (void)w; (void)r; }
static void stat_cb (struct ev_loop *l, ev_stat *w, int r) { (void)l; (void)w; (void)r; }

int
main (void)
{
  struct ev_loop *loop;
  ev_io io;
  ev_timer timer, stopped;
  ev_idle idle;
  ev_signal sig;
  ev_async as;
  ev_stat st;
  int p[2];

  ALARM_GUARD (5);
  *(void **) &ev_walk_ = dlsym (RTLD_DEFAULT, "ev_walk");
  if (!ev_walk_)
    SKIP ("this libev does not export ev_walk");
  loop = ev_default_loop (0);
  CHECK (loop != NULL);
  if (!loop || pipe (p) < 0)
    TEST_DONE ();

  ev_io_init (&io, io_cb, p[0], EV_READ);
  ev_io_start (loop, &io);
  ev_timer_init (&timer, timer_cb, 10., 0.);
  ev_timer_start (loop, &timer);
  ev_timer_init (&stopped, timer_cb, 10., 0.);
  ev_timer_start (loop, &stopped);
  ev_timer_stop (loop, &stopped);
  ev_idle_init (&idle, idle_cb);
  ev_idle_start (loop, &idle);
  ev_signal_init (&sig, sig_cb, SIGUSR1);
  ev_signal_start (loop, &sig);
  ev_async_init (&as, async_cb);
  ev_async_start (loop, &as);
  ev_stat_init (&st, stat_cb, "/", 0.);
  ev_stat_start (loop, &st);

  /* everything */
  nseen = 0;
  ev_walk (loop, -1, walk_cb);
  CHECK_EQ_INT (count (&io, EV_IO), 1);
  CHECK_EQ_INT (count (&timer, EV_TIMER), 1);
  CHECK_EQ_INT (count (&stopped, EV_TIMER), 0);
  CHECK_EQ_INT (count (&idle, EV_IDLE), 1);
  CHECK_EQ_INT (count (&sig, EV_SIGNAL), 1);
  CHECK_EQ_INT (count (&as, EV_ASYNC), 1);
  CHECK_EQ_INT (count (&st, EV_STAT), 1);
  CHECK_EQ_INT (count (&st.timer, EV_TIMER), 0);
  /* nothing but the six user watchers (no internal ones) */
  CHECK_EQ_INT (nseen, 6);

  /* one type only */
  nseen = 0;
  ev_walk (loop, EV_TIMER, walk_cb);
  CHECK_EQ_INT (nseen, 1);
  CHECK_EQ_INT (count (&timer, EV_TIMER), 1);
  nseen = 0;
  ev_walk (loop, EV_IO | EV_SIGNAL, walk_cb);
  CHECK_EQ_INT (nseen, 2);

  ev_io_stop (loop, &io);
  ev_timer_stop (loop, &timer);
  ev_idle_stop (loop, &idle);
  ev_signal_stop (loop, &sig);
  ev_async_stop (loop, &as);
  ev_stat_stop (loop, &st);
  nseen = 0;
  ev_walk (loop, -1, walk_cb);
  CHECK_EQ_INT (nseen, 0);
  ev_loop_destroy (loop);
  TEST_DONE ();
}
