/* Signal disposition and mask handling around ev_signal_start/stop:
 * a normal loop installs its own handler (replacing SIG_IGN), keeps it
 * while any watcher for the signal is active, and resets the signal to
 * SIG_DFL when the last watcher stops; afterwards the signal is detached
 * from the loop and may be used by another loop.  An EVFLAG_SIGNALFD loop
 * leaves the disposition alone and instead blocks the signal while it is
 * watched, unblocking it after the last stop. */
#include <ev.h>
#include "testutil.h"

static void cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)loop; (void)w; (void)revents;
}

static void (*handler_of(int signum))(int)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigaction(signum, NULL, &sa);
  return sa.sa_handler;
}

static int is_blocked(int signum)
{
  sigset_t ss;
  sigemptyset(&ss);
  sigprocmask(SIG_BLOCK, NULL, &ss);
  return sigismember(&ss, signum);
}

static unsigned env_backend(void)
{
  const char *e = getenv("LIBEV_FLAGS");
  return e ? (unsigned)atoi(e) & EVBACKEND_MASK : 0;
}

int main(void)
{
  struct ev_loop *a, *b;
  ev_signal w1, w2, w3;
  void (*h)(int);

  ALARM_GUARD(5);
  signal(SIGUSR1, SIG_IGN);
  signal(SIGUSR2, SIG_IGN);

  a = ev_loop_new(EVFLAG_NOENV | env_backend());
  b = ev_loop_new(EVFLAG_NOENV | env_backend());
  CHECK(a && b);
  if (!a || !b) TEST_DONE();

  /* normal loop: handler installed, kept while any watcher is active */
  ev_signal_init(&w1, cb, SIGUSR1);
  ev_signal_init(&w2, cb, SIGUSR1);
  ev_signal_start(a, &w1);
  h = handler_of(SIGUSR1);
  CHECK(h != SIG_IGN && h != SIG_DFL);
  ev_signal_start(a, &w2);
  CHECK(handler_of(SIGUSR1) == h);
  ev_signal_stop(a, &w1);
  CHECK(handler_of(SIGUSR1) == h);
  ev_signal_stop(a, &w2);
  /* last watcher gone: SIG_DFL (not the previous SIG_IGN) */
  CHECK(handler_of(SIGUSR1) == SIG_DFL);
  CHECK(!is_blocked(SIGUSR1));
  /* an unrelated signal is untouched */
  CHECK(handler_of(SIGUSR2) == SIG_IGN);

  /* stopping an inactive watcher does not touch the disposition */
  signal(SIGUSR1, SIG_IGN);
  ev_signal_stop(a, &w2);
  CHECK(handler_of(SIGUSR1) == SIG_IGN);

  /* the signal is detached: another loop may take it now (no abort) */
  ev_signal_init(&w3, cb, SIGUSR1);
  ev_signal_start(b, &w3);
  CHECK(ev_is_active(&w3));
  h = handler_of(SIGUSR1);
  CHECK(h != SIG_IGN && h != SIG_DFL);
  ev_signal_stop(b, &w3);
  CHECK(handler_of(SIGUSR1) == SIG_DFL);
  ev_loop_destroy(a);
  ev_loop_destroy(b);

  /* signalfd loop: disposition left alone, signal blocked while watched */
  signal(SIGUSR2, SIG_IGN);
  a = ev_loop_new(EVFLAG_NOENV | EVFLAG_SIGNALFD | env_backend());
  CHECK(a != NULL);
  if (!a) TEST_DONE();
  CHECK(!is_blocked(SIGUSR2));
  ev_signal_init(&w1, cb, SIGUSR2);
  ev_signal_start(a, &w1);
  CHECK(is_blocked(SIGUSR2));
  CHECK(handler_of(SIGUSR2) == SIG_IGN);
  ev_signal_stop(a, &w1);
  CHECK(!is_blocked(SIGUSR2));
  CHECK(handler_of(SIGUSR2) == SIG_IGN);
  ev_loop_destroy(a);

  TEST_DONE();
}
