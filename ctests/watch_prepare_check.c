/*
 * Prepare and check watchers: prepare runs right before the loop blocks,
 * check right after it woke up, once per iteration (also for NOWAIT runs).
 * Relative to other callbacks of the same iteration: prepare comes first
 * (before anything else of the iteration); check watchers are invoked
 * before the io/timer callbacks of the same priority (libev queues them to
 * run first) and after those of higher priority. A prepare callback may
 * start watchers that influence the coming poll; a check callback may stop
 * the loop.
 */
#include <ev.h>
#include <fcntl.h>
#include <sys/socket.h>
#include "testutil.h"

static char seq[256];
static int nseq;
static double t_prep, t_check, t_io;
static int sv[2];

static void
add (char c)
{
  if (nseq < 255) seq[nseq++] = c;
  seq[nseq] = 0;
}

static void
prep_cb (struct ev_loop *loop, ev_prepare *w, int r)
{
  (void)loop; (void)w;
  CHECK_EQ_INT (r, EV_PREPARE);
  t_prep = ev_time ();
  add ('P');
}

static void
check_cb (struct ev_loop *loop, ev_check *w, int r)
{
  (void)loop; (void)w;
  CHECK_EQ_INT (r, EV_CHECK);
  t_check = ev_time ();
  add ('C');
}

static void
io_cb (struct ev_loop *loop, ev_io *w, int r)
{
  char buf[8];
  (void)loop;
  CHECK_EQ_INT (r, EV_READ);
  t_io = ev_time ();
  CHECK (read (w->fd, buf, sizeof buf) > 0);
  add ('O');
}

static void
timer_cb (struct ev_loop *loop, ev_timer *w, int r)
{
  (void)loop; (void)w; (void)r;
  add ('T');
}

static ev_timer zt;
static void
prep_starts_timer_cb (struct ev_loop *loop, ev_prepare *w, int r)
{
  (void)r;
  add ('P');
  ev_timer_init (&zt, timer_cb, 0., 0.);
  ev_timer_start (loop, &zt);
  ev_prepare_stop (loop, w);
}

static int nbreak_checks;
static void
breaking_check_cb (struct ev_loop *loop, ev_check *w, int r)
{
  (void)w; (void)r;
  if (++nbreak_checks == 3)
    ev_break (loop, EVBREAK_ONE);
}

static void
reset (void)
{
  nseq = 0;
  seq[0] = 0;
}

int
main (void)
{
  struct ev_loop *loop;
  ev_prepare p, p2;
  ev_check c, c2;
  ev_io io;
  ev_timer rep;
  pid_t pid;
  int i;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);

  ev_prepare_init (&p, prep_cb);
  ev_check_init (&c, check_cb);
  ev_io_init (&io, io_cb, sv[0], EV_READ);
  ev_prepare_start (loop, &p);
  ev_check_start (loop, &c);
  ev_io_start (loop, &io);

  /* data arrives 30 ms later from another process: P, block, C, O */
  fflush (NULL);
  pid = fork ();
  if (pid == 0)
    {
      usleep (30000);
      if (write (sv[1], "x", 1) != 1) _exit (1);
      _exit (0);
    }
  reset ();
  ev_run (loop, EVRUN_ONCE);
  while (!strchr (seq, 'O'))
    ev_run (loop, EVRUN_ONCE);   /* a spurious wakeup adds a "PC" */
  waitpid (pid, 0, 0);
  CHECK (nseq >= 3);
  CHECK (strcmp (seq + nseq - 3, "PCO") == 0);
  /* the prepare ran before the blocking, the check after it */
  CHECK (t_check - t_prep >= 0.02);
  CHECK (t_io >= t_check);

  /* data already there: still P C O in one iteration */
  CHECK_EQ_INT (write (sv[1], "y", 1), 1);
  reset ();
  ev_run (loop, EVRUN_ONCE);
  CHECK (strcmp (seq, "PCO") == 0);

  /* NOWAIT iterations call them too */
  reset ();
  ev_run (loop, EVRUN_NOWAIT);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK (strcmp (seq, "PCPC") == 0);

  /* io at a higher priority than check: io first */
  ev_io_stop (loop, &io);
  ev_set_priority (&io, 1);
  ev_io_start (loop, &io);
  CHECK_EQ_INT (write (sv[1], "z", 1), 1);
  reset ();
  ev_run (loop, EVRUN_NOWAIT);
  if (!strchr (seq, 'O'))
    ev_run (loop, EVRUN_NOWAIT);
  CHECK (strcmp (seq + nseq - 3, "POC") == 0);
  /* check at a higher priority than io: check first again */
  ev_check_stop (loop, &c);
  ev_set_priority (&c, 2);
  ev_check_start (loop, &c);
  CHECK_EQ_INT (write (sv[1], "w", 1), 1);
  reset ();
  ev_run (loop, EVRUN_NOWAIT);
  CHECK (strcmp (seq, "PCO") == 0);
  ev_io_stop (loop, &io);
  ev_check_stop (loop, &c);
  ev_set_priority (&c, 0);
  ev_check_start (loop, &c);

  /* several prepares and checks: each once per iteration */
  ev_prepare_init (&p2, prep_cb);
  ev_check_init (&c2, check_cb);
  ev_prepare_start (loop, &p2);
  ev_check_start (loop, &c2);
  reset ();
  ev_run (loop, EVRUN_NOWAIT);
  CHECK (strcmp (seq, "PPCC") == 0);
  ev_prepare_stop (loop, &p2);
  ev_check_stop (loop, &c2);

  /* a prepare starting a 0-timeout timer: the loop does not block and the
   * timer fires in the same iteration (check first, same priority) */
  {
    ev_prepare ps;
    ev_timer longt;
    double t0 = ev_time ();
    ev_timer_init (&longt, timer_cb, 10., 0.);
    ev_timer_start (loop, &longt);
    ev_prepare_stop (loop, &p);
    ev_prepare_init (&ps, prep_starts_timer_cb);
    ev_prepare_start (loop, &ps);
    reset ();
    ev_run (loop, EVRUN_ONCE);
    CHECK (ev_time () - t0 < 1.);
    CHECK (strcmp (seq, "PCT") == 0);
    ev_timer_stop (loop, &longt);
    ev_prepare_start (loop, &p);
  }

  /* a check watcher breaking the loop: ev_run(0) returns although a
   * repeating timer keeps it alive */
  ev_prepare_stop (loop, &p);
  ev_check_stop (loop, &c);
  {
    ev_check cb;
    ev_check_init (&cb, breaking_check_cb);
    ev_check_start (loop, &cb);
    ev_timer_init (&rep, timer_cb, 0.001, 0.001);
    ev_timer_start (loop, &rep);
    reset ();
    ev_run (loop, 0);
    CHECK_EQ_INT (nbreak_checks, 3);
    CHECK (ev_is_active (&rep));
    ev_timer_stop (loop, &rep);
    ev_check_stop (loop, &cb);
  }

  /* stopped prepare/check: not called any more, loop has nothing to do */
  reset ();
  for (i = 0; i < 2; i++)
    ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (nseq, 0);
  CHECK_EQ_INT (ev_run (loop, 0), 0);
  TEST_DONE ();
}
