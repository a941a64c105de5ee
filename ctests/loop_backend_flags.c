/* ev_backend of loops created with explicit backend flags, LIBEV_FLAGS
 * honoured (overriding the flags completely) and ignored with EVFLAG_NOENV,
 * unavailable backends -> NULL, ev_default_loop flags. */
#define _GNU_SOURCE 1 /* setenv/unsetenv also under -std=c99 */
#include <ev.h>
#include "testutil.h"

/* creates a loop, returns its backend (0 if creation failed) */
static unsigned backend_of(unsigned flags)
{
  struct ev_loop *l = ev_loop_new(flags);
  unsigned b;
  if (!l) return 0;
  b = ev_backend(l);
  ev_loop_destroy(l);
  return b;
}

static int nt;
static void tcb(struct ev_loop *loop, ev_timer *w, int revents) { (void)loop; (void)w; (void)revents; nt++; }

/* each explicitly chosen backend actually runs a timer */
static void check_runs(unsigned flags, unsigned expect)
{
  struct ev_loop *l = ev_loop_new(flags);
  ev_timer t;
  CHECK(l != NULL);
  if (!l) return;
  CHECK_EQ_INT(ev_backend(l), expect);
  nt = 0;
  ev_timer_init(&t, tcb, 0.001, 0.);
  ev_timer_start(l, &t);
  CHECK_EQ_INT(ev_run(l, 0), 0);
  CHECK_EQ_INT(nt, 1);
  ev_loop_destroy(l);
}

int main(void)
{
  unsigned have_uring;
  struct ev_loop *d;

  ALARM_GUARD(5);

  /* with EVFLAG_NOENV the flags are used as given, whatever LIBEV_FLAGS is */
  check_runs(EVBACKEND_SELECT | EVFLAG_NOENV, EVBACKEND_SELECT);
  check_runs(EVBACKEND_POLL | EVFLAG_NOENV, EVBACKEND_POLL);
  check_runs(EVBACKEND_EPOLL | EVFLAG_NOENV, EVBACKEND_EPOLL);
  have_uring = backend_of(EVBACKEND_IOURING | EVFLAG_NOENV);
  CHECK(have_uring == 0 || have_uring == EVBACKEND_IOURING);
  if (have_uring) check_runs(EVBACKEND_IOURING | EVFLAG_NOENV, EVBACKEND_IOURING);

  /* backends that do not exist here: NULL */
  CHECK(ev_loop_new(EVBACKEND_KQUEUE | EVFLAG_NOENV) == NULL);
  CHECK(ev_loop_new(EVBACKEND_DEVPOLL | EVFLAG_NOENV) == NULL);
  CHECK(ev_loop_new(EVBACKEND_PORT | EVFLAG_NOENV) == NULL);
  /* Linux AIO: the reference cannot poll with it on current kernels; where a
   * library says it supports it, a loop must open with it */
  if (ev_supported_backends() & EVBACKEND_LINUXAIO)
    check_runs(EVBACKEND_LINUXAIO | EVFLAG_NOENV, EVBACKEND_LINUXAIO);
  else
    CHECK(ev_loop_new(EVBACKEND_LINUXAIO | EVFLAG_NOENV) == NULL);

  /* several backends allowed: the preferred one wins (epoll > poll > select) */
  CHECK_EQ_INT(backend_of(EVBACKEND_SELECT | EVBACKEND_POLL | EVFLAG_NOENV), EVBACKEND_POLL);
  CHECK_EQ_INT(backend_of(EVBACKEND_SELECT | EVBACKEND_POLL | EVBACKEND_EPOLL | EVFLAG_NOENV), EVBACKEND_EPOLL);
  CHECK_EQ_INT(backend_of(EVBACKEND_KQUEUE | EVBACKEND_SELECT | EVFLAG_NOENV), EVBACKEND_SELECT);
  /* no backend bits: the recommended set, i.e. epoll on Linux */
  CHECK_EQ_INT(backend_of(EVFLAG_NOENV), EVBACKEND_EPOLL);
  CHECK_EQ_INT(backend_of(EVFLAG_AUTO | EVFLAG_NOENV), EVBACKEND_EPOLL);
  /* EVBACKEND_ALL also tries io_uring, which is preferred when it works */
  CHECK_EQ_INT(backend_of(EVBACKEND_ALL | EVFLAG_NOENV), have_uring ? EVBACKEND_IOURING : EVBACKEND_EPOLL);

  /* LIBEV_FLAGS absent: flags honoured */
  unsetenv("LIBEV_FLAGS");
  CHECK_EQ_INT(backend_of(EVBACKEND_POLL), EVBACKEND_POLL);
  CHECK_EQ_INT(backend_of(EVBACKEND_SELECT), EVBACKEND_SELECT);
  CHECK_EQ_INT(backend_of(0), EVBACKEND_EPOLL);
  CHECK(ev_loop_new(EVBACKEND_KQUEUE) == NULL);

  /* LIBEV_FLAGS present: read at each ev_loop_new, replaces the flags */
  setenv("LIBEV_FLAGS", "2", 1);
  CHECK_EQ_INT(backend_of(0), EVBACKEND_POLL);
  CHECK_EQ_INT(backend_of(EVBACKEND_SELECT), EVBACKEND_POLL);
  CHECK_EQ_INT(backend_of(EVBACKEND_EPOLL), EVBACKEND_POLL);
  /* ... but not with EVFLAG_NOENV */
  CHECK_EQ_INT(backend_of(EVBACKEND_SELECT | EVFLAG_NOENV), EVBACKEND_SELECT);
  CHECK_EQ_INT(backend_of(EVFLAG_NOENV), EVBACKEND_EPOLL);

  setenv("LIBEV_FLAGS", "1", 1);
  CHECK_EQ_INT(backend_of(0), EVBACKEND_SELECT);
  CHECK_EQ_INT(backend_of(EVBACKEND_POLL), EVBACKEND_SELECT);
  setenv("LIBEV_FLAGS", "4", 1);
  CHECK_EQ_INT(backend_of(EVBACKEND_SELECT), EVBACKEND_EPOLL);
  setenv("LIBEV_FLAGS", "3", 1); /* select|poll -> poll preferred */
  CHECK_EQ_INT(backend_of(0), EVBACKEND_POLL);
  /* the environment can request an unavailable backend -> NULL */
  setenv("LIBEV_FLAGS", "8", 1);
  CHECK(ev_loop_new(0) == NULL);
  CHECK(ev_loop_new(EVBACKEND_POLL) == NULL);
  CHECK_EQ_INT(backend_of(EVBACKEND_POLL | EVFLAG_NOENV), EVBACKEND_POLL);
  /* the value is a plain decimal number; "0" means auto and still replaces
   * the given flags */
  setenv("LIBEV_FLAGS", "0", 1);
  CHECK_EQ_INT(backend_of(EVBACKEND_SELECT), EVBACKEND_EPOLL);

  /* the default loop follows the same rules; later calls ignore flags */
  setenv("LIBEV_FLAGS", "1", 1);
  d = ev_default_loop(EVBACKEND_POLL);
  CHECK(d != NULL);
  if (d) {
    CHECK_EQ_INT(ev_backend(d), EVBACKEND_SELECT);
    CHECK(ev_default_loop(EVBACKEND_EPOLL | EVFLAG_NOENV) == d);
    CHECK_EQ_INT(ev_backend(d), EVBACKEND_SELECT);
    ev_loop_destroy(d);
  }
  d = ev_default_loop(EVBACKEND_POLL | EVFLAG_NOENV);
  CHECK(d != NULL);
  if (d) {
    CHECK_EQ_INT(ev_backend(d), EVBACKEND_POLL);
    ev_loop_destroy(d);
  }
  unsetenv("LIBEV_FLAGS");

  TEST_DONE();
}
