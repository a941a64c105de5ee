/*
 * Over 10,000 watched fds at once on every backend: 8,000 eventfds and the
 * read ends of 4,800 socketpairs (17,600 fds, fd numbers up to ~17,700; the
 * fd limit is raised to fit).  Readiness is produced on spread subsets and
 * finally on all 12,800 at once (more than an io_uring CQ of 4096 entries):
 * every event is delivered exactly once, to the right watcher, with the
 * right data.  Then all watchers are stopped and ev_run returns at once.
 */
/* OURS-ONLY: libev 4.33's io_uring backend aborts ("io_uring_enter did not consume all sqes") in the ev_run after the 12,800 armed watchers are stopped; its select, poll and epoll backends pass */
#include <ev.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include "testutil.h"

#define MAXEV 8000
#define MAXSP 4800
#define MAXW (MAXEV + MAXSP)

static int nev, nsp, nw;
static int rfd[MAXW];      /* fd watched for reading */
static int wfd[MAXW];      /* fd to write to make it readable */
static ev_io ws[MAXW];
static unsigned short cnt[MAXW];
static int total, want_total, wrong;

static void
rcb (struct ev_loop *loop, ev_io *w, int revents)
{
  int i = (int)(w - ws);
  cnt[i]++;
  total++;
  if (revents != EV_READ)
    {
      if (wrong++ < 5)
        fprintf (stderr, "watcher %d (fd %d): revents 0x%x\n", i, w->fd, revents);
    }
  if (i < nev)
    {
      uint64_t v = 0;
      if (read (w->fd, &v, sizeof v) != sizeof v || v != 1)
        if (wrong++ < 5)
          fprintf (stderr, "eventfd %d (fd %d): bad read, value %llu\n", i, w->fd, (unsigned long long)v);
    }
  else
    {
      char c = 0;
      if (read (w->fd, &c, 1) != 1 || c != (char)(i & 0x7f))
        if (wrong++ < 5)
          fprintf (stderr, "socket %d (fd %d): bad read '%c'\n", i, w->fd, c);
    }
  if (total >= want_total)
    ev_break (loop, EVBREAK_ONE);
}

static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break (loop, EVBREAK_ONE);
}

static void
poke (int i)
{
  if (i < nev)
    {
      uint64_t one = 1;
      if (write (wfd[i], &one, sizeof one) != sizeof one)
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
round_ (struct ev_loop *loop, int step, int offset)
{
  int i, expect = 0, extra_total;
  ev_timer t;

  memset (cnt, 0, sizeof cnt);
  total = 0;
  for (i = offset; i < nw; i += step)
    {
      poke (i);
      expect++;
    }
  want_total = expect;
  ev_timer_init (&t, to_cb, 3.0, 0.);  /* safety bound only */
  ev_timer_start (loop, &t);
  ev_run (loop, 0);
  CHECK (ev_is_active (&t));
  ev_timer_stop (loop, &t);
  CHECK_EQ_INT (total, expect);
  extra_total = total;
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (total, extra_total);
  for (i = 0; i < nw; i++)
    if (cnt[i] != ((i >= offset && (i - offset) % step == 0) ? 1 : 0))
      {
        fprintf (stderr, "watcher %d (fd %d): %d callbacks (step %d offset %d)\n",
                 i, rfd[i], cnt[i], step, offset);
        wrong++;
        break;
      }
}

int
main (void)
{
  struct ev_loop *loop;
  struct rlimit rl;
  int i, maxfd = 0;
  rlim_t need = 2 * MAXSP + MAXEV + 128;
  struct timespec t0, t1;

  ALARM_GUARD (15);
  nev = MAXEV;
  nsp = MAXSP;
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need)
    {
      rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
      getrlimit (RLIMIT_NOFILE, &rl);
      if (rl.rlim_cur < need)
        {
          /* scale down, keeping the proportions */
          long avail = (long)rl.rlim_cur - 128;
          if (avail < 4000)
            SKIP ("RLIMIT_NOFILE too low for this test (needs ~4000 at least)");
          nev = (int)(avail * MAXEV / (long)need);
          nsp = (int)((avail - nev) / 2);
        }
    }
  nw = nev + nsp;

  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();

  for (i = 0; i < nev; i++)
    {
      rfd[i] = wfd[i] = eventfd (0, EFD_NONBLOCK);
      if (rfd[i] < 0)
        {
          fprintf (stderr, "eventfd %d: %s\n", i, strerror (errno));
          return 1;
        }
    }
  for (i = nev; i < nw; i++)
    {
      int sv[2];
      if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        {
          fprintf (stderr, "socketpair %d: %s\n", i - nev, strerror (errno));
          return 1;
        }
      fcntl (sv[0], F_SETFL, O_NONBLOCK);
      rfd[i] = sv[0];
      wfd[i] = sv[1];
    }
  for (i = 0; i < nw; i++)
    {
      if (rfd[i] > maxfd) maxfd = rfd[i];
      if (wfd[i] > maxfd) maxfd = wfd[i];
      ev_io_init (&ws[i], rcb, rfd[i], EV_READ);
      ev_io_start (loop, &ws[i]);
    }
  CHECK (maxfd > 10000 || nw < MAXW);

  /* arm everything first with nothing ready */
  ev_run (loop, EVRUN_NOWAIT);
  ev_run (loop, EVRUN_NOWAIT);

  round_ (loop, 7, 0);
  round_ (loop, 3, 1);
  round_ (loop, 997, 5);
  round_ (loop, 1, 0);    /* all at once */
  round_ (loop, 2, 1);
  CHECK_EQ_INT (wrong, 0);

  for (i = 0; i < nw; i++)
    ev_io_stop (loop, &ws[i]);

  /* nothing active: ev_run returns immediately */
  clock_gettime (CLOCK_MONOTONIC, &t0);
  ev_run (loop, 0);
  clock_gettime (CLOCK_MONOTONIC, &t1);
  CHECK ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9 < 1.0);

  ev_loop_destroy (loop);
  for (i = 0; i < nw; i++)
    {
      close (rfd[i]);
      if (wfd[i] != rfd[i])
        close (wfd[i]);
    }
  TEST_DONE ();
}
