/*
 * A pty and regular files on every backend.
 *
 * io_uring polls a regular file as "always ready", Linux AIO refuses it
 * (EINVAL) and epoll refuses it too (EPERM), so each backend takes a
 * different path - the result must be the same everywhere:
 *   - a regular file watched for EV_READ (and one for EV_WRITE) gets exactly
 *     one event per loop iteration, with exactly that revents;
 *   - a pty slave gets EV_READ when the master writes (and the master when
 *     the slave writes), with the right data, never before;
 *   - once the file watchers are stopped the loop blocks again (no spinning)
 *     and still wakes up for the pty.
 */
#define _GNU_SOURCE 1
#include <ev.h>
#include <fcntl.h>
#include <termios.h>
#include <time.h>
#include "testutil.h"

static int fr_calls, fw_calls, s_calls, m_calls, bad;
static char s_buf[64], m_buf[64];
static size_t s_len, m_len;
static int prep_calls;
static int break_on_slave;

static void
fr_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)loop; (void)w;
  fr_calls++;
  if (revents != EV_READ)
    {
      fprintf (stderr, "file read watcher: revents 0x%x\n", revents);
      bad++;
    }
}

static void
fw_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)loop; (void)w;
  fw_calls++;
  if (revents != EV_WRITE)
    {
      fprintf (stderr, "file write watcher: revents 0x%x\n", revents);
      bad++;
    }
}

static void
drain (int fd, char *buf, size_t *len, size_t cap)
{
  for (;;)
    {
      ssize_t n;
      if (*len >= cap - 1)
        break;
      n = read (fd, buf + *len, cap - 1 - *len);
      if (n <= 0)
        break;
      *len += (size_t)n;
    }
  buf[*len] = 0;
}

static void
s_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  s_calls++;
  if (revents != EV_READ)
    {
      fprintf (stderr, "pty slave watcher: revents 0x%x\n", revents);
      bad++;
    }
  drain (w->fd, s_buf, &s_len, sizeof s_buf);
  if (break_on_slave && s_len >= 5)
    ev_break (loop, EVBREAK_ONE);
}

static void
m_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)loop;
  m_calls++;
  if (revents != EV_READ)
    {
      fprintf (stderr, "pty master watcher: revents 0x%x\n", revents);
      bad++;
    }
  drain (w->fd, m_buf, &m_len, sizeof m_buf);
}

static void
prep_cb (struct ev_loop *loop, ev_prepare *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  prep_calls++;
}

static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break (loop, EVBREAK_ONE);
}

static double
now_mono (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* iterate with EVRUN_ONCE (never blocks while the file watchers are active)
 * until *len >= want or 1 s passed; the file watchers must fire exactly once
 * per iteration meanwhile */
static void
iterate_until (struct ev_loop *loop, size_t *len, size_t want, int files_active)
{
  double t0 = now_mono ();
  int i;
  for (i = 0; *len < want && now_mono () - t0 < 1.0; i++)
    {
      int fr0 = fr_calls, fw0 = fw_calls;
      ev_run (loop, EVRUN_ONCE);
      if (files_active && (fr_calls != fr0 + 1 || fw_calls != fw0 + 1))
        {
          fprintf (stderr, "iteration %d: file watchers fired %d/%d times (want 1/1)\n",
                   i, fr_calls - fr0, fw_calls - fw0);
          bad++;
          break;
        }
    }
}

int
main (void)
{
  struct ev_loop *loop;
  const char *tmpdir = getenv ("TMPDIR");
  char path[4096];
  int m, s, fr, fw, i;
  struct termios tio;
  ev_io frw, fww, sw, mw;
  ev_prepare prep;
  ev_timer t;

  ALARM_GUARD (10);

  m = posix_openpt (O_RDWR | O_NOCTTY);
  if (m < 0)
    SKIP ("posix_openpt failed (no ptys here)");
  if (grantpt (m) < 0 || unlockpt (m) < 0 || !ptsname (m))
    SKIP ("grantpt/unlockpt/ptsname failed");
  s = open (ptsname (m), O_RDWR | O_NOCTTY);
  if (s < 0)
    SKIP ("cannot open the pty slave");
  CHECK_EQ_INT (tcgetattr (s, &tio), 0);
  cfmakeraw (&tio);
  CHECK_EQ_INT (tcsetattr (s, TCSANOW, &tio), 0);
  fcntl (m, F_SETFL, O_NONBLOCK);
  fcntl (s, F_SETFL, O_NONBLOCK);

  snprintf (path, sizeof path, "%s/backend_tty_file.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  fw = mkstemp (path);
  CHECK (fw >= 0);
  if (fw < 0)
    TEST_DONE ();
  CHECK_EQ_INT (write (fw, "some content\n", 13), 13);
  fr = open (path, O_RDONLY);
  CHECK (fr >= 0);
  unlink (path);

  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();

  ev_io_init (&frw, fr_cb, fr, EV_READ);
  ev_io_init (&fww, fw_cb, fw, EV_WRITE);
  ev_io_init (&sw, s_cb, s, EV_READ);
  ev_io_init (&mw, m_cb, m, EV_READ);
  ev_prepare_init (&prep, prep_cb);
  ev_io_start (loop, &frw);
  ev_io_start (loop, &fww);
  ev_io_start (loop, &sw);
  ev_io_start (loop, &mw);
  ev_prepare_start (loop, &prep);

  /* 1: nothing written to the pty: only the files, once per iteration */
  for (i = 0; i < 20; i++)
    {
      ev_run (loop, EVRUN_ONCE);
      if (fr_calls != i + 1 || fw_calls != i + 1)
        {
          fprintf (stderr, "iteration %d: file read/write watchers fired %d/%d times in total (want %d)\n",
                   i, fr_calls, fw_calls, i + 1);
          bad++;
          break;
        }
    }
  CHECK_EQ_INT (s_calls, 0);
  CHECK_EQ_INT (m_calls, 0);

  /* 2: master -> slave while the file keeps the loop busy */
  CHECK_EQ_INT (write (m, "hello", 5), 5);
  iterate_until (loop, &s_len, 5, 1);
  CHECK_EQ_INT (s_len, 5);
  CHECK (!strcmp (s_buf, "hello"));
  CHECK (s_calls >= 1);
  CHECK_EQ_INT (m_calls, 0);

  /* 3: slave -> master */
  CHECK_EQ_INT (write (s, "world", 5), 5);
  iterate_until (loop, &m_len, 5, 1);
  CHECK_EQ_INT (m_len, 5);
  CHECK (!strcmp (m_buf, "world"));
  CHECK (m_calls >= 1);

  /* data fully consumed: no more pty events (level triggered, drained) */
  {
    int sc = s_calls, mc = m_calls;
    for (i = 0; i < 5; i++)
      ev_run (loop, EVRUN_ONCE);
    CHECK_EQ_INT (s_calls, sc);
    CHECK_EQ_INT (m_calls, mc);
  }

  /* 4: the file watchers stopped: the loop blocks again */
  ev_io_stop (loop, &frw);
  ev_io_stop (loop, &fww);
  fr_calls = fw_calls = 0;
  prep_calls = 0;
  ev_timer_init (&t, to_cb, 0.1, 0.);
  ev_timer_start (loop, &t);
  ev_run (loop, 0);
  if (prep_calls > 10)
    {
      fprintf (stderr, "loop spins after the file watchers were stopped: %d iterations in 0.1 s\n", prep_calls);
      bad++;
    }
  CHECK_EQ_INT (fr_calls, 0);
  CHECK_EQ_INT (fw_calls, 0);

  /* 5: ... and wakes up for the pty */
  s_len = 0;
  s_buf[0] = 0;
  break_on_slave = 1;
  prep_calls = 0;
  ev_timer_set (&t, 1.0, 0.);
  ev_timer_start (loop, &t);
  CHECK_EQ_INT (write (m, "again", 5), 5);
  ev_run (loop, 0);
  CHECK (ev_is_active (&t));   /* woke for the pty, not the safety timer */
  ev_timer_stop (loop, &t);
  CHECK_EQ_INT (s_len, 5);
  CHECK (!strcmp (s_buf, "again"));
  CHECK (prep_calls <= 10);

  /* 6: file watchers started again: ready at once */
  ev_io_start (loop, &frw);
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (fr_calls, 1);

  CHECK_EQ_INT (bad, 0);

  ev_io_stop (loop, &frw);
  ev_io_stop (loop, &sw);
  ev_io_stop (loop, &mw);
  ev_prepare_stop (loop, &prep);
  ev_loop_destroy (loop);
  close (fr); close (fw); close (s); close (m);
  TEST_DONE ();
}
