/*
 * Priorities: among the events pending in one iteration, watchers of higher
 * priority are invoked first (EV_MAXPRI .. EV_MINPRI), across watcher types
 * and independent of fd numbers / start order; a callback that feeds an
 * event to a higher-priority watcher gets that one invoked before the
 * remaining lower-priority ones; out-of-range priorities are clamped on
 * start and the clamped value reads back (also after stop).
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

static int seq[64], nseq;

static void
rec (void *w)
{
  if (nseq < 64) seq[nseq++] = ev_priority ((ev_watcher *)w);
}

static void io_cb (struct ev_loop *l, ev_io *w, int r) { (void)l; (void)r; rec (w); }
static void t_cb (struct ev_loop *l, ev_timer *w, int r) { (void)l; (void)r; rec (w); }
static void c_cb (struct ev_loop *l, ev_check *w, int r) { (void)l; (void)r; rec (w); }
static void f_cb (struct ev_loop *l, ev_watcher *w, int r) { (void)l; (void)r; rec (w); }

static ev_watcher hi, mid;
static int fed;
static void
feeder_cb (struct ev_loop *loop, ev_watcher *w, int r)
{
  (void)r;
  rec (w);
  if (!fed)
    {
      fed = 1;
      ev_feed_event (loop, &hi, EV_CUSTOM);
    }
}

int
main (void)
{
  struct ev_loop *loop;
  int sv[5][2], i;
  static const int pri_of[5] = { 0, -2, 2, -1, 1 };
  ev_io io[5];

  ALARM_GUARD (5);
  CHECK_EQ_INT (EV_MAXPRI, 2);
  CHECK_EQ_INT (EV_MINPRI, -2);
  loop = ev_default_loop (0);

  /* 5 ready fds, priorities scrambled relative to fd order */
  for (i = 0; i < 5; i++)
    {
      CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
      CHECK_EQ_INT (write (sv[i][1], "x", 1), 1);
      ev_io_init (&io[i], io_cb, sv[i][0], EV_READ);
      ev_set_priority (&io[i], pri_of[i]);
      CHECK_EQ_INT (ev_priority (&io[i]), pri_of[i]);
      ev_io_start (loop, &io[i]);
    }
  nseq = 0;
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (nseq, 5);
  for (i = 0; i < 5 && i < nseq; i++)
    CHECK_EQ_INT (seq[i], 2 - i);

  /* mixed types in one iteration */
  {
    ev_timer t;
    ev_check c;
    for (i = 0; i < 5; i++)
      ev_io_stop (loop, &io[i]);
    ev_set_priority (&io[0], -1);
    ev_io_start (loop, &io[0]);
    ev_timer_init (&t, t_cb, 0., 0.);
    ev_set_priority (&t, 1);
    ev_timer_start (loop, &t);
    ev_check_init (&c, c_cb);
    ev_set_priority (&c, 2);
    ev_check_start (loop, &c);
    nseq = 0;
    ev_run (loop, EVRUN_ONCE);
    CHECK_EQ_INT (nseq, 3);
    CHECK_EQ_INT (seq[0], 2);    /* check */
    CHECK_EQ_INT (seq[1], 1);    /* timer */
    CHECK_EQ_INT (seq[2], -1);   /* io */
    ev_check_stop (loop, &c);
    ev_io_stop (loop, &io[0]);
  }

  /* feeding a higher priority from a lower callback */
  {
    ev_watcher lo1, lo2, lo3;
    ev_init (&hi, f_cb);     ev_set_priority (&hi, 2);
    ev_init (&mid, f_cb);    ev_set_priority (&mid, 0);
    ev_init (&lo1, feeder_cb); ev_set_priority (&lo1, -1);
    ev_init (&lo2, feeder_cb); ev_set_priority (&lo2, -1);
    ev_init (&lo3, feeder_cb); ev_set_priority (&lo3, -1);
    ev_feed_event (loop, &lo1, EV_CUSTOM);
    ev_feed_event (loop, &lo2, EV_CUSTOM);
    ev_feed_event (loop, &lo3, EV_CUSTOM);
    ev_feed_event (loop, &mid, EV_CUSTOM);
    nseq = 0;
    fed = 0;
    ev_invoke_pending (loop);
    /* mid (0), one lo (-1) that feeds hi, hi (2) at once, then the other
     * two lo */
    CHECK_EQ_INT (nseq, 5);
    CHECK_EQ_INT (seq[0], 0);
    CHECK_EQ_INT (seq[1], -1);
    CHECK_EQ_INT (seq[2], 2);
    CHECK_EQ_INT (seq[3], -1);
    CHECK_EQ_INT (seq[4], -1);
  }

  /* clamping */
  {
    ev_idle i1;
    ev_timer t2;
    ev_idle_init (&i1, 0);
    ev_set_priority (&i1, 7);
    CHECK_EQ_INT (ev_priority (&i1), 7);   /* plain field before start */
    ev_idle_start (loop, &i1);
    CHECK_EQ_INT (ev_priority (&i1), EV_MAXPRI);
    ev_idle_stop (loop, &i1);
    CHECK_EQ_INT (ev_priority (&i1), EV_MAXPRI);
    ev_timer_init (&t2, t_cb, 0., 0.);
    ev_set_priority (&t2, -9);
    ev_timer_start (loop, &t2);
    CHECK_EQ_INT (ev_priority (&t2), EV_MINPRI);
    nseq = 0;
    ev_run (loop, EVRUN_NOWAIT);
    CHECK_EQ_INT (nseq, 1);
    CHECK_EQ_INT (seq[0], EV_MINPRI);
    CHECK_EQ_INT (ev_priority (&t2), EV_MINPRI);
    /* a clamped high-priority watcher really runs at EV_MAXPRI: it goes
     * before a priority-1 one */
    {
      ev_timer a, b;
      ev_timer_init (&a, t_cb, 0., 0.);
      ev_timer_init (&b, t_cb, 0., 0.);
      ev_set_priority (&a, 1);
      ev_set_priority (&b, 100);
      ev_timer_start (loop, &a);
      ev_timer_start (loop, &b);
      nseq = 0;
      ev_run (loop, EVRUN_NOWAIT);
      CHECK_EQ_INT (nseq, 2);
      CHECK_EQ_INT (seq[0], 2);
      CHECK_EQ_INT (seq[1], 1);
    }
  }

  for (i = 0; i < 5; i++)
    {
      close (sv[i][0]);
      close (sv[i][1]);
    }
  TEST_DONE ();
}
