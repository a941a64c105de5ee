/*
 * Many fds: 500 socketpairs (1000 fds, numbers up to ~1000),
 * one read watcher each. Every write is delivered exactly once to the right
 * watcher (the callback reads the byte, so level triggering stops), over
 * several rounds with different subsets of writers.
 */
#include "many_fds.h"

int
main (void)
{
  struct ev_loop *loop = many_fds_setup ();
  int i;

  round_ (loop, 1);
  round_ (loop, 3);
  round_ (loop, 7);
  round_ (loop, 1);
  CHECK_EQ_INT (wrong, 0);

  for (i = 0; i < npairs; i++)
    {
      ev_io_stop (loop, &ws[i]);
      close (sv[i][0]);
      close (sv[i][1]);
    }
  ev_loop_destroy (loop);
  TEST_DONE ();
}
