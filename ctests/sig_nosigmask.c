/* EVFLAG_NOSIGMASK and the signal mask at ev_signal_start (handler-based
 * loops, no signalfd).
 *
 * Encodes what libev 4.33 really does, which is the INVERSE of what its
 * manual says about EVFLAG_NOSIGMASK ("libev will avoid to modify the
 * signal mask"):
 *   - without EVFLAG_NOSIGMASK, ev_signal_start leaves a signal the user
 *     blocked blocked (it stays pending and is delivered only once the
 *     user unblocks it);
 *   - with EVFLAG_NOSIGMASK, ev_signal_start UNBLOCKS the signal.
 * (The manual calls the mask after ev_signal_start unspecified in
 * general.)  An unblocked signal is delivered either way. */
#include <ev.h>
#include "testutil.h"

static int n, bad_revents;

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)loop; (void)w;
  if (revents != EV_SIGNAL) bad_revents++;
  n++;
}

static unsigned env_backend(void)
{
  const char *e = getenv("LIBEV_FLAGS");
  return e ? (unsigned)atoi(e) & EVBACKEND_MASK : 0;
}

static int is_blocked(int signum)
{
  sigset_t ss;
  sigemptyset(&ss);
  sigprocmask(SIG_BLOCK, NULL, &ss);
  return sigismember(&ss, signum);
}

static void block(int signum, int how)
{
  sigset_t ss;
  sigemptyset(&ss);
  sigaddset(&ss, signum);
  sigprocmask(how, &ss, NULL);
}

static void drain(struct ev_loop *loop)
{
  int i;
  for (i = 0; i < 3; i++) ev_run(loop, EVRUN_NOWAIT);
}

int main(void)
{
  struct ev_loop *loop;
  ev_signal w;

  ALARM_GUARD(5);

  /* ---- without EVFLAG_NOSIGMASK ---- */
  loop = ev_loop_new(EVFLAG_NOENV | env_backend());
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  ev_signal_init(&w, sig_cb, SIGUSR1);

  /* unblocked signal: delivered */
  ev_signal_start(loop, &w);
  CHECK(!is_blocked(SIGUSR1));
  raise(SIGUSR1);
  drain(loop);
  CHECK_EQ_INT(n, 1);
  ev_signal_stop(loop, &w);

  /* blocked by the user before start: libev 4.33 leaves it blocked */
  n = 0;
  block(SIGUSR1, SIG_BLOCK);
  ev_signal_start(loop, &w);
  CHECK(is_blocked(SIGUSR1));
  raise(SIGUSR1);
  drain(loop);
  CHECK_EQ_INT(n, 0);
  /* unblocking delivers the pending signal to libev's handler */
  block(SIGUSR1, SIG_UNBLOCK);
  drain(loop);
  CHECK_EQ_INT(n, 1);
  ev_signal_stop(loop, &w);
  ev_loop_destroy(loop);

  /* ---- with EVFLAG_NOSIGMASK ---- */
  loop = ev_loop_new(EVFLAG_NOENV | EVFLAG_NOSIGMASK | env_backend());
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  CHECK(ev_backend(loop) != 0);

  /* unblocked signal: delivered */
  n = 0;
  ev_signal_start(loop, &w);
  CHECK(!is_blocked(SIGUSR1));
  raise(SIGUSR1);
  drain(loop);
  CHECK_EQ_INT(n, 1);
  ev_signal_stop(loop, &w);

  /* blocked by the user before start: libev 4.33 unblocks it (contrary
   * to the manual), so a raise() is delivered immediately */
  n = 0;
  block(SIGUSR1, SIG_BLOCK);
  ev_signal_start(loop, &w);
  CHECK(!is_blocked(SIGUSR1));
  raise(SIGUSR1);
  drain(loop);
  CHECK_EQ_INT(n, 1);
  ev_signal_stop(loop, &w);
  ev_loop_destroy(loop);

  CHECK_EQ_INT(bad_revents, 0);
  TEST_DONE();
}
