/* ev_set_allocator: a counting realloc-style allocator is used by
 * ev_loop_new / watchers / ev_loop_destroy, every block it hands out is
 * given back, replacing it stops its use, and an allocation failure aborts
 * with libev's message.
 *
 * Note: in libev 4.33 ev_set_allocator(0) does NOT restore the default
 * allocator (the next allocation calls a NULL pointer), so this test
 * restores "the default" by installing a plain realloc wrapper instead. */
#include <ev.h>
#include "testutil.h"

static long n_calls, n_alloc, n_free, n_grow, live;
static long max_size;

static void *counting(void *ptr, long size)
{
  n_calls++;
  if (size == 0) {
    if (ptr) { n_free++; live--; }
    free(ptr);
    return 0;
  }
  if (size > max_size) max_size = size;
  if (!ptr) { n_alloc++; live++; }
  else n_grow++;
  return realloc(ptr, (size_t)size);
}

static long n_plain;
static void *plain(void *ptr, long size)
{
  n_plain++;
  if (size) return realloc(ptr, (size_t)size);
  free(ptr);
  return 0;
}

static void *failing(void *ptr, long size)
{
  if (size) return 0;
  free(ptr);
  return 0;
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents) { (void)loop; (void)w; (void)revents; }
static void t_cb(struct ev_loop *loop, ev_timer *w, int revents) { (void)loop; (void)w; (void)revents; }

static void loop_new_with_failing_allocator(void)
{
  ev_set_allocator(failing);
  ev_loop_new(0);
}

static void watcher_start_with_failing_allocator(void)
{
  struct ev_loop *loop = ev_loop_new(0);
  ev_timer t[64];
  int i;
  ev_set_allocator(failing);
  /* growing the timer heap needs memory */
  for (i = 0; i < 64; i++) {
    ev_timer_init(&t[i], t_cb, 10. + i, 0.);
    ev_timer_start(loop, &t[i]);
  }
}

int main(void)
{
  struct ev_loop *loop;
  ev_io io[8];
  ev_timer tm[40];
  int fds[2][2];
  long before;
  int i;

  ALARM_GUARD(5);

  ev_set_allocator(counting);

  /* ev_loop_new allocates through the allocator */
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  CHECK(n_alloc >= 1);
  CHECK(live >= 1);
  CHECK(max_size >= 64); /* at least something loop-sized */

  /* starting watchers (fd table, timer heap) allocates more */
  CHECK_EQ_INT(pipe(fds[0]), 0);
  CHECK_EQ_INT(pipe(fds[1]), 0);
  before = n_calls;
  for (i = 0; i < 4; i++) {
    ev_io_init(&io[i], io_cb, fds[i / 2][i % 2], (i % 2) ? EV_WRITE : EV_READ);
    ev_io_start(loop, &io[i]);
  }
  for (i = 0; i < 40; i++) {
    ev_timer_init(&tm[i], t_cb, 10. + i, 0.);
    ev_timer_start(loop, &tm[i]);
  }
  ev_run(loop, EVRUN_NOWAIT);
  CHECK(n_calls > before);

  /* ev_loop_destroy gives everything back (with size 0 calls) */
  for (i = 0; i < 4; i++) ev_io_stop(loop, &io[i]);
  for (i = 0; i < 40; i++) ev_timer_stop(loop, &tm[i]);
  before = n_free;
  ev_loop_destroy(loop);
  CHECK(n_free > before);
  CHECK_EQ_INT(live, 0);
  CHECK_EQ_INT(n_alloc, n_free);

  /* a second loop: same story, also when destroyed with active watchers */
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (loop) {
    for (i = 0; i < 2; i++) {
      ev_io_init(&io[i], io_cb, fds[0][i], i ? EV_WRITE : EV_READ);
      ev_io_start(loop, &io[i]);
    }
    for (i = 0; i < 10; i++) {
      ev_timer_init(&tm[i], t_cb, 10. + i, 0.);
      ev_timer_start(loop, &tm[i]);
    }
    ev_run(loop, EVRUN_NOWAIT);
    CHECK(live >= 1);
    ev_loop_destroy(loop);
    CHECK_EQ_INT(live, 0);
  }

  /* replacing the allocator: the counting one is no longer called */
  ev_set_allocator(plain);
  before = n_calls;
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (loop) {
    for (i = 0; i < 4; i++) {
      ev_io_init(&io[i], io_cb, fds[i / 2][i % 2], (i % 2) ? EV_WRITE : EV_READ);
      ev_io_start(loop, &io[i]);
    }
    ev_run(loop, EVRUN_NOWAIT);
    ev_loop_destroy(loop);
  }
  CHECK_EQ_INT(n_calls, before);
  CHECK(n_plain >= 2);

  /* the default loop uses the allocator as well */
  ev_set_allocator(counting);
  n_calls = 0;
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (loop) {
    ev_io_init(&io[0], io_cb, fds[1][0], EV_READ);
    ev_io_start(loop, &io[0]);
    ev_run(loop, EVRUN_NOWAIT);
    ev_io_stop(loop, &io[0]);
    CHECK(n_calls >= 1);
  }
  ev_set_allocator(plain);

  /* allocation failure aborts with libev's message */
  expect_abort(loop_new_with_failing_allocator, "(libev) cannot allocate");
  expect_abort(watcher_start_with_failing_allocator, "(libev) cannot allocate");

  TEST_DONE();
}
