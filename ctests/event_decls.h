/*
 * event_decls.h - declarations for the libevent-compatibility functions
 * (event_*) exported by libev.so.4, for the compat_event_*.c tests.
 *
 * libev's own event.h is not installed by Debian, so this header declares
 * what the tests need, following the ABI description in
 * shared/abi/macros.md section 8 and shared/abi/event_compat.h (struct
 * layout: 144 bytes; see layout.tsv).  Include <ev.h> first.
 *
 * Constants follow libev's event.h, not libevent's: EV_TIMEOUT is libev's
 * EV_TIMER (0x100, an ev.h enumerator with EV_COMPAT3), EV_SIGNAL is
 * 0x400, EV_READ 0x01, EV_WRITE 0x02; loop flags are the EVRUN_* values.
 */
#ifndef CTESTS_EVENT_DECLS_H
#define CTESTS_EVENT_DECLS_H

#include <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif

struct event_base; /* really a struct ev_loop */

struct event
{
  union
  {
    struct ev_io io;
    struct ev_signal sig;
  } iosig;                                   /* offset 0 */
  struct ev_timer to;                        /* 48 */
  struct event_base *ev_base;                /* 96 */
  void (*ev_callback)(int, short, void *);   /* 104 */
  void *ev_arg;                              /* 112 */
  int ev_fd;                                 /* 120: fd or signal number */
  int ev_pri;                                /* 124 */
  int ev_res;                                /* 128 */
  int ev_flags;                              /* 132 */
  short ev_events;                           /* 136 */
};

#define EVLIST_TIMEOUT  0x01
#define EVLIST_INSERTED 0x02
#define EVLIST_SIGNAL   0x04
#define EVLIST_ACTIVE   0x08
#define EVLIST_INTERNAL 0x10
#define EVLIST_INIT     0x80

#define EV_PERSIST 0x10
#define EV_ET      0x20

#define EVENT_FD(ev)          ((int)(ev)->ev_fd)
#define EVENT_SIGNAL(ev)      ((int)(ev)->ev_fd)
#define event_initialized(ev) ((ev)->ev_flags & EVLIST_INIT)

#define evtimer_set(ev, cb, arg)     event_set ((ev), -1, 0, (cb), (arg))
#define evtimer_add(ev, tv)          event_add ((ev), (tv))
#define evtimer_del(ev)              event_del (ev)
#define evtimer_pending(ev, tv)      event_pending ((ev), EV_TIMEOUT, (tv))
#define signal_set(ev, sig, cb, arg) event_set ((ev), (sig), EV_SIGNAL | EV_PERSIST, (cb), (arg))
#define signal_add(ev, tv)           event_add ((ev), (tv))
#define signal_del(ev)               event_del (ev)
#define signal_pending(ev, tv)       event_pending ((ev), EV_SIGNAL, (tv))

const char *event_get_version (void);
const char *event_get_method (void);
void *event_init (void);
void event_base_free (struct event_base *base);
int event_loop (int flags);
int event_loopexit (struct timeval *tv);
int event_dispatch (void);
void event_set (struct event *ev, int fd, short events, void (*cb)(int, short, void *), void *arg);
int event_once (int fd, short events, void (*cb)(int, short, void *), void *arg, struct timeval *tv);
int event_add (struct event *ev, struct timeval *tv);
int event_del (struct event *ev);
void event_active (struct event *ev, int res, short ncalls);
int event_pending (struct event *ev, short events, struct timeval *tv);
int event_priority_init (int npri);
int event_priority_set (struct event *ev, int pri);
void (*event_get_callback (const struct event *ev)) (int, short, void *);
struct event_base *event_base_new (void);
const char *event_base_get_method (const struct event_base *base);
int event_base_set (struct event_base *base, struct event *ev);
int event_base_loop (struct event_base *base, int flags);
int event_base_loopexit (struct event_base *base, struct timeval *tv);
int event_base_dispatch (struct event_base *base);
int event_base_once (struct event_base *base, int fd, short events, void (*cb)(int, short, void *), void *arg, struct timeval *tv);
int event_base_priority_init (struct event_base *base, int npri);

#ifdef __cplusplus
}
#endif

#endif /* CTESTS_EVENT_DECLS_H */
