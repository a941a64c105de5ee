/* libev-3 compatibility names (EV_COMPAT3, on by default in ev.h), used
 * the way old programs use them:
 *  - ev_loop(loop, 0) runs until ev_unloop; EVLOOP_NONBLOCK processes a
 *    ready io watcher without blocking; EVLOOP_ONESHOT blocks for one
 *    event;
 *  - ev_unloop(EVUNLOOP_ONE) leaves only the innermost ev_loop,
 *    EVUNLOOP_ALL all of them, EVUNLOOP_CANCEL cancels a pending unloop;
 *  - ev_loop_count counts iterations, ev_loop_depth is 1 inside a callback
 *    of ev_loop and 2 inside a nested one, 0 outside;
 *  - ev_loop_verify accepts a loop with many watchers of every kind;
 *  - EV_TIMEOUT is what a timer callback receives, EVFLAG_NOSIGFD is 0;
 *  - ev_default_fork in a forked child: fork watchers run and io works;
 *  - ev_default_destroy clears ev_default_loop_ptr, a later
 *    ev_default_loop creates a fresh, working default loop, and
 *    ev_default_destroy without a default loop creates and destroys one. */
#include <ev.h>
#include <fcntl.h>
#include "testutil.h"

static int ntimer, bad_revents, depth1, depth2, nfork, nio;
static unsigned count_in_cb;

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w;
  if (revents != EV_TIMEOUT) bad_revents++;
  ntimer++;
  depth1 = ev_loop_depth(loop);
  count_in_cb = ev_loop_count(loop);
  ev_unloop(loop, EVUNLOOP_ONE);
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
  char buf[16];
  (void)loop;
  if (revents != EV_READ) bad_revents++;
  if (read(w->fd, buf, sizeof buf) > 0) nio++;
}

/* nesting: outer idle runs a nested ev_loop whose timer unloops ALL */
static ev_timer nested_t;
static int after_nested;
static void nested_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  depth2 = ev_loop_depth(loop);
  ev_unloop(loop, EVUNLOOP_ALL);
}
static void outer_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)revents;
  ev_idle_stop(loop, w);
  ev_timer_init(&nested_t, nested_timer_cb, 0.001, 0.);
  ev_timer_start(loop, &nested_t);
  ev_loop(loop, 0);
  after_nested = 1; /* the nested ev_loop returned, we continue */
}

/* cancel: ONE then CANCEL in the same callback: the loop goes on */
static int ncancel;
static void cancel_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)revents;
  ncancel++;
  ev_unloop(loop, EVUNLOOP_ONE);
  if (ncancel < 3) ev_unloop(loop, EVUNLOOP_CANCEL);
  else ev_idle_stop(loop, w);
}

static void fork_cb(struct ev_loop *loop, ev_fork *w, int revents)
{
  (void)loop; (void)w;
  if (revents != EV_FORK) bad_revents++;
  nfork++;
}

static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_unloop(loop, EVUNLOOP_ALL);
}

static unsigned env_backend(void)
{
  const char *e = getenv("LIBEV_FLAGS");
  return e ? (unsigned)atoi(e) & EVBACKEND_MASK : 0;
}

int main(void)
{
  struct ev_loop *loop, *dl;
  ev_timer t, guard;
  ev_idle idle;
  ev_io io;
  ev_fork fw;
  int p[2];
  unsigned c0;
  pid_t pid;
  int status = 0;

  ALARM_GUARD(5);
  CHECK_EQ_INT(EV_TIMEOUT, EV_TIMER);
  CHECK_EQ_INT(EVFLAG_NOSIGFD, 0);
  if (pipe(p) < 0) { perror("pipe"); return 1; }
  fcntl(p[0], F_SETFL, O_NONBLOCK); /* readiness may be spurious */

  loop = ev_loop_new(EVFLAG_NOENV | EVFLAG_NOSIGFD | env_backend());
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  CHECK_EQ_INT(ev_loop_depth(loop), 0);

  /* ev_loop(0) until ev_unloop(ONE) from a timer */
  c0 = ev_loop_count(loop);
  ev_timer_init(&t, timer_cb, 0.005, 0.);
  ev_timer_start(loop, &t);
  ev_loop(loop, 0);
  CHECK_EQ_INT(ntimer, 1);
  CHECK_EQ_INT(depth1, 1);
  CHECK(count_in_cb >= c0);
  CHECK_EQ_INT(ev_loop_count(loop), ev_iteration(loop));
  CHECK(ev_loop_count(loop) > c0);
  CHECK_EQ_INT(ev_loop_depth(loop), 0);

  /* EVLOOP_NONBLOCK with a ready fd */
  ev_io_init(&io, io_cb, p[0], EV_READ);
  ev_io_start(loop, &io);
  if (write(p[1], "x", 1) != 1) perror("write");
  c0 = ev_loop_count(loop);
  ev_loop(loop, EVLOOP_NONBLOCK);
  if (!nio) ev_loop(loop, EVLOOP_NONBLOCK);
  CHECK_EQ_INT(nio, 1);
  CHECK(ev_loop_count(loop) >= c0 + 1);
  /* nothing ready: NONBLOCK returns at once, exactly one iteration */
  c0 = ev_loop_count(loop);
  ev_loop(loop, EVLOOP_NONBLOCK);
  CHECK_EQ_INT(ev_loop_count(loop), c0 + 1);
  /* EVLOOP_ONESHOT waits for the timer */
  ntimer = 0;
  ev_timer_set(&t, 0.01, 0.);
  ev_timer_start(loop, &t);
  ev_loop(loop, EVLOOP_ONESHOT);
  if (!ntimer) ev_loop(loop, EVLOOP_ONESHOT); /* timers may be early-rounded */
  CHECK_EQ_INT(ntimer, 1);
  ev_io_stop(loop, &io);

  /* nested + EVUNLOOP_ALL: both ev_loop calls return */
  ev_timer_init(&guard, guard_cb, 1.0, 0.);
  ev_timer_start(loop, &guard);
  ev_idle_init(&idle, outer_idle_cb);
  ev_idle_start(loop, &idle);
  ev_loop(loop, 0);
  CHECK_EQ_INT(depth2, 2);
  CHECK_EQ_INT(after_nested, 1);
  CHECK_EQ_INT(ev_loop_depth(loop), 0);
  CHECK(ev_is_active(&guard)); /* did not need the guard */

  /* EVUNLOOP_CANCEL */
  ev_idle_init(&idle, cancel_cb);
  ev_idle_start(loop, &idle);
  ev_loop(loop, 0);
  CHECK_EQ_INT(ncancel, 3);
  ev_timer_stop(loop, &guard);

  /* ev_loop_verify with many kinds of watchers active */
  {
    ev_timer ts[20];
    ev_io ios;
    ev_idle id2;
    ev_prepare pr;
    ev_check ck;
    ev_periodic pe;
    int i;
    for (i = 0; i < 20; i++) {
      ev_timer_init(&ts[i], timer_cb, 10. + i, 0.);
      ev_timer_start(loop, &ts[i]);
    }
    ev_io_init(&ios, io_cb, p[0], EV_READ);
    ev_io_start(loop, &ios);
    ev_idle_init(&id2, cancel_cb);
    ev_idle_start(loop, &id2);
    ev_prepare_init(&pr, (void (*)(struct ev_loop *, ev_prepare *, int))0);
    ev_prepare_start(loop, &pr);
    ev_check_init(&ck, (void (*)(struct ev_loop *, ev_check *, int))0);
    ev_check_start(loop, &ck);
    ev_periodic_init(&pe, 0, ev_now(loop) + 100., 0., 0);
    ev_periodic_start(loop, &pe);
    ev_loop_verify(loop);
    for (i = 0; i < 20; i += 2) ev_timer_stop(loop, &ts[i]);
    ev_loop_verify(loop);
    for (i = 1; i < 20; i += 2) ev_timer_stop(loop, &ts[i]);
    ev_io_stop(loop, &ios);
    ev_idle_stop(loop, &id2);
    ev_prepare_stop(loop, &pr);
    ev_check_stop(loop, &ck);
    ev_periodic_stop(loop, &pe);
    ev_loop_verify(loop);
  }
  ev_loop_destroy(loop);

  /* ev_default_fork in a forked child */
  dl = ev_default_loop(0);
  CHECK(dl != NULL);
  if (!dl) TEST_DONE();
  ev_fork_init(&fw, fork_cb);
  ev_fork_start(dl, &fw);
  ev_io_init(&io, io_cb, p[0], EV_READ);
  ev_io_start(dl, &io);
  ev_loop(dl, EVLOOP_NONBLOCK);
  nio = 0;
  fflush(NULL);
  pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    int i;
    alarm(3);
    ev_default_fork();
    if (write(p[1], "y", 1) != 1) _exit(10);
    for (i = 0; i < 50 && !(nfork && nio); i++) ev_loop(dl, EVLOOP_ONESHOT);
    _exit(nfork == 1 && nio == 1 && !bad_revents ? 0 : 11);
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  CHECK(WIFEXITED(status));
  CHECK_EQ_INT(WEXITSTATUS(status), 0);
  ev_loop(dl, EVLOOP_NONBLOCK);
  CHECK_EQ_INT(nfork, 0); /* not in the parent */
  ev_io_stop(dl, &io);
  ev_fork_stop(dl, &fw);

  /* ev_default_destroy */
  CHECK(ev_default_loop_uc_() == dl);
  CHECK(ev_is_default_loop(dl));
  ev_default_destroy();
  CHECK(ev_default_loop_uc_() == NULL);
  dl = ev_default_loop(0);
  CHECK(dl != NULL);
  if (!dl) TEST_DONE();
  CHECK(ev_default_loop_uc_() == dl);
  ntimer = 0;
  ev_timer_init(&t, timer_cb, 0.001, 0.);
  ev_timer_start(dl, &t);
  ev_loop(dl, 0);
  CHECK_EQ_INT(ntimer, 1);
  ev_default_destroy();
  CHECK(ev_default_loop_uc_() == NULL);
  /* without a default loop: creates one, then destroys it */
  ev_default_destroy();
  CHECK(ev_default_loop_uc_() == NULL);

  CHECK_EQ_INT(bad_revents, 0);
  TEST_DONE();
}
