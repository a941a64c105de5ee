/*
 * event.h -- libevent 1.4 emulation header of the Rust reimplementation of
 * libev 4.33.
 *
 * Declares the libevent-compatible API implemented by the event_* functions
 * that libev.so.4 exports (see shared/abi/macros.md, section 8), with the
 * data layout of libev 4.33's own emulation header: struct event is 144
 * bytes, an ev_io/ev_signal union, an ev_timer and the libevent fields.
 *
 * Semantics worth knowing (they are libev's, not libevent's):
 *   - EV_TIMEOUT is libev's EV_TIMER (0x100), EV_SIGNAL is 0x400;
 *   - signal events persist whether or not EV_PERSIST is given;
 *   - a struct event_base is really a struct ev_loop: event_init () returns
 *     the default loop the first time, a new loop afterwards;
 *   - event priorities are accepted and ignored.
 *
 * Include it instead of libevent's event.h; it includes ev.h itself (the
 * header named by EV_H if defined, else "ev.h" next to this file).  Only
 * needed by programs written for libevent 1.4: it is not part of libev's
 * native API.
 */
#ifndef EV_EVENT_H__
#define EV_EVENT_H__

#ifdef EV_H
# include EV_H
#else
# include "ev.h"
#endif

#include <sys/types.h>
#include <sys/time.h>   /* struct timeval */

#ifdef __cplusplus
extern "C" {
#endif

/* opaque; really a struct ev_loop */
struct event_base;

/* the callback of an event: (fd or signal number, EV_* events, argument) */
typedef void (*event_callback_fn) (int fd, short events, void *arg);

/* ev_flags bits */
#define EVLIST_TIMEOUT  0x01   /* the timeout is running */
#define EVLIST_INSERTED 0x02   /* the I/O watcher is running */
#define EVLIST_SIGNAL   0x04   /* the signal watcher is running */
#define EVLIST_ACTIVE   0x08   /* added (event_add) */
#define EVLIST_INTERNAL 0x10
#define EVLIST_INIT     0x80   /* set by event_set */

/* event flags in addition to ev.h's EV_READ, EV_WRITE, EV_SIGNAL */
#define EV_PERSIST      0x10   /* I/O events stay added after they fire */
#define EV_ET           0x20   /* accepted, without effect */
#ifndef EV_TIMEOUT
# define EV_TIMEOUT     EV_TIMER  /* an enumerator of ev.h with EV_COMPAT3 */
#endif

/* event_loop () / event_base_loop () flags */
#define EVLOOP_ONCE     EVRUN_ONCE
#ifndef EVLOOP_NONBLOCK
# define EVLOOP_NONBLOCK EVRUN_NOWAIT  /* ev.h defines it with EV_COMPAT3 */
#endif

/* log severities (event_set_log_callback is declared only, see below) */
#define _EVENT_LOG_DEBUG 0
#define _EVENT_LOG_MSG   1
#define _EVENT_LOG_WARN  2
#define _EVENT_LOG_ERR   3

struct event
{
  union
  {
    struct ev_io io;           /* used unless ev_events has EV_SIGNAL */
    struct ev_signal sig;      /* used when ev_events has EV_SIGNAL */
  } iosig;                     /* offset 0, 48 bytes */
  struct ev_timer to;          /* 48: the timeout */
  struct event_base *ev_base;  /* 96: the loop (set by event_set / event_base_set) */
  void (*ev_callback) (int, short, void *arg);  /* 104 */
  void *ev_arg;                /* 112 */
  int ev_fd;                   /* 120: file descriptor or signal number */
  int ev_pri;                  /* 124: stored, otherwise unused */
  int ev_res;                  /* 128: the events passed to the callback */
  int ev_flags;                /* 132: EVLIST_* */
  short ev_events;             /* 136: EV_READ/EV_WRITE/EV_SIGNAL/EV_PERSIST */
};                             /* 144 bytes */

#define EVENT_FD(ev)          ((int) (ev)->ev_fd)
#define EVENT_SIGNAL(ev)      ((int) (ev)->ev_fd)
#define event_initialized(ev) ((ev)->ev_flags & EVLIST_INIT)

/* timers: events without fd */
#define evtimer_set(ev, cb, arg)     event_set ((ev), -1, 0, (cb), (arg))
#define evtimer_add(ev, tv)          event_add ((ev), (tv))
#define evtimer_del(ev)              event_del (ev)
#define evtimer_pending(ev, tv)      event_pending ((ev), EV_TIMEOUT, (tv))
#define evtimer_initialized(ev)      event_initialized (ev)

#define timeout_set(ev, cb, arg)     event_set ((ev), -1, 0, (cb), (arg))
#define timeout_add(ev, tv)          event_add ((ev), (tv))
#define timeout_del(ev)              event_del (ev)
#define timeout_pending(ev, tv)      event_pending ((ev), EV_TIMEOUT, (tv))
#define timeout_initialized(ev)      event_initialized (ev)

/* signals: the fd is the signal number */
#define signal_set(ev, signum, cb, arg) event_set ((ev), (signum), EV_SIGNAL | EV_PERSIST, (cb), (arg))
#define signal_add(ev, tv)           event_add ((ev), (tv))
#define signal_del(ev)               event_del (ev)
#define signal_pending(ev, tv)       event_pending ((ev), EV_SIGNAL, (tv))
#define signal_initialized(ev)       event_initialized (ev)

/* the current base: the default loop after the first event_init () */
const char *event_get_version (void);
const char *event_get_method (void);
void *event_init (void);
void event_base_free (struct event_base *base);
int event_loop (int flags);
int event_loopexit (struct timeval *tv);
int event_dispatch (void);

/* events */
void event_set (struct event *ev, int fd, short events, void (*cb) (int, short, void *), void *arg);
int event_once (int fd, short events, void (*cb) (int, short, void *), void *arg, struct timeval *tv);
int event_add (struct event *ev, struct timeval *tv);
int event_del (struct event *ev);
void event_active (struct event *ev, int res, short ncalls);
int event_pending (struct event *ev, short events, struct timeval *tv);
int event_priority_init (int npri);
int event_priority_set (struct event *ev, int pri);
event_callback_fn event_get_callback (const struct event *ev);

/* explicit bases */
struct event_base *event_base_new (void);
const char *event_base_get_method (const struct event_base *base);
int event_base_set (struct event_base *base, struct event *ev);
int event_base_loop (struct event_base *base, int flags);
int event_base_loopexit (struct event_base *base, struct timeval *tv);
int event_base_dispatch (struct event_base *base);
int event_base_once (struct event_base *base, int fd, short events, void (*cb) (int, short, void *), void *arg, struct timeval *tv);
int event_base_priority_init (struct event_base *base, int npri);

/* declared as by libev 4.33's event.h; libev's library does not export it
   either, so a program calling it does not link (as with libev) */
typedef void (*event_log_cb) (int severity, const char *msg);
void event_set_log_callback (event_log_cb cb);

#ifdef __cplusplus
}
#endif

#endif /* EV_EVENT_H__ */
