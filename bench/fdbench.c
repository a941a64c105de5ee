/* fdbench: the classic libev/libevent benchmark shape.
 *
 * N fd pairs (socketpairs, pipes or eventfds), each read end with an io watcher
 * (and optionally an idle-timeout timer restarted on every event). Per round,
 * A writers start; every event reads its byte and forwards one to the next pair
 * until W writes are done. Prints, in microseconds:
 *   setup   per watcher (start all watchers)
 *   rearm   per watcher (stop, set, start every watcher)
 *   round   per round (median of R rounds)
 * as one line: "setup=<us> rearm=<us> round=<us>".
 *
 * usage: fdbench -n N -a A -w W [-r ROUNDS] [-t] [-k socket|pipe|eventfd]
 */
#include <ev.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static int n = 100, active = 1, writes = 100, rounds = 25, use_timers;
static const char *kind = "socket";
static int *rfd, *wfd;
static ev_io *ios;
static ev_timer *timers;
static int fired, count, done_writes;
static struct ev_loop *loop;

static void timer_cb (EV_P_ ev_timer *w, int revents) { (void) loop; (void) w; (void) revents; }

static void
read_cb (EV_P_ ev_io *w, int revents)
{
  int idx = (int) (w - ios);
  uint64_t v;
  (void) revents;
  if (*kind == 'e')
    {
      if (read (rfd[idx], &v, 8) != 8)
        return;
    }
  else
    {
      char c;
      if (read (rfd[idx], &c, 1) != 1)
        return;
    }
  if (use_timers)
    {
      timers[idx].repeat = 10. + drand48 ();
      ev_timer_again (EV_A_ &timers[idx]);
    }
  count++;
  if (done_writes < writes)
    {
      int next = (idx + 1) % n;
      v = 1;
      if (write (wfd[next], *kind == 'e' ? (void *) &v : (void *) "e", *kind == 'e' ? 8 : 1) > 0)
        done_writes++, fired++;
    }
}

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  int c, i, r;
  double t0, setup, rearm, *times;
  struct rlimit rl;

  while ((c = getopt (argc, argv, "n:a:w:r:tk:")) != -1)
    switch (c)
      {
      case 'n': n = atoi (optarg); break;
      case 'a': active = atoi (optarg); break;
      case 'w': writes = atoi (optarg); break;
      case 'r': rounds = atoi (optarg); break;
      case 't': use_timers = 1; break;
      case 'k': kind = optarg; break;
      default: return 2;
      }
  getrlimit (RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit (RLIMIT_NOFILE, &rl);

  rfd = calloc (n, sizeof *rfd);
  wfd = calloc (n, sizeof *wfd);
  ios = calloc (n, sizeof *ios);
  timers = calloc (n, sizeof *timers);
  times = calloc (rounds, sizeof *times);
  for (i = 0; i < n; i++)
    {
      int p[2];
      if (*kind == 'e')
        {
          p[0] = p[1] = eventfd (0, EFD_NONBLOCK);
          if (p[0] < 0) { perror ("eventfd"); return 1; }
        }
      else if (*kind == 'p' ? pipe (p) : socketpair (AF_UNIX, SOCK_STREAM, 0, p))
        {
          fprintf (stderr, "fd pair %d: %s\n", i, strerror (errno));
          return 1;
        }
      rfd[i] = p[0];
      wfd[i] = p[1];
    }

  loop = ev_default_loop (0);
  t0 = now ();
  for (i = 0; i < n; i++)
    {
      ev_io_init (&ios[i], read_cb, rfd[i], EV_READ);
      ev_io_start (loop, &ios[i]);
      if (use_timers)
        {
          ev_timer_init (&timers[i], timer_cb, 10. + drand48 (), 0.);
          ev_timer_start (loop, &timers[i]);
        }
    }
  ev_run (loop, EVRUN_NOWAIT);
  setup = (now () - t0) / n;

  /* re-arm: stop, set, start every watcher, then one iteration to apply it */
  t0 = now ();
  for (i = 0; i < n; i++)
    {
      ev_io_stop (loop, &ios[i]);
      ev_io_set (&ios[i], rfd[i], EV_READ);
      ev_io_start (loop, &ios[i]);
    }
  ev_run (loop, EVRUN_NOWAIT);
  rearm = (now () - t0) / n;

  for (r = 0; r < rounds; r++)
    {
      uint64_t v = 1;
      fired = count = done_writes = 0;
      for (i = 0; i < active; i++, fired++)
        if (write (wfd[i * (n / active) % n], *kind == 'e' ? (void *) &v : (void *) "e", *kind == 'e' ? 8 : 1) < 0)
          perror ("write");
      t0 = now ();
      while (count < fired)
        ev_run (loop, EVRUN_ONCE);
      times[r] = now () - t0;
    }
  qsort (times, rounds, sizeof *times, cmp);
  printf ("setup=%.4f rearm=%.4f round=%.2f\n", setup * 1e6, rearm * 1e6, times[rounds / 2] * 1e6);
  return 0;
}
