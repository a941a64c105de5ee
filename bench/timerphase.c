/* timerphase: timerbench's phases one at a time under callgrind, counting
 * only the chosen phase (CALLGRIND_START/STOP_INSTRUMENTATION; run with
 * --instr-atstart=no). Random numbers are drawn beforehand so only the
 * library's work is counted.
 * usage: valgrind --tool=callgrind --instr-atstart=no timerphase M PHASE
 *   PHASE: 0 start, 1 again, 2 restart, 3 stop, 4 expire */
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <valgrind/callgrind.h>

static int expired;
static void cb (EV_P_ ev_timer *w, int revents) { (void) loop; (void) w; (void) revents; expired++; }

#define PHASE(k, body) do { if (ph == k) CALLGRIND_START_INSTRUMENTATION; body; if (ph == k) CALLGRIND_STOP_INSTRUMENTATION; } while (0)

int
main (int argc, char **argv)
{
  int m, ph, i;
  ev_timer *t;
  double *r;
  struct ev_loop *loop;

  if (argc != 3)
    return 2;
  m = atoi (argv[1]);
  ph = atoi (argv[2]);
  t = calloc (m, sizeof *t);
  r = malloc (sizeof *r * m * 3);
  loop = ev_default_loop (0);
  srand48 (1);
  for (i = 0; i < m * 3; i++)
    r[i] = drand48 ();
  PHASE (0, for (i = 0; i < m; i++) { ev_timer_init (&t[i], cb, 100. + r[i] * 100., 0.); ev_timer_start (loop, &t[i]); });
  PHASE (1, for (i = 0; i < m; i++) { t[i].repeat = 100. + r[m + i] * 100.; ev_timer_again (loop, &t[i]); });
  PHASE (2, for (i = 0; i < m; i++) { ev_timer_stop (loop, &t[i]); ev_timer_set (&t[i], 100. + r[2 * m + i] * 100., 0.); ev_timer_start (loop, &t[i]); });
  PHASE (3, for (i = 0; i < m; i++) ev_timer_stop (loop, &t[i]));
  for (i = 0; i < m; i++)
    {
      ev_timer_set (&t[i], r[i] * 1e-3, 0.);
      ev_timer_start (loop, &t[i]);
    }
  ev_sleep (2e-3);
  ev_now_update (loop);
  PHASE (4, while (expired < m) ev_run (loop, EVRUN_ONCE));
  return 0;
}
