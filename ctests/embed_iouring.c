/* embed_basic with an io_uring loop inside: its ring fd is what the outer loop
 * watches, so re-arms of its one-shot polls must reach the kernel before the
 * outer loop blocks. */
/* OURS-ONLY: libev 4.33 lists io_uring as embeddable but embedding an io_uring loop asserts in ev_io_start ("negative fd") */
#define EMBED_INNER EVBACKEND_IOURING
#include "embed_basic.c"
