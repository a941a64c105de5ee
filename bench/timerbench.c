/* timerbench: M timers through their life cycle. Prints nanoseconds per timer:
 *   start     ev_timer_start of M timers with random timeouts
 *   again     ev_timer_again on every timer (random new repeat)
 *   restart   stop / set / start on every timer
 *   stop      ev_timer_stop of all
 *   expire    M timers all due at once, run to completion (per timer)
 * usage: timerbench -m M
 */
#include <ev.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int m = 10000, expired;

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void cb (EV_P_ ev_timer *w, int revents) { (void) loop; (void) w; (void) revents; expired++; }

int
main (int argc, char **argv)
{
  int c, i;
  double t0, start, again, restart, stop, expire;
  ev_timer *t;
  struct ev_loop *loop;

  while ((c = getopt (argc, argv, "m:")) != -1)
    if (c == 'm')
      m = atoi (optarg);
  t = calloc (m, sizeof *t);
  loop = ev_default_loop (0);
  srand48 (1);

  t0 = now ();
  for (i = 0; i < m; i++)
    {
      ev_timer_init (&t[i], cb, 100. + drand48 () * 100., 0.);
      ev_timer_start (loop, &t[i]);
    }
  start = now () - t0;

  t0 = now ();
  for (i = 0; i < m; i++)
    {
      t[i].repeat = 100. + drand48 () * 100.;
      ev_timer_again (loop, &t[i]);
    }
  again = now () - t0;

  t0 = now ();
  for (i = 0; i < m; i++)
    {
      ev_timer_stop (loop, &t[i]);
      ev_timer_set (&t[i], 100. + drand48 () * 100., 0.);
      ev_timer_start (loop, &t[i]);
    }
  restart = now () - t0;

  t0 = now ();
  for (i = 0; i < m; i++)
    ev_timer_stop (loop, &t[i]);
  stop = now () - t0;

  for (i = 0; i < m; i++)
    {
      ev_timer_set (&t[i], drand48 () * 1e-3, 0.);
      ev_timer_start (loop, &t[i]);
    }
  ev_sleep (2e-3);
  ev_now_update (loop);
  t0 = now ();
  while (expired < m)
    ev_run (loop, EVRUN_ONCE);
  expire = now () - t0;

  printf ("start=%.1f again=%.1f restart=%.1f stop=%.1f expire=%.1f\n",
          start / m * 1e9, again / m * 1e9, restart / m * 1e9, stop / m * 1e9, expire / m * 1e9);
  return 0;
}
