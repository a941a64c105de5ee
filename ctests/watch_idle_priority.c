/*
 * Idle watchers and priorities (libev's "lock-out" model for idles): in an
 * iteration, starting from the highest priority, the first priority level
 * that has either pending events or active idle watchers decides: if it has
 * pending events no idle watcher runs at all; otherwise exactly the idle
 * watchers of that level are queued (lower-priority idles starve, while
 * pending events of lower priorities still run, after the idle).
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

static char seq[128];
static int nseq;

static void
add (const char *s)
{
  while (*s && nseq < 127) seq[nseq++] = *s++;
  seq[nseq] = 0;
}

static void idle_cb (struct ev_loop *l, ev_idle *w, int r)
{ (void)l; (void)r; add ((const char *)w->data); }
static void io_cb (struct ev_loop *l, ev_io *w, int r)
{ (void)l; (void)r; add ((const char *)w->data); }

static void
reset (void)
{
  nseq = 0;
  seq[0] = 0;
}

static ev_idle ia, ib, ic;
static ev_io io;
static int sv[2];

static void
set_io_pri (struct ev_loop *loop, int pri)
{
  ev_io_stop (loop, &io);
  ev_set_priority (&io, pri);
  ev_io_start (loop, &io);
  /* one unchecked iteration so that every backend has (re)registered */
  ev_run (loop, EVRUN_NOWAIT);
}

static void
set_idle_pri (struct ev_loop *loop, ev_idle *w, int pri)
{
  ev_idle_stop (loop, w);
  ev_set_priority (w, pri);
  ev_idle_start (loop, w);
}

/* one iteration; expect exactly `want` */
static void
expect (struct ev_loop *loop, const char *want, int line)
{
  reset ();
  ev_run (loop, EVRUN_ONCE);
  if (strcmp (seq, want) != 0)
    {
      fprintf (stderr, "FAIL: line %d: got \"%s\", want \"%s\"\n", line, seq, want);
      tu_failures++;
    }
}
#define EXPECT(loop, want) expect (loop, want, __LINE__)

int
main (void)
{
  struct ev_loop *loop;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  CHECK_EQ_INT (write (sv[1], "x", 1), 1);   /* io stays readable */

  ev_idle_init (&ia, idle_cb); ia.data = "a";
  ev_idle_init (&ib, idle_cb); ib.data = "b";
  ev_idle_init (&ic, idle_cb); ic.data = "c";
  ev_io_init (&io, io_cb, sv[0], EV_READ); io.data = "O";

  /* idles at 0 and -1 only: the -1 one starves */
  set_idle_pri (loop, &ia, 0);
  set_idle_pri (loop, &ib, -1);
  EXPECT (loop, "a");
  EXPECT (loop, "a");
  /* stop the higher one: the lower one runs */
  ev_idle_stop (loop, &ia);
  EXPECT (loop, "b");
  ev_idle_start (loop, &ia);
  EXPECT (loop, "a");

  /* io pending at priority 0: no idle at all (a is locked out by the
   * pending event, b is below it) */
  ev_io_start (loop, &io);
  ev_run (loop, EVRUN_NOWAIT);
  EXPECT (loop, "O");
  EXPECT (loop, "O");

  /* io at priority 1: still no idle */
  set_io_pri (loop, 1);
  EXPECT (loop, "O");

  /* io at priority -2: idle a (priority 0) runs, then the io; b starves */
  set_io_pri (loop, -2);
  EXPECT (loop, "aO");

  /* io at -1, same level as b, below a: a runs, then io */
  set_io_pri (loop, -1);
  EXPECT (loop, "aO");

  /* only b (-1) left, io at 0: io locks b out */
  ev_idle_stop (loop, &ia);
  set_io_pri (loop, 0);
  EXPECT (loop, "O");
  /* io at -2: b runs first, then io */
  set_io_pri (loop, -2);
  EXPECT (loop, "bO");

  /* idle at EV_MAXPRI with io at 0 and b at -1 */
  set_idle_pri (loop, &ic, EV_MAXPRI);
  set_io_pri (loop, 0);
  EXPECT (loop, "cO");

  /* io gone: top idle level still wins alone */
  ev_io_stop (loop, &io);
  EXPECT (loop, "c");
  ev_idle_stop (loop, &ic);
  EXPECT (loop, "b");
  ev_idle_stop (loop, &ib);

  CHECK_EQ_INT (ev_run (loop, EVRUN_NOWAIT), 0);
  TEST_DONE ();
}
