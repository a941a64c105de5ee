/* ev_set_io_collect_interval / ev_set_timeout_collect_interval: behaviour
 * stays correct (timers still fire, not before their time; io events still
 * arrive), latency is bounded. */
#include <ev.h>
#include "testutil.h"

static double t0, t_fired[4];
static int nt;
static void tcb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w;
  CHECK_EQ_INT(revents, EV_TIMER);
  if (nt < 4) t_fired[nt] = ev_time() - t0;
  nt++;
}

static int nio, iorev;
static double t_io;
static void iocb(struct ev_loop *loop, ev_io *w, int revents)
{
  char buf[16];
  iorev = revents;
  nio++;
  t_io = ev_time() - t0;
  CHECK(read(w->fd, buf, sizeof buf) > 0);
  ev_io_stop(loop, w);
}

int main(void)
{
  struct ev_loop *loop;
  ev_timer t, t2;
  ev_io io;
  int p[2];
  double el;

  ALARM_GUARD(5);
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  CHECK_EQ_INT(pipe(p), 0);

  /* 1. timeout collect interval 30ms: a 10ms timer still fires, not early,
   *    and not much later than 10ms + 30ms */
  ev_set_timeout_collect_interval(loop, 0.03);
  ev_timer_init(&t, tcb, 0.01, 0.);
  ev_now_update(loop);
  t0 = ev_time();
  ev_timer_start(loop, &t);
  CHECK_EQ_INT(ev_run(loop, 0), 0);
  CHECK_EQ_INT(nt, 1);
  CHECK(t_fired[0] >= 0.009);
  CHECK(t_fired[0] < 0.5);

  /* two timers close together both fire, in order */
  nt = 0;
  ev_timer_init(&t, tcb, 0.005, 0.);
  ev_timer_init(&t2, tcb, 0.012, 0.);
  ev_now_update(loop);
  t0 = ev_time();
  ev_timer_start(loop, &t);
  ev_timer_start(loop, &t2);
  CHECK_EQ_INT(ev_run(loop, 0), 0);
  CHECK_EQ_INT(nt, 2);
  CHECK(t_fired[0] >= 0.004);
  CHECK(t_fired[1] >= 0.011);
  CHECK(t_fired[1] < 0.5);

  /* an io event arrives while timeout collection is on */
  ev_io_init(&io, iocb, p[0], EV_READ);
  ev_io_start(loop, &io);
  CHECK_EQ_INT((int)write(p[1], "x", 1), 1);
  t0 = ev_time();
  CHECK_EQ_INT(ev_run(loop, 0), 0);
  CHECK_EQ_INT(nio, 1);
  CHECK_EQ_INT(iorev, EV_READ);
  CHECK(t_io < 0.5);
  ev_set_timeout_collect_interval(loop, 0.);

  /* 2. io collect interval 20ms: io events still arrive (with EV_READ),
   *    timers still fire on time-ish */
  ev_set_io_collect_interval(loop, 0.02);
  nio = 0; iorev = 0; nt = 0;
  ev_io_start(loop, &io);
  CHECK_EQ_INT((int)write(p[1], "y", 1), 1);
  t0 = ev_time();
  ev_run(loop, 0);
  el = ev_time() - t0;
  CHECK_EQ_INT(nio, 1);
  CHECK_EQ_INT(iorev, EV_READ);
  CHECK(el < 0.5);

  /* io becoming ready while the loop is blocked */
  nio = 0;
  ev_io_start(loop, &io);
  ev_timer_init(&t, tcb, 0.03, 0.);
  ev_now_update(loop);
  t0 = ev_time();
  ev_timer_start(loop, &t);
  /* run once: nothing ready yet, the timer fires after ~30ms */
  while (nt == 0 && ev_time() - t0 < 1.)
    ev_run(loop, EVRUN_ONCE);
  CHECK_EQ_INT(nt, 1);
  CHECK(t_fired[0] >= 0.029);
  CHECK(t_fired[0] < 0.5);
  CHECK_EQ_INT(nio, 0);
  CHECK_EQ_INT((int)write(p[1], "z", 1), 1);
  t0 = ev_time();
  while (nio == 0 && ev_time() - t0 < 1.)
    ev_run(loop, EVRUN_ONCE);
  CHECK_EQ_INT(nio, 1);
  CHECK(t_io < 0.5);

  /* 3. both at once, then back to 0: normal behaviour */
  ev_set_io_collect_interval(loop, 0.01);
  ev_set_timeout_collect_interval(loop, 0.01);
  nt = 0; nio = 0;
  ev_io_start(loop, &io);
  ev_timer_init(&t, tcb, 0.005, 0.);
  ev_now_update(loop);
  t0 = ev_time();
  ev_timer_start(loop, &t);
  CHECK_EQ_INT((int)write(p[1], "w", 1), 1);
  CHECK_EQ_INT(ev_run(loop, 0), 0);
  CHECK_EQ_INT(nt, 1);
  CHECK_EQ_INT(nio, 1);
  CHECK(t_fired[0] >= 0.004);
  ev_set_io_collect_interval(loop, 0.);
  ev_set_timeout_collect_interval(loop, 0.);
  nt = 0;
  ev_timer_init(&t, tcb, 0.005, 0.);
  ev_now_update(loop);
  t0 = ev_time();
  ev_timer_start(loop, &t);
  CHECK_EQ_INT(ev_run(loop, 0), 0);
  CHECK_EQ_INT(nt, 1);
  CHECK(t_fired[0] >= 0.004);
  CHECK(t_fired[0] < 0.5);

  close(p[0]);
  close(p[1]);
  ev_loop_destroy(loop);
  TEST_DONE();
}
