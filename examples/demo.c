/*
 * demo.c - a TCP echo server and its client on one libev loop.
 *
 * The server listens on 127.0.0.1 (port chosen by the kernel), the client
 * connects to it, sends N lines one at a time and checks that each comes
 * back unchanged; then the loop is stopped with ev_break.  A repeating
 * idle-timeout timer (ev_timer_again) aborts the demo if nothing happens for
 * IDLE_TIMEOUT seconds.  Everything is non-blocking and driven by ev_io
 * watchers: one for accept, read+write for each end of the connection.
 *
 *   build:  cc -Wall -O2 demo.c -o demo -lev      (or: make demo)
 *   run:    ./demo [N]            LIBEV_FLAGS=1 ./demo   (force select)
 *
 * Exit status 0 when all lines were echoed correctly, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#define IDLE_TIMEOUT 5.0
#define BUFSZ 4096

static const char *
backend_name (unsigned int backend)
{
  switch (backend)
    {
    case EVBACKEND_SELECT:   return "select";
    case EVBACKEND_POLL:     return "poll";
    case EVBACKEND_EPOLL:    return "epoll";
    case EVBACKEND_LINUXAIO: return "linuxaio";
    case EVBACKEND_IOURING:  return "io_uring";
    case EVBACKEND_KQUEUE:   return "kqueue";
    case EVBACKEND_DEVPOLL:  return "devpoll";
    case EVBACKEND_PORT:     return "port";
    default:                 return "unknown";
    }
}

static int failed;                /* set on any error: exit status 1 */
static ev_timer idle_timer;       /* repeating inactivity timeout */

static void
fail (struct ev_loop *loop, const char *what)
{
  if (errno)
    fprintf (stderr, "demo: %s: %s\n", what, strerror (errno));
  else
    fprintf (stderr, "demo: %s\n", what);
  failed = 1;
  ev_break (loop, EVBREAK_ALL);
}

/* any activity pushes the idle timeout back */
static void
activity (struct ev_loop *loop)
{
  ev_timer_again (loop, &idle_timer);
}

static void
idle_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  errno = 0;
  fprintf (stderr, "demo: no activity for %.1f s\n", IDLE_TIMEOUT);
  fail (loop, "idle timeout");
}

static int
set_nonblock (int fd)
{
  int fl = fcntl (fd, F_GETFL);
  return fl < 0 ? -1 : fcntl (fd, F_SETFL, fl | O_NONBLOCK);
}

/* ------------------------------------------------------------- server side */
struct server_conn
{
  ev_io rw, ww;            /* read / write watchers on the accepted socket */
  char buf[BUFSZ];         /* bytes read but not yet echoed */
  size_t len;
};
static struct server_conn *server_conn;  /* the one accepted connection */

static void
server_close (struct ev_loop *loop, struct server_conn *c)
{
  ev_io_stop (loop, &c->rw);
  ev_io_stop (loop, &c->ww);
  close (c->rw.fd);
  free (c);
  server_conn = 0;
}

static void
server_write_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  struct server_conn *c = w->data;
  ssize_t n;
  (void)revents;

  n = write (w->fd, c->buf, c->len);
  if (n < 0)
    {
      if (errno == EAGAIN || errno == EINTR)
        return;
      fail (loop, "server write");
      return;
    }
  memmove (c->buf, c->buf + n, c->len - (size_t)n);
  c->len -= (size_t)n;
  printf ("server: echoed %zd bytes\n", n);
  activity (loop);
  if (!c->len)
    ev_io_stop (loop, w);          /* nothing left: stop waiting for EV_WRITE */
  if (c->len < sizeof c->buf && !ev_is_active (&c->rw))
    ev_io_start (loop, &c->rw);
}

static void
server_read_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  struct server_conn *c = w->data;
  ssize_t n;
  (void)revents;

  n = read (w->fd, c->buf + c->len, sizeof c->buf - c->len);
  if (n < 0)
    {
      if (errno == EAGAIN || errno == EINTR)
        return;
      fail (loop, "server read");
      return;
    }
  if (n == 0)
    {
      printf ("server: client closed the connection\n");
      server_close (loop, c);
      return;
    }
  c->len += (size_t)n;
  printf ("server: received %zd bytes\n", n);
  activity (loop);
  ev_io_start (loop, &c->ww);      /* echo it back when writable */
  if (c->len == sizeof c->buf)
    ev_io_stop (loop, w);          /* buffer full: wait for the writer */
}

static void
accept_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  struct server_conn *c;
  int fd;
  (void)revents;

  fd = accept (w->fd, 0, 0);
  if (fd < 0)
    {
      if (errno == EAGAIN || errno == EINTR)
        return;
      fail (loop, "accept");
      return;
    }
  if (set_nonblock (fd) < 0 || !(c = calloc (1, sizeof *c)))
    {
      close (fd);
      fail (loop, "accept setup");
      return;
    }
  printf ("server: accepted a connection (fd %d)\n", fd);
  activity (loop);
  ev_io_init (&c->rw, server_read_cb, fd, EV_READ);
  ev_io_init (&c->ww, server_write_cb, fd, EV_WRITE);
  c->rw.data = c->ww.data = c;
  server_conn = c;
  ev_io_start (loop, &c->rw);
  ev_io_stop (loop, w);            /* the demo serves exactly one client */
}

/* ------------------------------------------------------------- client side */
struct client
{
  ev_io rw, ww;
  int connected;
  int lines, sent, verified;      /* lines to send, sent so far, echoed ok */
  char out[256];                  /* the line in flight */
  size_t outlen, outpos;
  char in[BUFSZ];
  size_t inlen;
};

static void
client_next_line (struct ev_loop *loop, struct client *cl)
{
  cl->outlen = (size_t)snprintf (cl->out, sizeof cl->out,
                                 "line %d of %d: the quick brown fox\n",
                                 cl->sent + 1, cl->lines);
  cl->outpos = 0;
  ev_io_start (loop, &cl->ww);
}

static void
client_write_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  struct client *cl = w->data;
  ssize_t n;
  (void)revents;

  if (!cl->connected)
    {
      int err = 0;
      socklen_t len = sizeof err;

      if (getsockopt (w->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err)
        {
          errno = err;
          fail (loop, "connect");
          return;
        }
      cl->connected = 1;
      printf ("client: connected\n");
      ev_io_start (loop, &cl->rw);
    }

  n = write (w->fd, cl->out + cl->outpos, cl->outlen - cl->outpos);
  if (n < 0)
    {
      if (errno == EAGAIN || errno == EINTR)
        return;
      fail (loop, "client write");
      return;
    }
  cl->outpos += (size_t)n;
  activity (loop);
  if (cl->outpos == cl->outlen)
    {
      cl->sent++;
      printf ("client: sent     %.*s\n", (int)cl->outlen - 1, cl->out);
      ev_io_stop (loop, w);        /* wait for the echo before the next line */
    }
}

static void
client_read_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  struct client *cl = w->data;
  char *nl;
  ssize_t n;
  (void)revents;

  n = read (w->fd, cl->in + cl->inlen, sizeof cl->in - cl->inlen);
  if (n < 0)
    {
      if (errno == EAGAIN || errno == EINTR)
        return;
      fail (loop, "client read");
      return;
    }
  if (n == 0)
    {
      errno = 0;
      fail (loop, "server closed the connection early");
      return;
    }
  cl->inlen += (size_t)n;
  activity (loop);

  while ((nl = memchr (cl->in, '\n', cl->inlen)))
    {
      size_t linelen = (size_t)(nl - cl->in) + 1;

      if (linelen != cl->outlen || memcmp (cl->in, cl->out, linelen))
        {
          errno = 0;
          fprintf (stderr, "demo: expected \"%.*s\", got \"%.*s\"\n",
                   (int)cl->outlen - 1, cl->out, (int)linelen - 1, cl->in);
          fail (loop, "echo mismatch");
          return;
        }
      cl->verified++;
      printf ("client: verified %.*s\n", (int)linelen - 1, cl->in);
      memmove (cl->in, cl->in + linelen, cl->inlen - linelen);
      cl->inlen -= linelen;

      if (cl->verified == cl->lines)
        {
          printf ("client: all %d lines echoed correctly\n", cl->lines);
          ev_break (loop, EVBREAK_ALL);
          return;
        }
      client_next_line (loop, cl);
    }
}

/* -------------------------------------------------------------------- main */
int
main (int argc, char **argv)
{
  struct ev_loop *loop = ev_default_loop (0);
  struct sockaddr_in addr;
  socklen_t alen = sizeof addr;
  struct client cl;
  ev_io accept_w;
  int lfd, cfd, one = 1;

  memset (&cl, 0, sizeof cl);
  cl.lines = argc > 1 ? atoi (argv[1]) : 5;
  if (cl.lines < 1)
    cl.lines = 1;

  if (!loop)
    {
      fprintf (stderr, "demo: cannot initialise libev (bad LIBEV_FLAGS?)\n");
      return 1;
    }
  printf ("libev %d.%d, backend %s\n", ev_version_major (), ev_version_minor (),
          backend_name (ev_backend (loop)));

  /* server: listen on 127.0.0.1, let the kernel pick the port */
  memset (&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = 0;
  if ((lfd = socket (AF_INET, SOCK_STREAM, 0)) < 0
      || setsockopt (lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
      || bind (lfd, (struct sockaddr *)&addr, sizeof addr) < 0
      || listen (lfd, 8) < 0
      || getsockname (lfd, (struct sockaddr *)&addr, &alen) < 0
      || set_nonblock (lfd) < 0)
    {
      perror ("demo: server socket");
      return 1;
    }
  printf ("server: listening on 127.0.0.1:%d\n", ntohs (addr.sin_port));
  ev_io_init (&accept_w, accept_cb, lfd, EV_READ);
  ev_io_start (loop, &accept_w);

  /* client: non-blocking connect; writability signals completion */
  if ((cfd = socket (AF_INET, SOCK_STREAM, 0)) < 0 || set_nonblock (cfd) < 0
      || (connect (cfd, (struct sockaddr *)&addr, sizeof addr) < 0
          && errno != EINPROGRESS))
    {
      perror ("demo: client socket");
      return 1;
    }
  printf ("client: connecting, will send %d lines\n", cl.lines);
  ev_io_init (&cl.rw, client_read_cb, cfd, EV_READ);
  ev_io_init (&cl.ww, client_write_cb, cfd, EV_WRITE);
  cl.rw.data = cl.ww.data = &cl;
  client_next_line (loop, &cl);

  /* repeating idle timeout: re-armed by activity() through ev_timer_again */
  ev_init (&idle_timer, idle_cb);
  idle_timer.repeat = IDLE_TIMEOUT;
  ev_timer_again (loop, &idle_timer);

  ev_run (loop, 0);

  /* tear down: stop every watcher, close every socket, destroy the loop */
  ev_timer_stop (loop, &idle_timer);
  if (server_conn)
    server_close (loop, server_conn);
  ev_io_stop (loop, &cl.rw);
  ev_io_stop (loop, &cl.ww);
  ev_io_stop (loop, &accept_w);
  close (cfd);
  close (lfd);

  if (!failed && cl.verified == cl.lines)
    {
      printf ("done: %d/%d lines verified, %u loop iterations\n",
              cl.verified, cl.lines, ev_iteration (loop));
      ev_loop_destroy (loop);
      return 0;
    }
  printf ("FAILED: %d/%d lines verified\n", cl.verified, cl.lines);
  ev_loop_destroy (loop);
  return 1;
}
