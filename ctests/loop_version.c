/* ev_version_major/minor, ev_supported_backends, ev_recommended_backends,
 * ev_embeddable_backends */
#include <ev.h>
#include "testutil.h"

int main(void)
{
  unsigned sup, rec, emb;

  ALARM_GUARD(5);

  CHECK_EQ_INT(ev_version_major(), EV_VERSION_MAJOR);
  CHECK_EQ_INT(ev_version_minor(), EV_VERSION_MINOR);
  CHECK_EQ_INT(ev_version_major(), 4);
  CHECK_EQ_INT(ev_version_minor(), 33);

  /* callable before any loop exists */
  sup = ev_supported_backends();
  rec = ev_recommended_backends();
  emb = ev_embeddable_backends();

  /* Linux: select, poll and epoll are compiled in */
  CHECK((sup & EVBACKEND_SELECT) != 0);
  CHECK((sup & EVBACKEND_POLL) != 0);
  CHECK((sup & EVBACKEND_EPOLL) != 0);
  /* no BSD/Solaris backends on Linux */
  CHECK((sup & EVBACKEND_KQUEUE) == 0);
  CHECK((sup & EVBACKEND_DEVPOLL) == 0);
  CHECK((sup & EVBACKEND_PORT) == 0);
  /* only backend bits */
  CHECK((sup & ~(unsigned)EVBACKEND_MASK) == 0);
  CHECK((sup & ~(unsigned)EVBACKEND_ALL) == 0);

  /* recommended is a subset of supported, and includes the classic three */
  CHECK((rec & ~sup) == 0);
  CHECK((rec & (EVBACKEND_SELECT | EVBACKEND_POLL | EVBACKEND_EPOLL)) ==
        (EVBACKEND_SELECT | EVBACKEND_POLL | EVBACKEND_EPOLL));
  /* io_uring is never auto-selected by libev 4.33 */
  CHECK((rec & EVBACKEND_IOURING) == 0);

  /* embeddable: platform specific set; epoll is nominally embeddable,
   * select and poll are not */
  CHECK((emb & EVBACKEND_EPOLL) != 0);
  CHECK((emb & EVBACKEND_SELECT) == 0);
  CHECK((emb & EVBACKEND_POLL) == 0);
  CHECK((emb & ~(unsigned)EVBACKEND_ALL) == 0);

  /* select, poll and epoll always work on Linux; every supported backend
   * really opens; nothing of another OS is supported. (The reference also
   * lists kqueue and port as embeddable, which cannot exist here; ours lists
   * only backends that exist, so the exact embeddable set is not compared.) */
  CHECK_EQ_INT(sup & (EVBACKEND_SELECT | EVBACKEND_POLL | EVBACKEND_EPOLL),
               EVBACKEND_SELECT | EVBACKEND_POLL | EVBACKEND_EPOLL);
  CHECK_EQ_INT(sup & (EVBACKEND_KQUEUE | EVBACKEND_DEVPOLL | EVBACKEND_PORT), 0);
  CHECK_EQ_INT(rec & (EVBACKEND_SELECT | EVBACKEND_POLL | EVBACKEND_EPOLL),
               EVBACKEND_SELECT | EVBACKEND_POLL | EVBACKEND_EPOLL);
  {
    unsigned b;
    for (b = 1; b <= EVBACKEND_IOURING; b <<= 1)
      if (sup & b)
        {
          struct ev_loop *l = ev_loop_new(b | EVFLAG_NOENV);
          CHECK(l != NULL);
          if (l)
            {
              CHECK_EQ_INT(ev_backend(l), b);
              ev_loop_destroy(l);
            }
        }
  }

  /* stable across calls and unaffected by creating loops */
  {
    struct ev_loop *l = ev_loop_new(0);
    CHECK(l != NULL);
    CHECK_EQ_INT(ev_supported_backends(), sup);
    CHECK_EQ_INT(ev_recommended_backends(), rec);
    CHECK_EQ_INT(ev_embeddable_backends(), emb);
    /* the backend of any loop is a single supported backend bit */
    if (l) {
      unsigned b = ev_backend(l);
      CHECK(b != 0);
      CHECK((b & (b - 1)) == 0);
      CHECK((b & sup) == b);
      ev_loop_destroy(l);
    }
  }

  TEST_DONE();
}
