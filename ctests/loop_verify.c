/* ev_verify on busy loops (many watchers of all kinds, in callbacks, after
 * starts/stops/priority changes) never aborts, and the loop keeps working. */
#include <ev.h>
#include "testutil.h"

#define NT 64
#define NIO 8

static ev_timer timers[NT];
static ev_io ios[NIO];
static int pipes[NIO / 2][2];
static int n_timer, n_io, n_idle, n_prep, n_check, n_async, n_per, n_sig, n_child;

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)revents;
  n_timer++;
  ev_verify(loop);
  /* reshuffle the heap from within a callback */
  if (n_timer % 3 == 0) {
    ev_timer_stop(loop, w);
    ev_timer_set(w, 0.001 * (n_timer % 7), 0.);
    ev_timer_start(loop, w);
  }
  ev_verify(loop);
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
  char buf[64];
  (void)revents;
  n_io++;
  if (revents & EV_READ) {
    if (read(w->fd, buf, sizeof buf) < 0) { /* ignore */ }
  }
  ev_verify(loop);
  ev_io_stop(loop, w);
  ev_verify(loop);
}

static void idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  (void)revents;
  n_idle++;
  ev_verify(loop);
  if (n_idle >= 10) ev_idle_stop(loop, w);
}

static void prep_cb(struct ev_loop *loop, ev_prepare *w, int revents) { (void)w; (void)revents; n_prep++; ev_verify(loop); }
static void check_cb(struct ev_loop *loop, ev_check *w, int revents) { (void)w; (void)revents; n_check++; ev_verify(loop); }
static void async_cb(struct ev_loop *loop, ev_async *w, int revents) { (void)w; (void)revents; n_async++; ev_verify(loop); }
static void per_cb(struct ev_loop *loop, ev_periodic *w, int revents) { (void)revents; n_per++; ev_verify(loop); ev_periodic_stop(loop, w); }
static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents) { (void)w; (void)revents; n_sig++; ev_verify(loop); }
static void child_cb(struct ev_loop *loop, ev_child *w, int revents) { (void)revents; n_child++; ev_verify(loop); ev_child_stop(loop, w); }

/* polls every 10ms (after the first 30ms) until everything expected has
 * happened, so a slow machine only makes the test take longer */
static int n_done, want_child, n_polls;
static void done_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_verify(loop);
  n_polls++;
  if (n_polls < 300 &&
      (n_io < NIO || n_async < 1 || n_per < 1 || n_idle < 10 ||
       (want_child && (n_sig < 1 || n_child < 1))))
    return;
  n_done++;
  ev_break(loop, EVBREAK_ALL);
}

static void exercise(struct ev_loop *loop, int with_child)
{
  ev_idle idles[3];
  ev_prepare prep;
  ev_check chk;
  ev_async as;
  ev_periodic per;
  ev_signal sig;
  ev_child child;
  ev_timer done;
  int i;

  n_timer = n_io = n_idle = n_prep = n_check = n_async = n_per = n_sig = n_child = n_done = 0;
  n_polls = 0;
  want_child = with_child;

  ev_verify(loop); /* empty loop */

  for (i = 0; i < NT; i++) {
    ev_timer_init(&timers[i], timer_cb, 0.001 * (i % 13), (i % 4 == 0) ? 0.002 : 0.);
    ev_set_priority(&timers[i], (i % 5) - 2);
    ev_timer_start(loop, &timers[i]);
    if (i % 9 == 0) ev_verify(loop);
  }
  /* stop some in the middle of the heap */
  for (i = 0; i < NT; i += 7) ev_timer_stop(loop, &timers[i]);
  ev_verify(loop);
  for (i = 0; i < NT; i += 14) ev_timer_start(loop, &timers[i]);
  ev_verify(loop);

  for (i = 0; i < NIO / 2; i++) CHECK_EQ_INT(pipe(pipes[i]), 0);
  for (i = 0; i < NIO; i++) {
    int fd = pipes[i / 2][i % 2];
    ev_io_init(&ios[i], io_cb, fd, (i % 2) ? EV_WRITE : EV_READ);
    ev_io_start(loop, &ios[i]);
  }
  for (i = 0; i < NIO / 2; i++) CHECK_EQ_INT((int)write(pipes[i][1], "x", 1), 1);
  ev_verify(loop);

  for (i = 0; i < 3; i++) {
    ev_idle_init(&idles[i], idle_cb);
    ev_set_priority(&idles[i], i - 1);
    ev_idle_start(loop, &idles[i]);
  }
  ev_prepare_init(&prep, prep_cb);
  ev_prepare_start(loop, &prep);
  ev_check_init(&chk, check_cb);
  ev_check_start(loop, &chk);
  ev_async_init(&as, async_cb);
  ev_async_start(loop, &as);
  ev_async_send(loop, &as);
  ev_periodic_init(&per, per_cb, ev_now(loop) + 0.003, 0., 0);
  ev_periodic_start(loop, &per);
  if (with_child) {
    pid_t pid;
    ev_signal_init(&sig, sig_cb, SIGUSR1);
    ev_signal_start(loop, &sig);
    fflush(NULL);
    pid = fork();
    if (pid == 0) _exit(0);
    ev_child_init(&child, child_cb, pid, 0);
    ev_child_start(loop, &child);
    raise(SIGUSR1);
  }
  ev_timer_init(&done, done_cb, 0.03, 0.01);
  ev_timer_start(loop, &done);
  ev_feed_event(loop, &timers[1], EV_CUSTOM);
  ev_verify(loop);

  ev_run(loop, 0);
  ev_verify(loop);

  CHECK_EQ_INT(n_done, 1);
  CHECK(n_timer >= NT / 2);
  CHECK_EQ_INT(n_io, NIO);
  CHECK(n_idle >= 10);
  CHECK(n_prep >= 1);
  CHECK(n_check >= 1);
  CHECK_EQ_INT(n_async, 1);
  CHECK_EQ_INT(n_per, 1);
  if (with_child) {
    CHECK_EQ_INT(n_sig, 1);
    CHECK_EQ_INT(n_child, 1);
    ev_signal_stop(loop, &sig);
  }

  /* tear down, verifying along the way */
  for (i = 0; i < NT; i++) {
    ev_timer_stop(loop, &timers[i]);
    if (i % 11 == 0) ev_verify(loop);
  }
  for (i = 0; i < 3; i++) ev_idle_stop(loop, &idles[i]);
  ev_prepare_stop(loop, &prep);
  ev_check_stop(loop, &chk);
  ev_async_stop(loop, &as);
  ev_timer_stop(loop, &done);
  ev_verify(loop);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);
  for (i = 0; i < NIO / 2; i++) { close(pipes[i][0]); close(pipes[i][1]); }
  ev_verify(loop);
}

int main(void)
{
  struct ev_loop *loop;

  ALARM_GUARD(5);

  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (loop) {
    exercise(loop, 0);
    ev_loop_destroy(loop);
  }

  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (loop) exercise(loop, 1);

  TEST_DONE();
}
