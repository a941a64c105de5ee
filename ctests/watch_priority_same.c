/*
 * Invocation order among pending watchers of the SAME priority, as libev
 * 4.33 does it (pending events of one priority are invoked last-queued
 * first):
 *  - ev_feed_event A,B,C,D,E            -> E D C B A
 *  - idle / prepare / check watchers started A..E (no stops in between)
 *                                       -> E D C B A
 *  - io watchers on ONE fd started A..E -> A B C D E (the per-fd list is
 *    newest-first and gets queued in that order)
 *  - an event fed from inside a callback to a watcher of the same priority
 *    is invoked next, before the remaining already-pending ones
 * (Order across different fds depends on the backend and is not checked.)
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

#define N 5
static char seq[64];
static int nseq;

static void
add (void *w)
{
  if (nseq < 63) seq[nseq++] = *(const char *)((ev_watcher *)w)->data;
  seq[nseq] = 0;
}

static void f_cb (struct ev_loop *l, ev_watcher *w, int r) { (void)l; (void)r; add (w); }
static void i_cb (struct ev_loop *l, ev_idle *w, int r) { (void)l; (void)r; add (w); }
static void p_cb (struct ev_loop *l, ev_prepare *w, int r) { (void)l; (void)r; add (w); }
static void c_cb (struct ev_loop *l, ev_check *w, int r) { (void)l; (void)r; add (w); }
static void o_cb (struct ev_loop *l, ev_io *w, int r) { (void)l; (void)r; add (w); }

static ev_watcher extra;
static void
feeder_cb (struct ev_loop *loop, ev_watcher *w, int r)
{
  (void)r;
  add (w);
  if (*(const char *)w->data == 'C')
    ev_feed_event (loop, &extra, EV_CUSTOM);
}

static void
reset (void)
{
  nseq = 0;
  seq[0] = 0;
}

static void
expect (const char *want, int line)
{
  if (strcmp (seq, want) != 0)
    {
      fprintf (stderr, "FAIL: line %d: order \"%s\", want \"%s\"\n", line, seq, want);
      tu_failures++;
    }
}
#define EXPECT(want) expect (want, __LINE__)

static char *names[N] = { "A", "B", "C", "D", "E" };

int
main (void)
{
  struct ev_loop *loop;
  int i, pri;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);

  /* feeds, at every priority */
  for (pri = EV_MINPRI; pri <= EV_MAXPRI; pri++)
    {
      ev_watcher f[N];
      for (i = 0; i < N; i++)
        {
          ev_init (&f[i], f_cb);
          ev_set_priority (&f[i], pri);
          f[i].data = names[i];
          ev_feed_event (loop, &f[i], EV_CUSTOM);
        }
      reset ();
      ev_invoke_pending (loop);
      EXPECT ("EDCBA");
    }

  /* idle watchers */
  {
    ev_idle w[N];
    for (i = 0; i < N; i++)
      {
        ev_idle_init (&w[i], i_cb);
        w[i].data = names[i];
        ev_idle_start (loop, &w[i]);
      }
    reset ();
    ev_run (loop, EVRUN_NOWAIT);
    EXPECT ("EDCBA");
    for (i = 0; i < N; i++)
      ev_idle_stop (loop, &w[i]);
  }

  /* prepare and check watchers */
  {
    ev_prepare p[3];
    ev_check c[3];
    static char *pn[3] = { "p", "q", "r" }, *cn[3] = { "x", "y", "z" };
    for (i = 0; i < 3; i++)
      {
        ev_prepare_init (&p[i], p_cb);
        p[i].data = pn[i];
        ev_prepare_start (loop, &p[i]);
        ev_check_init (&c[i], c_cb);
        c[i].data = cn[i];
        ev_check_start (loop, &c[i]);
      }
    reset ();
    ev_run (loop, EVRUN_NOWAIT);
    EXPECT ("rqpzyx");
    for (i = 0; i < 3; i++)
      {
        ev_prepare_stop (loop, &p[i]);
        ev_check_stop (loop, &c[i]);
      }
  }

  /* io watchers on one fd */
  {
    int sv[2];
    ev_io w[N];
    CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ_INT (write (sv[1], "x", 1), 1);
    for (i = 0; i < N; i++)
      {
        ev_io_init (&w[i], o_cb, sv[0], EV_READ);
        w[i].data = names[i];
        ev_io_start (loop, &w[i]);
      }
    reset ();
    for (i = 0; i < 5 && !nseq; i++)
      ev_run (loop, EVRUN_ONCE);
    EXPECT ("ABCDE");
    /* and via ev_feed_fd_event */
    reset ();
    ev_feed_fd_event (loop, sv[0], EV_READ);
    ev_invoke_pending (loop);
    EXPECT ("ABCDE");
    for (i = 0; i < N; i++)
      ev_io_stop (loop, &w[i]);
    close (sv[0]); close (sv[1]);
  }

  /* feeding the same priority from a callback: runs next */
  {
    ev_watcher f[N];
    ev_init (&extra, f_cb);
    extra.data = "X";
    for (i = 0; i < N; i++)
      {
        ev_init (&f[i], feeder_cb);
        f[i].data = names[i];
        ev_feed_event (loop, &f[i], EV_CUSTOM);
      }
    reset ();
    ev_invoke_pending (loop);
    EXPECT ("EDCXBA");
  }

  TEST_DONE ();
}
