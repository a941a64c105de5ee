/*
 * libev's libevent emulation used through its header, event.h (the other
 * compat_event_* tests declare the functions themselves):
 *  - event.h alone is enough (it includes ev.h), the struct event layout is
 *    libev's (144 bytes; offsets of layout.tsv), the macro values are
 *    libev's: EVLIST_*, EV_PERSIST, EV_ET, EV_TIMEOUT == EV_TIMER,
 *    EVLOOP_ONCE / EVLOOP_NONBLOCK, _EVENT_LOG_*;
 *  - a libevent-1.4 style program built from the convenience macros:
 *    event_initialized, EVENT_FD, EVENT_SIGNAL, evtimer_set/add/pending/del,
 *    timeout_set/add/pending/del/initialized, signal_set/add/pending/del
 *    (signal events persist), a persistent read event (EV_PERSIST | EV_ET)
 *    driven by event_loop (EVLOOP_ONCE) and event_loop (EVLOOP_NONBLOCK),
 *    and the EVLIST_* bits of ev_flags while added;
 *  - an explicit base (event_base_new + event_base_set + event_base_loop,
 *    event_base_dispatch) independent of the current one.
 */
#include <event.h>
#include <stddef.h>
#include <sys/socket.h>
#include "testutil.h"

/* layout and constants, checked at compile time */
_Static_assert (sizeof (struct event) == 144, "struct event is 144 bytes");
_Static_assert (offsetof (struct event, to) == 48, "to");
_Static_assert (offsetof (struct event, ev_base) == 96, "ev_base");
_Static_assert (offsetof (struct event, ev_callback) == 104, "ev_callback");
_Static_assert (offsetof (struct event, ev_arg) == 112, "ev_arg");
_Static_assert (offsetof (struct event, ev_fd) == 120, "ev_fd");
_Static_assert (offsetof (struct event, ev_pri) == 124, "ev_pri");
_Static_assert (offsetof (struct event, ev_res) == 128, "ev_res");
_Static_assert (offsetof (struct event, ev_flags) == 132, "ev_flags");
_Static_assert (offsetof (struct event, ev_events) == 136, "ev_events");
_Static_assert (EVLIST_TIMEOUT == 0x01 && EVLIST_INSERTED == 0x02 && EVLIST_SIGNAL == 0x04
                && EVLIST_ACTIVE == 0x08 && EVLIST_INTERNAL == 0x10 && EVLIST_INIT == 0x80, "EVLIST_*");
_Static_assert (EV_PERSIST == 0x10 && EV_ET == 0x20, "EV_PERSIST, EV_ET");
_Static_assert (EV_TIMEOUT == EV_TIMER && EV_TIMEOUT == 0x100 && EV_SIGNAL == 0x400
                && EV_READ == 1 && EV_WRITE == 2, "event kinds");
_Static_assert (EVLOOP_ONCE == EVRUN_ONCE && EVLOOP_NONBLOCK == EVRUN_NOWAIT, "loop flags");
_Static_assert (_EVENT_LOG_DEBUG == 0 && _EVENT_LOG_MSG == 1 && _EVENT_LOG_WARN == 2
                && _EVENT_LOG_ERR == 3, "log severities");

#define MAXREC 32
static int nrec, rec_fd[MAXREC], rec_ev[MAXREC];
static void *rec_arg[MAXREC];

static void
record (int fd, short events, void *arg)
{
  if (nrec < MAXREC)
    {
      rec_fd[nrec] = fd;
      rec_ev[nrec] = events;
      rec_arg[nrec] = arg;
    }
  nrec++;
}

static int reads;
static void
read_cb (int fd, short events, void *arg)
{
  char buf[64];
  record (fd, events, arg);
  if (events & EV_READ)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n > 0)
        reads += (int) n;
    }
}

int
main (void)
{
  struct event rd, tm, to, sg, other;
  struct timeval tv;
  struct event_base *base, *own;
  int sv[2], tag = 0;

  ALARM_GUARD (10);
  base = (struct event_base *) event_init ();
  CHECK (base != 0);
  CHECK (!strcmp (event_get_version (), "4.33"));
  CHECK (!strcmp (event_get_method (), "libev"));

  /* ---- a persistent read event ---- */
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  memset (&rd, 0, sizeof rd);
  CHECK (!event_initialized (&rd));
  event_set (&rd, sv[0], EV_READ | EV_PERSIST | EV_ET, read_cb, &tag);
  CHECK (event_initialized (&rd));
  CHECK_EQ_INT (EVENT_FD (&rd), sv[0]);
  CHECK (rd.ev_base == base);
  CHECK (event_get_callback (&rd) == read_cb);
  CHECK_EQ_INT (rd.ev_flags, EVLIST_INIT);
  CHECK_EQ_INT (event_add (&rd, NULL), 0);
  CHECK_EQ_INT (rd.ev_flags, EVLIST_INIT | EVLIST_INSERTED | EVLIST_ACTIVE);
  CHECK (event_pending (&rd, EV_READ, NULL) & EV_READ);

  CHECK_EQ_INT (write (sv[1], "abc", 3), 3);
  CHECK_EQ_INT (event_loop (EVLOOP_ONCE), 0);       /* events remain: 0 */
  CHECK_EQ_INT (nrec, 1);
  CHECK_EQ_INT (rec_fd[0], sv[0]);
  CHECK_EQ_INT (rec_ev[0], EV_READ);
  CHECK (rec_arg[0] == &tag);
  CHECK_EQ_INT (rd.ev_res, EV_READ);
  CHECK_EQ_INT (reads, 3);
  /* persistent: still added; a second chunk arrives the same way */
  CHECK_EQ_INT (rd.ev_flags & (EVLIST_INSERTED | EVLIST_ACTIVE), EVLIST_INSERTED | EVLIST_ACTIVE);
  CHECK_EQ_INT (write (sv[1], "de", 2), 2);
  event_loop (EVLOOP_ONCE);
  CHECK_EQ_INT (nrec, 2);
  CHECK_EQ_INT (reads, 5);
  /* nothing ready: a non-blocking iteration calls nothing */
  CHECK_EQ_INT (event_loop (EVLOOP_NONBLOCK), 0);
  CHECK_EQ_INT (nrec, 2);

  /* ---- evtimer_* ---- */
  evtimer_set (&tm, record, &tm);
  CHECK (evtimer_initialized (&tm));
  CHECK_EQ_INT (EVENT_FD (&tm), -1);
  CHECK_EQ_INT (tm.ev_events, 0);
  tv.tv_sec = 0;
  tv.tv_usec = 10000;
  CHECK_EQ_INT (evtimer_add (&tm, &tv), 0);
  CHECK_EQ_INT (tm.ev_flags & (EVLIST_TIMEOUT | EVLIST_ACTIVE), EVLIST_TIMEOUT | EVLIST_ACTIVE);
  CHECK (evtimer_pending (&tm, NULL) & EV_TIMEOUT);
  nrec = 0;
  event_loop (EVLOOP_ONCE);
  CHECK_EQ_INT (nrec, 1);
  CHECK_EQ_INT (rec_fd[0], -1);
  CHECK_EQ_INT (rec_ev[0], EV_TIMEOUT);
  CHECK (rec_arg[0] == &tm);
  CHECK_EQ_INT (tm.ev_flags, EVLIST_INIT);            /* a timeout deletes the event */
  CHECK (!evtimer_pending (&tm, NULL));
  /* evtimer_del before it fires */
  CHECK_EQ_INT (evtimer_add (&tm, &tv), 0);
  CHECK_EQ_INT (evtimer_del (&tm), 0);
  CHECK (!evtimer_pending (&tm, NULL));

  /* ---- timeout_* ---- */
  timeout_set (&to, record, &to);
  CHECK (timeout_initialized (&to));
  tv.tv_usec = 1000;
  CHECK_EQ_INT (timeout_add (&to, &tv), 0);
  CHECK (timeout_pending (&to, NULL) & EV_TIMEOUT);
  CHECK_EQ_INT (timeout_del (&to), 0);
  CHECK (!timeout_pending (&to, NULL));
  CHECK_EQ_INT (timeout_add (&to, &tv), 0);
  nrec = 0;
  event_loop (EVLOOP_ONCE);
  CHECK_EQ_INT (nrec, 1);
  CHECK (rec_arg[0] == &to);
  CHECK_EQ_INT (rec_ev[0], EV_TIMEOUT);

  /* ---- signal_* (they persist without EV_PERSIST being needed) ---- */
  signal_set (&sg, SIGUSR1, record, &sg);
  CHECK (signal_initialized (&sg));
  CHECK_EQ_INT (EVENT_SIGNAL (&sg), SIGUSR1);
  CHECK_EQ_INT (sg.ev_events, EV_SIGNAL | EV_PERSIST);
  CHECK_EQ_INT (signal_add (&sg, NULL), 0);
  CHECK_EQ_INT (sg.ev_flags & (EVLIST_SIGNAL | EVLIST_ACTIVE), EVLIST_SIGNAL | EVLIST_ACTIVE);
  CHECK (signal_pending (&sg, NULL) & EV_SIGNAL);
  nrec = 0;
  CHECK_EQ_INT (raise (SIGUSR1), 0);
  event_loop (EVLOOP_ONCE);
  CHECK_EQ_INT (nrec, 1);
  CHECK_EQ_INT (rec_fd[0], SIGUSR1);
  CHECK_EQ_INT (rec_ev[0], EV_SIGNAL);
  CHECK (signal_pending (&sg, NULL) & EV_SIGNAL);   /* still added */
  CHECK_EQ_INT (raise (SIGUSR1), 0);
  event_loop (EVLOOP_ONCE);
  CHECK_EQ_INT (nrec, 2);
  CHECK_EQ_INT (signal_del (&sg), 0);
  CHECK (!signal_pending (&sg, NULL));

  /* ---- an explicit base, independent of the current one ---- */
  own = event_base_new ();
  CHECK (own != 0 && own != base);
  CHECK (!strcmp (event_base_get_method (own), "libev"));
  evtimer_set (&other, record, &other);
  CHECK (other.ev_base == base);
  CHECK_EQ_INT (event_base_set (own, &other), 0);
  CHECK (other.ev_base == own);
  tv.tv_usec = 1000;
  evtimer_add (&other, &tv);
  nrec = 0;
  CHECK_EQ_INT (event_base_loop (own, EVLOOP_ONCE), 1); /* nothing left in own */
  CHECK_EQ_INT (nrec, 1);
  CHECK (rec_arg[0] == &other);
  CHECK_EQ_INT (event_base_dispatch (own), 1);          /* returns at once */
  event_base_free (own);

  /* the read event is still there on the current base; remove it and the
     dispatch ends */
  CHECK_EQ_INT (event_del (&rd), 0);
  CHECK_EQ_INT (rd.ev_flags, EVLIST_INIT);
  CHECK_EQ_INT (event_dispatch (), 1);

  close (sv[0]);
  close (sv[1]);
  event_base_free (base);                 /* the default loop: left alone */
  ev_loop_destroy (EV_DEFAULT);
  TEST_DONE ();
}
