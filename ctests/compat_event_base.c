/* libev's libevent emulation, the rest of the API:
 *  - event_get_version() "4.33", event_get_method() and
 *    event_base_get_method() "libev";
 *  - event_init() returns the default loop the first time, a new loop
 *    after that (which becomes the base of later event_set calls);
 *    event_base_new() is a new loop that does not become current;
 *    event_base_set() rebinds an event; event_base_free() leaves the
 *    default loop alone;
 *  - event_priority_set writes ev_pri (returns 0, any value),
 *    event_priority_init / event_base_priority_init return 0;
 *  - evtimer with a zero timeval fires (repeat stored as 1e-6);
 *  - event_once / event_base_once: timeout (fd -1, 0x100) and read;
 *  - event_loopexit / event_base_loopexit end the dispatch after the
 *    given time (NULL: at once);
 *  - event_base_loop & co return 1 when no events are left, 0 when the
 *    loop was left with events still active;
 *  - signal events (EV_SIGNAL = 0x400) stay added after firing even
 *    without EV_PERSIST; the callback gets the signal number. */
#include <ev.h>
#include <fcntl.h>
#include "testutil.h"
#include <event.h>

enum { MAXCB = 16 };
static int ncb, cb_fd[MAXCB], cb_ev[MAXCB];
static void *cb_arg[MAXCB];

static void cb(int fd, short events, void *arg)
{
  if (ncb < MAXCB) {
    cb_fd[ncb] = fd;
    cb_ev[ncb] = events;
    cb_arg[ncb] = arg;
  }
  ncb++;
}

int main(void)
{
  struct event_base *def, *nb, *second;
  struct event e, te, se, pe;
  struct timeval tv;
  int p[2], r, cookie = 0;
  double t0, el;

  ALARM_GUARD(5);
  CHECK(strcmp(event_get_version(), "4.33") == 0);
  CHECK(strcmp(event_get_method(), "libev") == 0);

  def = event_init();
  CHECK(def != NULL);
  if (!def) TEST_DONE();
  CHECK((void *)def == (void *)ev_default_loop_uc_());
  CHECK(strcmp(event_base_get_method(def), "libev") == 0);
  if (pipe(p) < 0) { perror("pipe"); return 1; }
  fcntl(p[0], F_SETFL, O_NONBLOCK);

  /* priorities: stored, not used */
  CHECK_EQ_INT(event_priority_init(4), 0);
  CHECK_EQ_INT(event_base_priority_init(def, 4), 0);
  event_set(&e, p[0], EV_READ, cb, NULL);
  CHECK_EQ_INT(event_priority_set(&e, 3), 0);
  CHECK_EQ_INT(e.ev_pri, 3);
  CHECK_EQ_INT(event_priority_set(&e, -7), 0);
  CHECK_EQ_INT(e.ev_pri, -7);
  CHECK_EQ_INT(event_priority_set(&e, 0), 0);
  CHECK_EQ_INT(e.ev_pri, 0);

  /* event_base_loop return value: nothing active -> 1 */
  CHECK_EQ_INT(event_base_loop(def, 0), 1);
  CHECK_EQ_INT(event_loop(EVLOOP_NONBLOCK), 1);
  CHECK_EQ_INT(event_dispatch(), 1);

  /* evtimer with zero timeout */
  evtimer_set(&te, cb, &cookie);
  CHECK_EQ_INT(te.ev_fd, -1);
  CHECK_EQ_INT(te.ev_events, 0);
  tv.tv_sec = 0; tv.tv_usec = 0;
  CHECK_EQ_INT(evtimer_add(&te, &tv), 0);
  CHECK(te.to.repeat == 1e-6);
  CHECK_EQ_INT(te.ev_flags, EVLIST_INIT | EVLIST_TIMEOUT | EVLIST_ACTIVE);
  CHECK_EQ_INT(evtimer_pending(&te, NULL), EV_TIMEOUT);
  r = event_dispatch();
  CHECK_EQ_INT(r, 1); /* returned because nothing is left */
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_fd[0], -1);
  CHECK_EQ_INT(cb_ev[0], 0x100);
  CHECK(cb_arg[0] == &cookie);
  CHECK_EQ_INT(te.ev_flags, EVLIST_INIT);

  /* event_once: timeout */
  ncb = 0;
  tv.tv_sec = 0; tv.tv_usec = 10000;
  CHECK_EQ_INT(event_once(-1, EV_TIMEOUT, cb, &cookie, &tv), 0);
  CHECK_EQ_INT(event_dispatch(), 1);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_fd[0], -1);
  CHECK_EQ_INT(cb_ev[0], EV_TIMEOUT);
  CHECK(cb_arg[0] == &cookie);
  /* event_once: read, no timeout */
  ncb = 0;
  CHECK_EQ_INT(event_once(p[0], EV_READ, cb, NULL, NULL), 0);
  if (write(p[1], "x", 1) != 1) perror("write");
  CHECK_EQ_INT(event_dispatch(), 1);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_fd[0], p[0]);
  CHECK_EQ_INT(cb_ev[0], EV_READ);
  { char c; while (read(p[0], &c, 1) > 0) ; }

  /* event_loopexit with a persistent event active: leaves after ~30 ms,
   * returns 0 (events remain) */
  ncb = 0;
  event_set(&pe, p[0], EV_READ | EV_PERSIST, cb, NULL);
  event_add(&pe, NULL);
  tv.tv_sec = 0; tv.tv_usec = 30000;
  CHECK_EQ_INT(event_loopexit(&tv), 0);
  t0 = ev_time();
  r = event_dispatch();
  el = ev_time() - t0;
  CHECK_EQ_INT(r, 0);
  CHECK(el >= 0.02 && el < 0.5);
  CHECK_EQ_INT(ncb, 0);
  /* loopexit(NULL): at once */
  CHECK_EQ_INT(event_loopexit(NULL), 0);
  t0 = ev_time();
  r = event_dispatch();
  CHECK_EQ_INT(r, 0);
  CHECK(ev_time() - t0 < 0.2);
  event_del(&pe);

  /* signal events persist without EV_PERSIST */
  ncb = 0;
  event_set(&se, SIGUSR1, EV_SIGNAL, cb, &se);
  CHECK_EQ_INT(EVENT_SIGNAL(&se), SIGUSR1);
  CHECK_EQ_INT(event_add(&se, NULL), 0);
  CHECK_EQ_INT(se.ev_flags, EVLIST_INIT | EVLIST_SIGNAL | EVLIST_ACTIVE);
  CHECK(ev_is_active(&se.iosig.sig));
  CHECK_EQ_INT(signal_pending(&se, NULL), EV_SIGNAL);
  raise(SIGUSR1);
  event_loop(EVLOOP_NONBLOCK);
  if (!ncb) event_loop(EVLOOP_NONBLOCK);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_fd[0], SIGUSR1);
  CHECK_EQ_INT(cb_ev[0], EV_SIGNAL);
  CHECK_EQ_INT(cb_ev[0], 0x400);
  CHECK(cb_arg[0] == &se);
  CHECK_EQ_INT(se.ev_res, EV_SIGNAL);
  CHECK_EQ_INT(se.ev_flags, EVLIST_INIT | EVLIST_SIGNAL | EVLIST_ACTIVE);
  CHECK_EQ_INT(signal_pending(&se, NULL), EV_SIGNAL);
  raise(SIGUSR1);
  event_loop(EVLOOP_NONBLOCK);
  if (ncb < 2) event_loop(EVLOOP_NONBLOCK);
  CHECK_EQ_INT(ncb, 2);
  CHECK_EQ_INT(signal_del(&se), 0);
  CHECK_EQ_INT(se.ev_flags, EVLIST_INIT);
  CHECK(!ev_is_active(&se.iosig.sig));

  /* event_base_new: a separate loop, not current */
  nb = event_base_new();
  CHECK(nb != NULL);
  if (!nb) TEST_DONE();
  CHECK(nb != def);
  CHECK(strcmp(event_base_get_method(nb), "libev") == 0);
  evtimer_set(&te, cb, NULL);
  CHECK(te.ev_base == def);
  CHECK_EQ_INT(event_base_set(nb, &te), 0);
  CHECK(te.ev_base == nb);
  ncb = 0;
  tv.tv_sec = 0; tv.tv_usec = 5000;
  evtimer_add(&te, &tv);
  CHECK(ev_is_active(&te.to));
  CHECK_EQ_INT(event_loop(EVLOOP_NONBLOCK), 1); /* the default loop has nothing */
  CHECK_EQ_INT(ncb, 0);
  CHECK_EQ_INT(event_base_dispatch(nb), 1);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_ev[0], EV_TIMEOUT);
  /* event_base_once + event_base_loopexit on that base */
  ncb = 0;
  tv.tv_sec = 0; tv.tv_usec = 5000;
  CHECK_EQ_INT(event_base_once(nb, -1, EV_TIMEOUT, cb, NULL, &tv), 0);
  CHECK_EQ_INT(event_base_loop(nb, 0), 1);
  CHECK_EQ_INT(ncb, 1);
  event_set(&pe, p[0], EV_READ | EV_PERSIST, cb, NULL);
  event_base_set(nb, &pe);
  event_add(&pe, NULL);
  tv.tv_sec = 0; tv.tv_usec = 10000;
  CHECK_EQ_INT(event_base_loopexit(nb, &tv), 0);
  t0 = ev_time();
  CHECK_EQ_INT(event_base_loop(nb, 0), 0);
  CHECK(ev_time() - t0 < 0.5);
  event_del(&pe);
  event_base_free(nb);

  /* event_base_free on the default loop does not destroy it */
  event_base_free(def);
  CHECK((void *)ev_default_loop_uc_() == (void *)def);
  CHECK_EQ_INT(event_loop(EVLOOP_NONBLOCK), 1);

  /* a second event_init: a new loop, and the base for event_set */
  second = event_init();
  CHECK(second != NULL);
  CHECK(second != def);
  CHECK((void *)ev_default_loop_uc_() == (void *)def);
  event_set(&e, -1, 0, cb, NULL);
  CHECK(e.ev_base == second);
  ncb = 0;
  tv.tv_sec = 0; tv.tv_usec = 1000;
  evtimer_add(&e, &tv);
  CHECK_EQ_INT(event_base_loop(def, EVLOOP_NONBLOCK), 1);
  CHECK_EQ_INT(ncb, 0);
  CHECK_EQ_INT(event_dispatch(), 1); /* event_dispatch runs the current base */
  CHECK_EQ_INT(ncb, 1);
  event_base_free(second);

  TEST_DONE();
}
