/*
 * Many fds, then half of the watchers stopped at once: 500 socketpairs with
 * one read watcher each; after stopping every second watcher in one go,
 * a write to every pair reaches exactly the still-active watchers, once.
 */
/* OURS-ONLY: libev 4.33's io_uring backend (LIBEV_FLAGS=128) aborts with "libev: io_uring_enter did not consume all sqes" as soon as two or more io watchers are stopped in one go while ~30+ polls are outstanding (select/poll/epoll pass) */
#include "many_fds.h"

int
main (void)
{
  struct ev_loop *loop = many_fds_setup ();
  int i;

  round_ (loop, 1);
  CHECK_EQ_INT (wrong, 0);

  /* stop every second watcher: only the others deliver */
  for (i = 0; i < npairs; i += 2)
    ev_io_stop (loop, &ws[i]);
  {
    ev_timer t;
    total = 0;
    memset (cnt, 0, sizeof cnt);
    for (i = 0; i < npairs; i++)
      {
        char c = (char)(i & 0x7f);
        CHECK_EQ_INT (write (sv[i][1], &c, 1), 1);
      }
    want_total = npairs / 2;
    ev_timer_init (&t, to_cb, 0.5, 0.);
    ev_timer_start (loop, &t);
    ev_run (loop, 0);
    ev_timer_stop (loop, &t);
    CHECK_EQ_INT (total, npairs / 2);
    for (i = 0; i < 3; i++)
      ev_run (loop, EVRUN_NOWAIT);
    CHECK_EQ_INT (total, npairs / 2);
    for (i = 0; i < npairs; i++)
      if (cnt[i] != (i & 1))
        {
          fprintf (stderr, "pair %d: %d callbacks after stopping evens\n", i, cnt[i]);
          wrong++;
          break;
        }
  }
  CHECK_EQ_INT (wrong, 0);

  /* consume the bytes the stopped watchers did not get, then restart them:
   * everybody delivers again */
  for (i = 0; i < npairs; i += 2)
    {
      char c;
      CHECK_EQ_INT (read (sv[i][0], &c, 1), 1);
      ev_io_start (loop, &ws[i]);
    }
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
