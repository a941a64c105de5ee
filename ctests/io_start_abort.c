/*
 * Usage errors libev turns into an abort (assert with a message on stderr):
 * ev_io_start with a negative fd, and with event bits other than
 * EV_READ/EV_WRITE (EV__IOFDSET is fine). The valid corner cases next to
 * them (mask 0, fd 0, EV__IOFDSET present) must not abort.
 */
#include <ev.h>
#include "testutil.h"

static void
neg_fd (void)
{
  struct ev_loop *loop = ev_default_loop (0);
  ev_io w;
  ev_io_init (&w, 0, -1, EV_READ);
  ev_io_start (loop, &w);
}

static void
neg_fd_zero_mask (void)
{
  struct ev_loop *loop = ev_loop_new (0);
  ev_io w;
  ev_io_init (&w, 0, -7, 0);
  ev_io_start (loop, &w);
}

static void
timer_bit (void)
{
  struct ev_loop *loop = ev_default_loop (0);
  ev_io w;
  ev_io_init (&w, 0, 0, EV_READ | EV_TIMER);
  ev_io_start (loop, &w);
}

static void
bit_0x04 (void)
{
  struct ev_loop *loop = ev_default_loop (0);
  ev_io w;
  ev_io_init (&w, 0, 1, EV_WRITE | 0x04);
  ev_io_start (loop, &w);
}

static void
modify_bad (void)
{
  struct ev_loop *loop = ev_default_loop (0);
  ev_io w;
  ev_io_init (&w, 0, 0, EV_READ);
  ev_io_modify (&w, EV_READ | EV_SIGNAL);
  ev_io_start (loop, &w);
}

int
main (void)
{
  struct ev_loop *loop;
  ev_io w;

  ALARM_GUARD (10);
  expect_abort (neg_fd, "libev: ev_io_start called with negative fd");
  expect_abort (neg_fd_zero_mask, "libev: ev_io_start called with negative fd");
  expect_abort (timer_bit, "libev: ev_io_start called with illegal event mask");
  expect_abort (bit_0x04, "libev: ev_io_start called with illegal event mask");
  expect_abort (modify_bad, "libev: ev_io_start called with illegal event mask");

  /* legal neighbours: fd 0, empty mask, EV__IOFDSET set by ev_io_set */
  loop = ev_default_loop (0);
  ev_io_init (&w, 0, 0, 0);
  CHECK_EQ_INT (w.events, EV__IOFDSET);
  ev_io_start (loop, &w);
  CHECK (ev_is_active (&w));
  CHECK_EQ_INT (w.events, 0);
  ev_io_stop (loop, &w);
  CHECK (!ev_is_active (&w));
  TEST_DONE ();
}
