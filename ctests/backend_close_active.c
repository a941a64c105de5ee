/*
 * An fd closed while its watcher is still active (and its poll in flight),
 * the watcher stopped only in a later iteration:
 *   B1 nothing written: iterations run with the closed fd; the backend may
 *      report it (EV_ERROR, watcher stopped by the library: select/poll) or
 *      stay silent (epoll drops the registration, io_uring/AIO polls hold the
 *      file) - but no crash, no spinning, at most one callback;
 *   B2 the peer writes right after the close (a poll holding the file may
 *      then complete with EV_READ, and re-arming the closed number then
 *      fails): at most one EV_READ and at most one EV_ERROR callback before
 *      the stop, and a watcher that got EV_ERROR is no longer active;
 * in both cases: after ev_io_stop no callback any more, the file is released
 * (the peer sees EOF/reset) within a few iterations, and the loop still
 * serves other fds.  Also B3: 200 such watchers at once.
 */
/* OURS-ONLY: libev 4.33's poll backend aborts ("libev: poll found invalid fd in poll set") as soon as an iteration runs with the closed fd still watched, and its io_uring backend aborts ("libev: event loop rejected bad fd") when re-arming it; its select and epoll backends pass */
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include "testutil.h"

#define NB 200

static int calls[NB + 1], revs[NB + 1], errs[NB + 1], reads[NB + 1], others[NB + 1];
static int stopped[NB + 1];
static int after_stop, prep_calls, wrong;

static void
io_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  int id = (int)(intptr_t)w->data;
  char buf[8];
  (void)loop;
  calls[id]++;
  revs[id] = revents;
  if (stopped[id])
    after_stop++;
  if (revents & EV_ERROR)
    errs[id]++;
  else if (revents == EV_READ)
    reads[id]++;
  else
    others[id]++;
  if ((revents & EV_READ) && !(revents & EV_ERROR))
    (void)!read (w->fd, buf, sizeof buf);
}

static void
prep_cb (struct ev_loop *loop, ev_prepare *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  prep_calls++;
}

static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break (loop, EVBREAK_ONE);
}

static void
run_for (struct ev_loop *loop, double t)
{
  ev_timer tm;
  ev_timer_init (&tm, to_cb, t, 0.);
  ev_timer_start (loop, &tm);
  ev_run (loop, 0);
  ev_timer_stop (loop, &tm);
}

static int
peer_closed (struct ev_loop *loop, int peer)
{
  int i;
  for (i = 0; i < 20; i++)
    {
      char buf[16];
      ssize_t r = recv (peer, buf, sizeof buf, MSG_DONTWAIT);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        return 1;
      ev_run (loop, EVRUN_NOWAIT);
      usleep (2000);
    }
  return 0;
}

static void
check_alive (struct ev_loop *loop, const char *what)
{
  int g[2], i;
  ev_io gw;
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, g), 0);
  calls[NB] = 0;
  stopped[NB] = 0;
  ev_io_init (&gw, io_cb, g[0], EV_READ);
  gw.data = (void *)(intptr_t)NB;
  ev_io_start (loop, &gw);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (write (g[1], "g", 1), 1);
  for (i = 0; i < 50 && !calls[NB]; i++)
    run_for (loop, 0.01);
  if (calls[NB] != 1 || revs[NB] != EV_READ)
    {
      fprintf (stderr, "%s: unrelated fd: %d callbacks, revents 0x%x\n", what, calls[NB], revs[NB]);
      wrong++;
    }
  ev_io_stop (loop, &gw);
  close (g[0]);
  close (g[1]);
}

static void
case_b (struct ev_loop *loop, int nw, int write_after, const char *what)
{
  static int sv[NB][2];
  static ev_io w[NB];
  int i;

  memset (calls, 0, sizeof calls);
  memset (errs, 0, sizeof errs);
  memset (reads, 0, sizeof reads);
  memset (others, 0, sizeof others);
  memset (stopped, 0, sizeof stopped);
  after_stop = 0;
  for (i = 0; i < nw; i++)
    {
      CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
      ev_io_init (&w[i], io_cb, sv[i][0], EV_READ);
      w[i].data = (void *)(intptr_t)i;
      ev_io_start (loop, &w[i]);
    }
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);

  for (i = 0; i < nw; i++)
    close (sv[i][0]);
  if (write_after)
    for (i = 0; i < nw; i++)
      (void)!send (sv[i][1], "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL);

  /* iterations with the closed fds still watched: no spinning */
  prep_calls = 0;
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  run_for (loop, 0.05);
  if (prep_calls > 20)
    {
      fprintf (stderr, "%s: %d iterations in 0.05 s with closed fds watched (spinning)\n", what, prep_calls);
      wrong++;
    }
  for (i = 0; i < nw; i++)
    if (reads[i] > 1 || errs[i] > 1 || others[i]
        || (errs[i] && (revs[i] & ~(EV_ERROR | EV_READ | EV_WRITE))))
      {
        fprintf (stderr, "%s: closed fd %d: %d callbacks before the stop (%d EV_READ, %d EV_ERROR, %d other; last revents 0x%x)\n",
                 what, i, calls[i], reads[i], errs[i], others[i], revs[i]);
        wrong++;
        break;
      }

  /* stopped in a later iteration (a no-op if the library stopped it) */
  for (i = 0; i < nw; i++)
    {
      if (errs[i] && ev_is_active (&w[i]))
        {
          fprintf (stderr, "%s: watcher %d still active after EV_ERROR\n", what, i);
          wrong++;
        }
      ev_io_stop (loop, &w[i]);
      stopped[i] = 1;
    }
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  run_for (loop, 0.03);
  if (after_stop)
    {
      fprintf (stderr, "%s: %d callbacks after ev_io_stop\n", what, after_stop);
      wrong++;
    }
  for (i = 0; i < nw; i++)
    {
      if (!peer_closed (loop, sv[i][1]))
        {
          fprintf (stderr, "%s: socket %d not released after the watcher was stopped\n", what, i);
          wrong++;
          break;
        }
    }
  for (i = 0; i < nw; i++)
    close (sv[i][1]);
  check_alive (loop, what);
}

int
main (void)
{
  struct ev_loop *loop;
  ev_prepare prep;

  ALARM_GUARD (10);
  signal (SIGPIPE, SIG_IGN);
  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();
  ev_prepare_init (&prep, prep_cb);
  ev_prepare_start (loop, &prep);

  case_b (loop, 1, 0, "B1");
  case_b (loop, 1, 1, "B2");
  case_b (loop, NB, 0, "B3 (200, silent)");
  case_b (loop, NB, 1, "B3 (200, peer writes)");
  case_b (loop, 1, 1, "B2 again");

  CHECK_EQ_INT (wrong, 0);
  ev_prepare_stop (loop, &prep);
  ev_loop_destroy (loop);
  TEST_DONE ();
}
