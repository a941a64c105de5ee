/*
 * A prepare watcher that re-arms an io watcher on an idle pipe before every
 * wait (stop, ev_io_set with the same fd and mask, start) must not keep the
 * loop from sleeping: with a 50 ms repeating timer, half a second is about ten
 * iterations, not thousands.  Then the pipe becomes readable and the watcher
 * hears it once per write.
 * Runs on every backend.
 */
/* OURS-ONLY: libev 4.33's io_uring backend aborts here ("io_uring_enter did not consume all sqes"); its select, poll and epoll backends pass */
#include <ev.h>
#include <unistd.h>
#include "testutil.h"

static ev_io io;
static ev_prepare prep;
static long iterations;
static int io_calls;

static void
io_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  char c;
  (void)loop;
  CHECK_EQ_INT (revents, EV_READ);
  if (read (w->fd, &c, 1) == 1)
    io_calls++;
}

static void
prep_cb (struct ev_loop *loop, ev_prepare *w, int revents)
{
  (void)w; (void)revents;
  iterations++;
  ev_io_stop (loop, &io);
  ev_io_set (&io, io.fd, EV_READ);
  ev_io_start (loop, &io);
}

static void
tick_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
}

static void
end_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break (loop, EVBREAK_ALL);
}

static void
run_for (struct ev_loop *loop, double seconds)
{
  ev_timer end;
  ev_timer_init (&end, end_cb, seconds, 0.);
  ev_timer_start (loop, &end);
  ev_run (loop, 0);
  ev_timer_stop (loop, &end);
}

int
main (void)
{
  struct ev_loop *loop;
  ev_timer tick;
  int p[2];

  ALARM_GUARD (15);
  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();
  CHECK_EQ_INT (pipe (p), 0);
  ev_io_init (&io, io_cb, p[0], EV_READ);
  ev_io_start (loop, &io);
  ev_prepare_init (&prep, prep_cb);
  ev_prepare_start (loop, &prep);
  ev_timer_init (&tick, tick_cb, 0.05, 0.05);
  ev_timer_start (loop, &tick);

  run_for (loop, 0.5);
  if (iterations > 60)
    fprintf (stderr, "%ld iterations in 0.5 s\n", iterations);
  CHECK (iterations >= 5 && iterations <= 60);
  CHECK_EQ_INT (io_calls, 0);

  CHECK_EQ_INT (write (p[1], "a", 1), 1);
  run_for (loop, 0.12);
  CHECK_EQ_INT (io_calls, 1);
  CHECK_EQ_INT (write (p[1], "b", 1), 1);
  CHECK_EQ_INT (write (p[1], "c", 1), 1);
  run_for (loop, 0.12);
  CHECK_EQ_INT (io_calls, 3);

  ev_prepare_stop (loop, &prep);
  ev_io_stop (loop, &io);
  ev_timer_stop (loop, &tick);
  close (p[0]);
  close (p[1]);
  ev_loop_destroy (loop);
  TEST_DONE ();
}
