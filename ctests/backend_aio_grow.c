/*
 * Linux AIO backend only (skipped under the others): 2,000 fds armed at
 * once (1,600 socketpair read ends + 400 eventfds), far more than the
 * initial 1,024-slot AIO context, so the context must grow (and every fd be
 * re-armed) - events are still delivered exactly once, to the right watcher.
 * Also write watchers, subsets, and 300 more fds added afterwards.
 *
 * Then the same on a second loop created after setenv
 * ("LIBEV_TEST_NO_AIO_CONTEXT=1"), which makes growing the context fail:
 * every fd moves to the backend's internal epoll and the loop carries on -
 * with exactly the same results.
 */
/* OURS-ONLY: exercises our Linux AIO backend's context growth and its test switch LIBEV_TEST_NO_AIO_CONTEXT; libev 4.33's linuxaio backend does not even open on this kernel */
#include <ev.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include "testutil.h"

#define NSP 1600
#define NEV 400
#define NEXTRA 300
#define NW (NSP + NEV + NEXTRA)
#define NWR 200

static int nw;              /* watchers in use */
static int rfd[NW], wfd[NW];
static ev_io ws[NW];
static ev_io wrw[NWR];
static unsigned char cnt[NW], wcnt[NWR];
static int total, wtotal, wrong;
static const char *label;

static int
is_eventfd (int i)
{
  return i >= NSP && i < NSP + NEV;
}

static void
rcb (struct ev_loop *loop, ev_io *w, int revents)
{
  int i = (int)(w - ws);
  (void)loop;
  cnt[i]++;
  total++;
  if (revents != EV_READ && wrong++ < 5)
    fprintf (stderr, "%s: watcher %d (fd %d): revents 0x%x\n", label, i, w->fd, revents);
  if (is_eventfd (i))
    {
      uint64_t v = 0;
      if ((read (w->fd, &v, sizeof v) != sizeof v || v != (uint64_t)i) && wrong++ < 5)
        fprintf (stderr, "%s: eventfd watcher %d: read %llu\n", label, i, (unsigned long long)v);
    }
  else
    {
      char c = 0;
      if ((read (w->fd, &c, 1) != 1 || c != (char)(i & 0x7f)) && wrong++ < 5)
        fprintf (stderr, "%s: socket watcher %d: bad read\n", label, i);
    }
}

static void
wcb (struct ev_loop *loop, ev_io *w, int revents)
{
  int i = (int)(w - wrw);
  wcnt[i]++;
  wtotal++;
  if (revents != EV_WRITE && wrong++ < 5)
    fprintf (stderr, "%s: write watcher %d: revents 0x%x\n", label, i, revents);
  ev_io_stop (loop, w);
}

static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
}

static void
poke (int i)
{
  if (is_eventfd (i))
    {
      uint64_t v = (uint64_t)i;
      if (write (wfd[i], &v, sizeof v) != sizeof v)
        wrong++;
    }
  else
    {
      char c = (char)(i & 0x7f);
      if (write (wfd[i], &c, 1) != 1)
        wrong++;
    }
}

static void
open_fds (int from, int to)
{
  int i;
  for (i = from; i < to; i++)
    {
      if (is_eventfd (i))
        {
          rfd[i] = wfd[i] = eventfd (0, EFD_NONBLOCK);
          if (rfd[i] < 0)
            {
              fprintf (stderr, "eventfd: %s\n", strerror (errno));
              exit (1);
            }
        }
      else
        {
          int sv[2];
          if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) < 0)
            {
              fprintf (stderr, "socketpair: %s\n", strerror (errno));
              exit (1);
            }
          fcntl (sv[0], F_SETFL, O_NONBLOCK);
          rfd[i] = sv[0];
          wfd[i] = sv[1];
        }
    }
}

static void
close_fds (void)
{
  int i;
  for (i = 0; i < nw; i++)
    {
      close (rfd[i]);
      if (wfd[i] != rfd[i])
        close (wfd[i]);
    }
}

static void
round_ (struct ev_loop *loop, int step, int offset, const char *what)
{
  int i, it, expect = 0;
  ev_timer t;

  memset (cnt, 0, sizeof cnt);
  total = 0;
  for (i = offset; i < nw; i += step)
    {
      poke (i);
      expect++;
    }
  ev_timer_init (&t, to_cb, 0.2, 0.2);
  ev_timer_start (loop, &t);
  for (it = 0; it < 50 && total < expect; it++)
    ev_run (loop, EVRUN_ONCE);
  ev_timer_stop (loop, &t);
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  if (total != expect)
    fprintf (stderr, "%s: %s: %d of %d events after %d iterations\n", label, what, total, expect, it);
  CHECK_EQ_INT (total, expect);
  for (i = 0; i < nw; i++)
    if (cnt[i] != ((i >= offset && (i - offset) % step == 0) ? 1 : 0))
      {
        fprintf (stderr, "%s: %s: watcher %d (fd %d): %d callbacks\n", label, what, i, rfd[i], cnt[i]);
        wrong++;
        break;
      }
}

static void
exercise (struct ev_loop *loop)
{
  int i, it;
  ev_timer t;

  nw = NSP + NEV;
  total = 0;
  memset (cnt, 0, sizeof cnt);
  open_fds (0, nw);
  for (i = 0; i < nw; i++)
    {
      ev_io_init (&ws[i], rcb, rfd[i], EV_READ);
      ev_io_start (loop, &ws[i]);
    }
  /* arm all 2,000 (the context grows on the way) */
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (total, 0);

  round_ (loop, 1, 0, "all 2000");
  round_ (loop, 7, 3, "every 7th");
  round_ (loop, 1, 0, "all 2000 again");

  /* 200 write watchers on the socket write ends in addition */
  memset (wcnt, 0, sizeof wcnt);
  wtotal = 0;
  for (i = 0; i < NWR; i++)
    {
      ev_io_init (&wrw[i], wcb, wfd[i * (NSP / NWR)], EV_WRITE);
      ev_io_start (loop, &wrw[i]);
    }
  ev_timer_init (&t, to_cb, 0.2, 0.2);
  ev_timer_start (loop, &t);
  for (it = 0; it < 50 && wtotal < NWR; it++)
    ev_run (loop, EVRUN_ONCE);
  ev_timer_stop (loop, &t);
  CHECK_EQ_INT (wtotal, NWR);
  for (i = 0; i < NWR; i++)
    if (wcnt[i] != 1)
      {
        fprintf (stderr, "%s: write watcher %d: %d callbacks\n", label, i, wcnt[i]);
        wrong++;
        break;
      }
  round_ (loop, 3, 1, "every 3rd after write watchers");

  /* more fds added to the running loop */
  open_fds (nw, NW);
  for (i = nw; i < NW; i++)
    {
      ev_io_init (&ws[i], rcb, rfd[i], EV_READ);
      ev_io_start (loop, &ws[i]);
    }
  nw = NW;
  round_ (loop, 1, 0, "all 2300");

  /* a stopped half does not fire, the other half does */
  for (i = 0; i < nw; i += 2)
    ev_io_stop (loop, &ws[i]);
  ev_run (loop, EVRUN_NOWAIT);
  for (i = 1; i < nw; i += 2)
    poke (i);
  memset (cnt, 0, sizeof cnt);
  total = 0;
  ev_timer_start (loop, &t);
  for (it = 0; it < 50 && total < nw / 2; it++)
    ev_run (loop, EVRUN_ONCE);
  ev_timer_stop (loop, &t);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (total, nw / 2);
  for (i = 0; i < nw; i += 2)
    if (cnt[i])
      {
        fprintf (stderr, "%s: stopped watcher %d fired\n", label, i);
        wrong++;
        break;
      }
  for (i = 0; i < nw; i += 2)
    ev_io_start (loop, &ws[i]);
  round_ (loop, 1, 0, "all restarted");

  for (i = 0; i < nw; i++)
    ev_io_stop (loop, &ws[i]);
  ev_run (loop, EVRUN_NOWAIT);
  close_fds ();
}

int
main (void)
{
  struct ev_loop *loop;
  struct rlimit rl;
  rlim_t need = 2 * NW + 256;

  ALARM_GUARD (15);

  loop = ev_loop_new (0);
  if (!loop)
    SKIP ("ev_loop_new failed for this backend");
  if (ev_backend (loop) != EVBACKEND_LINUXAIO)
    {
      ev_loop_destroy (loop);
      SKIP ("only meaningful under the linuxaio backend");
    }

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need)
    {
      rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
      getrlimit (RLIMIT_NOFILE, &rl);
      if (rl.rlim_cur < need)
        SKIP ("RLIMIT_NOFILE too low (needs ~5000)");
    }

  label = "growing context";
  exercise (loop);
  CHECK_EQ_INT (ev_backend (loop), EVBACKEND_LINUXAIO);
  ev_loop_destroy (loop);

  /* growing the context fails from now on: the loop moves to epoll */
  setenv ("LIBEV_TEST_NO_AIO_CONTEXT", "1", 1);
  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();
  CHECK_EQ_INT (ev_backend (loop), EVBACKEND_LINUXAIO);
  label = "LIBEV_TEST_NO_AIO_CONTEXT=1";
  exercise (loop);
  ev_loop_destroy (loop);

  CHECK_EQ_INT (wrong, 0);
  TEST_DONE ();
}
