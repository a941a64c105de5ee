/* epollfloor: fdbench's round workload written directly on epoll, no library:
 * the floor an event loop can approach. Same options and output as fdbench
 * (setup and rearm are the raw epoll_ctl costs). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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
  int n = 100, active = 1, writes = 100, rounds = 25, c, i, r, ep;
  const char *kind = "socket";
  int *rfd, *wfd;
  double t0, setup, rearm, *times;
  struct epoll_event *evs;
  struct rlimit rl;

  while ((c = getopt (argc, argv, "n:a:w:r:tk:")) != -1)
    switch (c)
      {
      case 'n': n = atoi (optarg); break;
      case 'a': active = atoi (optarg); break;
      case 'w': writes = atoi (optarg); break;
      case 'r': rounds = atoi (optarg); break;
      case 't': break;
      case 'k': kind = optarg; break;
      default: return 2;
      }
  getrlimit (RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit (RLIMIT_NOFILE, &rl);
  rfd = calloc (n, sizeof *rfd);
  wfd = calloc (n, sizeof *wfd);
  evs = calloc (n, sizeof *evs);
  times = calloc (rounds, sizeof *times);
  for (i = 0; i < n; i++)
    {
      int p[2];
      if (*kind == 'e')
        p[0] = p[1] = eventfd (0, EFD_NONBLOCK);
      else if (*kind == 'p' ? pipe (p) : socketpair (AF_UNIX, SOCK_STREAM, 0, p))
        {
          fprintf (stderr, "fd pair %d: %s\n", i, strerror (errno));
          return 1;
        }
      rfd[i] = p[0];
      wfd[i] = p[1];
    }
  ep = epoll_create1 (EPOLL_CLOEXEC);
  t0 = now ();
  for (i = 0; i < n; i++)
    {
      struct epoll_event e = { .events = EPOLLIN, .data.u32 = i };
      epoll_ctl (ep, EPOLL_CTL_ADD, rfd[i], &e);
    }
  setup = (now () - t0) / n;
  t0 = now ();
  for (i = 0; i < n; i++)
    {
      struct epoll_event e = { .events = EPOLLIN, .data.u32 = i };
      epoll_ctl (ep, EPOLL_CTL_MOD, rfd[i], &e);
    }
  rearm = (now () - t0) / n;

  for (r = 0; r < rounds; r++)
    {
      int fired = 0, count = 0, done = 0;
      uint64_t v = 1;
      for (i = 0; i < active; i++, fired++)
        if (write (wfd[i * (n / active) % n], *kind == 'e' ? (void *) &v : (void *) "e", *kind == 'e' ? 8 : 1) < 0)
          perror ("write");
      t0 = now ();
      while (count < fired)
        {
          int k, got = epoll_wait (ep, evs, n, -1);
          for (k = 0; k < got; k++)
            {
              int idx = evs[k].data.u32;
              char ch;
              if (*kind == 'e' ? read (rfd[idx], &v, 8) != 8 : read (rfd[idx], &ch, 1) != 1)
                continue;
              count++;
              if (done < writes)
                {
                  int next = (idx + 1) % n;
                  v = 1;
                  if (write (wfd[next], *kind == 'e' ? (void *) &v : (void *) "e", *kind == 'e' ? 8 : 1) > 0)
                    done++, fired++;
                }
            }
        }
      times[r] = now () - t0;
    }
  qsort (times, rounds, sizeof *times, cmp);
  printf ("setup=%.4f rearm=%.4f round=%.2f\n", setup * 1e6, rearm * 1e6, times[rounds / 2] * 1e6);
  return 0;
}
