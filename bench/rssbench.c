/* rssbench: resident memory of a loop holding N active io watchers (on
 * eventfds) and M active timers. Prints, in kB:
 *   loop    anonymous resident memory added by the loop and its watchers' data
 *           structures (the watchers themselves are the program's and are
 *           allocated and touched before the first measurement)
 *   total   the process's whole VmRSS at the end (includes the library's code)
 * as one line: "loop=<kB> total=<kB>".
 * usage: rssbench [-n N] [-m M]
 */
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

static long
status_kb (const char *field)
{
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  long v = 0;
  size_t len = strlen (field);
  while (f && fgets (line, sizeof line, f))
    if (!strncmp (line, field, len))
      v = atol (line + len);
  if (f)
    fclose (f);
  return v;
}

static void io_cb (EV_P_ ev_io *w, int revents) { (void) loop; (void) w; (void) revents; }
static void timer_cb (EV_P_ ev_timer *w, int revents) { (void) loop; (void) w; (void) revents; }

int
main (int argc, char **argv)
{
  int n = 10000, m = 1000000, c, i;
  struct rlimit rl;
  ev_io *ios;
  ev_timer *timers;
  struct ev_loop *loop;
  long base;

  while ((c = getopt (argc, argv, "n:m:")) != -1)
    switch (c)
      {
      case 'n': n = atoi (optarg); break;
      case 'm': m = atoi (optarg); break;
      default: return 2;
      }
  getrlimit (RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit (RLIMIT_NOFILE, &rl);

  ios = calloc (n, sizeof *ios);
  timers = calloc (m, sizeof *timers);
  for (i = 0; i < n; i++)
    {
      int fd = eventfd (0, 0);
      if (fd < 0) { perror ("eventfd"); return 1; }
      ev_io_init (&ios[i], io_cb, fd, EV_READ);
    }
  for (i = 0; i < m; i++)
    ev_timer_init (&timers[i], timer_cb, 100. + i * 1e-6, 0.);
  base = status_kb ("RssAnon:");

  loop = ev_default_loop (0);
  for (i = 0; i < n; i++)
    ev_io_start (loop, &ios[i]);
  for (i = 0; i < m; i++)
    ev_timer_start (loop, &timers[i]);
  ev_run (loop, EVRUN_NOWAIT);

  printf ("loop=%ld total=%ld\n", status_kb ("RssAnon:") - base, status_kb ("VmRSS:"));
  return 0;
}
