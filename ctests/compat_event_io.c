/* libev's libevent emulation (exported event_* functions), io and timeout
 * events on the base returned by event_init (the default loop):
 *  - event_set fills ev_fd/ev_events/ev_callback/ev_arg/ev_base, ev_pri 0,
 *    ev_res 0, ev_flags 0x80 (EVLIST_INIT) and leaves the watchers' data;
 *  - event_add (no timeout) of a read event: callback (fd, EV_READ, arg),
 *    ev_res = EV_READ, a non-persistent event is deleted before its
 *    callback (ev_flags back to 0x80, event_pending 0);
 *  - event_add with a timeout: no data -> callback with 0x100 (libev's
 *    EV_TIMEOUT = EV_TIMER); data first -> EV_READ and the timeout is gone;
 *  - EV_PERSIST: the io part stays (flags 0x8a), callbacks repeat, but a
 *    timeout still deletes the whole event;
 *  - event_pending returns the asked-for subset of pending kinds; for
 *    EV_TIMEOUT it writes the loop's current time (ev_now) into tv;
 *  - event_del returns 0 and resets ev_flags to 0x80;
 *  - write events; event_active invokes the callback once per kind;
 *  - event_del cancels a pending io event but not a timeout that is only
 *    pending (fed by event_active), since it stops the timer only when it
 *    is active. */
#include <ev.h>
#include <fcntl.h>
#include "testutil.h"
#include <event.h>

enum { MAXCB = 16 };
static int ncb, cb_fd[MAXCB], cb_ev[MAXCB];
static void *cb_arg[MAXCB];
static int cookie;

static void cb(int fd, short events, void *arg)
{
  if (ncb < MAXCB) {
    cb_fd[ncb] = fd;
    cb_ev[ncb] = events;
    cb_arg[ncb] = arg;
  }
  ncb++;
}

static struct event *self_del_ev;
static int res_in_cb = -1, flags_in_cb = -1;
static void peek_cb(int fd, short events, void *arg)
{
  res_in_cb = self_del_ev->ev_res;
  flags_in_cb = self_del_ev->ev_flags;
  cb(fd, events, arg);
}

static void drain_pipe(int fd)
{
  char buf[64];
  while (read(fd, buf, sizeof buf) > 0)
    ;
}

/* run single iterations until ncb reaches want (bounded) */
static void loop_until(int want)
{
  int i;
  for (i = 0; i < 100 && ncb < want; i++) event_loop(EVLOOP_ONESHOT);
}

int main(void)
{
  struct event_base *base;
  struct event e, w;
  struct timeval tv, ptv;
  int p[2];
  double now, got;

  ALARM_GUARD(5);
  CHECK_EQ_INT(sizeof(struct event), 144);
  base = event_init();
  CHECK(base != NULL);
  if (!base) TEST_DONE();
  CHECK((void *)base == (void *)ev_default_loop_uc_());
  if (pipe(p) < 0) { perror("pipe"); return 1; }
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  fcntl(p[1], F_SETFL, O_NONBLOCK);

  /* event_set */
  memset(&e, 0xee, sizeof e);
  event_set(&e, p[0], EV_READ, peek_cb, &cookie);
  self_del_ev = &e;
  CHECK_EQ_INT(e.ev_fd, p[0]);
  CHECK_EQ_INT(e.ev_events, EV_READ);
  CHECK(e.ev_callback == peek_cb);
  CHECK(e.ev_arg == &cookie);
  CHECK(e.ev_base == base);
  CHECK_EQ_INT(e.ev_pri, 0);
  CHECK_EQ_INT(e.ev_res, 0);
  CHECK_EQ_INT(e.ev_flags, EVLIST_INIT);
  CHECK(event_initialized(&e));
  CHECK_EQ_INT(EVENT_FD(&e), p[0]);
  CHECK(event_get_callback(&e) == peek_cb);
  CHECK(!ev_is_active(&e.iosig.io) && !ev_is_pending(&e.iosig.io));
  CHECK(!ev_is_active(&e.to) && !ev_is_pending(&e.to));
  CHECK(e.iosig.io.data == (void *)0xeeeeeeeeeeeeeeeeUL); /* data untouched */
  CHECK_EQ_INT(event_pending(&e, EV_READ | EV_WRITE | EV_TIMEOUT, NULL), 0);

  /* 1. read event without timeout, not persistent */
  CHECK_EQ_INT(event_add(&e, NULL), 0);
  CHECK_EQ_INT(e.ev_flags, EVLIST_INIT | EVLIST_INSERTED | EVLIST_ACTIVE);
  CHECK(ev_is_active(&e.iosig.io));
  CHECK_EQ_INT(e.iosig.io.fd, p[0]);
  CHECK_EQ_INT(event_pending(&e, EV_READ | EV_WRITE | EV_TIMEOUT, NULL), EV_READ);
  CHECK_EQ_INT(event_pending(&e, EV_WRITE, NULL), 0);
  if (write(p[1], "a", 1) != 1) perror("write");
  loop_until(1);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_fd[0], p[0]);
  CHECK_EQ_INT(cb_ev[0], EV_READ);
  CHECK(cb_arg[0] == &cookie);
  CHECK_EQ_INT(res_in_cb, EV_READ);
  CHECK_EQ_INT(flags_in_cb, EVLIST_INIT); /* deleted before the callback */
  CHECK_EQ_INT(e.ev_res, EV_READ);
  CHECK_EQ_INT(e.ev_flags, EVLIST_INIT);
  CHECK_EQ_INT(event_pending(&e, EV_READ | EV_WRITE | EV_TIMEOUT, NULL), 0);
  event_loop(EVLOOP_NONBLOCK); /* still readable, but deleted: no call */
  CHECK_EQ_INT(ncb, 1);
  drain_pipe(p[0]);

  /* 2. read event with timeout, no data: timeout (0x100) */
  ncb = 0;
  event_set(&e, p[0], EV_READ, cb, &cookie);
  tv.tv_sec = 0; tv.tv_usec = 20000;
  CHECK_EQ_INT(event_add(&e, &tv), 0);
  CHECK_EQ_INT(e.ev_flags, EVLIST_INIT | EVLIST_TIMEOUT | EVLIST_INSERTED | EVLIST_ACTIVE);
  CHECK_NEAR(e.to.repeat, 0.02, 1e-9);
  CHECK(ev_is_active(&e.to));
  memset(&ptv, 0, sizeof ptv);
  CHECK_EQ_INT(event_pending(&e, EV_READ | EV_WRITE | EV_TIMEOUT, &ptv), EV_READ | EV_TIMEOUT);
  /* libev writes the current loop time, not the expiry time */
  now = ev_now(ev_default_loop_uc_());
  got = ptv.tv_sec + ptv.tv_usec * 1e-6;
  CHECK_NEAR(got, now, 2e-6);
  CHECK_EQ_INT(event_pending(&e, EV_TIMEOUT, NULL), EV_TIMEOUT);
  loop_until(1);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_ev[0], 0x100);
  CHECK_EQ_INT(cb_ev[0], EV_TIMEOUT);
  CHECK_EQ_INT(cb_fd[0], p[0]);
  CHECK_EQ_INT(e.ev_res, 0x100);
  CHECK_EQ_INT(e.ev_flags, EVLIST_INIT);
  CHECK(!ev_is_active(&e.iosig.io) && !ev_is_active(&e.to));

  /* 3. read event with timeout, data first: EV_READ, timeout cancelled */
  ncb = 0;
  tv.tv_sec = 0; tv.tv_usec = 300000;
  event_add(&e, &tv);
  if (write(p[1], "b", 1) != 1) perror("write");
  loop_until(1);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_ev[0], EV_READ);
  CHECK(!ev_is_active(&e.to));
  CHECK_EQ_INT(e.ev_flags, EVLIST_INIT);
  drain_pipe(p[0]);

  /* 4. EV_PERSIST: stays added, fires again */
  ncb = 0;
  event_set(&e, p[0], EV_READ | EV_PERSIST, cb, NULL);
  event_add(&e, NULL);
  CHECK_EQ_INT(e.ev_flags, EVLIST_INIT | EVLIST_INSERTED | EVLIST_ACTIVE);
  if (write(p[1], "c", 1) != 1) perror("write");
  loop_until(1);
  drain_pipe(p[0]);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(e.ev_flags, EVLIST_INIT | EVLIST_INSERTED | EVLIST_ACTIVE);
  CHECK_EQ_INT(event_pending(&e, EV_READ, NULL), EV_READ);
  if (write(p[1], "d", 1) != 1) perror("write");
  loop_until(2);
  drain_pipe(p[0]);
  CHECK_EQ_INT(ncb, 2);
  CHECK_EQ_INT(cb_ev[1], EV_READ);
  CHECK(cb_arg[1] == NULL);
  /* adding again while added changes nothing */
  CHECK_EQ_INT(event_add(&e, NULL), 0);
  CHECK(ev_is_active(&e.iosig.io));
  /* persistent + timeout: the timeout deletes the whole event */
  ncb = 0;
  tv.tv_sec = 0; tv.tv_usec = 15000;
  event_add(&e, &tv);
  loop_until(1);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_ev[0], EV_TIMEOUT);
  CHECK_EQ_INT(e.ev_flags, EVLIST_INIT);
  CHECK(!ev_is_active(&e.iosig.io));
  CHECK_EQ_INT(event_pending(&e, EV_READ | EV_TIMEOUT, NULL), 0);

  /* 5. event_del */
  event_add(&e, NULL);
  CHECK_EQ_INT(event_del(&e), 0);
  CHECK_EQ_INT(e.ev_flags, EVLIST_INIT);
  CHECK(!ev_is_active(&e.iosig.io));
  CHECK_EQ_INT(event_del(&e), 0); /* twice is fine */
  ncb = 0;
  if (write(p[1], "e", 1) != 1) perror("write");
  event_loop(EVLOOP_NONBLOCK);
  CHECK_EQ_INT(ncb, 0);
  drain_pipe(p[0]);

  /* an event set up with EV_TIMEOUT in its events is reported as having
   * a pending timeout even before it is added */
  event_set(&e, p[0], EV_READ | EV_TIMEOUT, cb, NULL);
  CHECK_EQ_INT(event_pending(&e, EV_READ | EV_TIMEOUT, NULL), EV_TIMEOUT);

  /* 6. write event */
  ncb = 0;
  event_set(&w, p[1], EV_WRITE, cb, &w);
  event_add(&w, NULL);
  loop_until(1);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_fd[0], p[1]);
  CHECK_EQ_INT(cb_ev[0], EV_WRITE);
  CHECK(cb_arg[0] == &w);

  /* 7. event_active: one callback per kind, with that kind */
  ncb = 0;
  event_set(&e, p[0], EV_READ, cb, NULL);
  event_active(&e, EV_WRITE | EV_TIMEOUT, 1);
  event_loop(EVLOOP_NONBLOCK);
  CHECK_EQ_INT(ncb, 2);
  CHECK((cb_ev[0] == EV_WRITE && cb_ev[1] == EV_TIMEOUT) ||
        (cb_ev[0] == EV_TIMEOUT && cb_ev[1] == EV_WRITE));
  /* event_del only stops a timeout that is active: one that was merely
   * made pending by event_active still runs (above: the io trampoline
   * deletes the non-persistent event, the fed timeout is invoked anyway) */
  ncb = 0;
  event_active(&e, EV_TIMEOUT, 1);
  CHECK_EQ_INT(event_del(&e), 0);
  event_loop(EVLOOP_NONBLOCK);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_ev[0], EV_TIMEOUT);
  /* while event_del does cancel a pending io event */
  ncb = 0;
  event_active(&e, EV_READ, 1);
  CHECK_EQ_INT(event_del(&e), 0);
  event_loop(EVLOOP_NONBLOCK);
  CHECK_EQ_INT(ncb, 0);

  ncb = 0;
  event_active(&e, EV_READ, 1);
  event_loop(EVLOOP_NONBLOCK);
  CHECK_EQ_INT(ncb, 1);
  CHECK_EQ_INT(cb_ev[0], EV_READ);
  CHECK_EQ_INT(e.ev_res, EV_READ);

  TEST_DONE();
}
