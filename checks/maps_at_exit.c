/*
 * maps_at_exit.c -- LD_PRELOAD helper of checks/check-programs.sh (not part
 * of the library): when the process exits normally it copies its
 * /proc/self/maps to the file named by $EVCHECK_MAPS_OUT, so the script can
 * prove which libev.so.4 a short-lived program (h2load) really had mapped.
 * Only async-signal-safe system calls; does nothing without the variable.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__ ((destructor)) static void
evcheck_dump_maps (void)
{
  const char *out = getenv ("EVCHECK_MAPS_OUT");
  char buf[8192];
  ssize_t n;
  int in, fd;

  if (!out || !*out)
    return;
  in = open ("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return;
  fd = open (out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0)
    {
      while ((n = read (in, buf, sizeof buf)) > 0)
        if (write (fd, buf, (size_t) n) != n)
          break;
      close (fd);
    }
  close (in);
}
