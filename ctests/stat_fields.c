/* ev_stat fields: ev_stat_init stores the path pointer and wd -2;
 * ev_stat_start fills attr (lstat semantics, st_nlink 0 for a missing
 * path) and raises a too small non-zero interval to libev's minimum
 * (0.01 and -1 read back as ~0.1074891, 0 stays 0, 0.5 stays 0.5);
 * ev_stat_stat refreshes attr on demand; with inotify wd is a watch
 * descriptor (>= 0, shared by two watchers of the same path) while
 * active and -2 after ev_stat_stop; a path whose directory only appears
 * later is still noticed. */
#include <ev.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include "testutil.h"

static int ncb;
static void stat_cb(struct ev_loop *loop, ev_stat *w, int revents)
{
  (void)w; (void)revents;
  ncb++;
  ev_break(loop, EVBREAK_ALL);
}

static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break(loop, EVBREAK_ALL);
}

static int wait_for(struct ev_loop *loop, int upto)
{
  ev_timer guard;
  ev_timer_init(&guard, guard_cb, 1.5, 0.);
  ev_timer_start(loop, &guard);
  while (ncb < upto && ev_is_active(&guard)) ev_run(loop, 0);
  ev_timer_stop(loop, &guard);
  return ncb >= upto;
}

static void write_file(const char *path, const char *data)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) { perror(path); exit(1); }
  if (write(fd, data, strlen(data)) != (ssize_t)strlen(data)) perror("write");
  close(fd);
}

static double interval_after_start(struct ev_loop *loop, const char *path, double iv)
{
  ev_stat w;
  double r;
  ev_stat_init(&w, stat_cb, path, iv);
  CHECK(w.interval == iv); /* untouched before start */
  ev_stat_start(loop, &w);
  r = w.interval;
  ev_stat_stop(loop, &w);
  return r;
}

int main(void)
{
  struct ev_loop *loop;
  ev_stat w, w2, wl;
  char dir[] = "/tmp/ctest_statf_XXXXXX";
  char file[256], link[256], missing[256], subdir[256], later[256];
  struct stat st;
  int have_inotify;

  ALARM_GUARD(10);
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  {
    int fd = inotify_init1(IN_CLOEXEC);
    have_inotify = fd >= 0;
    if (fd >= 0) close(fd);
  }
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
  snprintf(file, sizeof file, "%s/file", dir);
  snprintf(link, sizeof link, "%s/link", dir);
  snprintf(missing, sizeof missing, "%s/missing", dir);
  snprintf(subdir, sizeof subdir, "%s/sub", dir);
  snprintf(later, sizeof later, "%s/sub/later", dir);
  write_file(file, "hello");
  CHECK_EQ_INT(symlink("file", link), 0);

  /* init: path pointer stored as is, wd = -2 */
  memset(&w, 0xab, sizeof w);
  ev_stat_init(&w, stat_cb, file, 0.);
  CHECK(w.path == file);
  CHECK_EQ_INT(w.wd, -2);
  CHECK(w.interval == 0.);

  /* ev_stat_stat on an inactive watcher fills attr */
  ev_stat_stat(loop, &w);
  CHECK_EQ_INT(stat(file, &st), 0);
  CHECK_EQ_INT(w.attr.st_ino, st.st_ino);
  CHECK_EQ_INT(w.attr.st_size, 5);
  CHECK_EQ_INT(w.attr.st_nlink, 1);
  CHECK(S_ISREG(w.attr.st_mode));

  /* start fills attr (garbage before) */
  memset(&w.attr, 0xab, sizeof w.attr);
  ev_stat_start(loop, &w);
  CHECK_EQ_INT(w.attr.st_ino, st.st_ino);
  CHECK_EQ_INT(w.attr.st_size, 5);
  CHECK(w.interval == 0.); /* 0 = libev's default, not rewritten */
  if (have_inotify) CHECK(w.wd >= 0);
  /* a second watcher for the same path gets the same watch descriptor */
  ev_stat_init(&w2, stat_cb, file, 0.);
  ev_stat_start(loop, &w2);
  if (have_inotify) CHECK_EQ_INT(w2.wd, w.wd);
  ev_stat_stop(loop, &w2);
  CHECK_EQ_INT(w2.wd, -2);
  CHECK(ev_is_active(&w));
  if (have_inotify) CHECK(w.wd >= 0);

  /* ev_stat_stat on an active watcher: picks up a change immediately */
  write_file(file, "longer content");
  ev_stat_stat(loop, &w);
  CHECK_EQ_INT(w.attr.st_size, 14);
  ev_stat_stop(loop, &w);
  CHECK(!ev_is_active(&w));
  CHECK_EQ_INT(w.wd, -2);

  /* lstat semantics: a symlink is reported as a link */
  ev_stat_init(&wl, stat_cb, link, 0.);
  ev_stat_start(loop, &wl);
  CHECK(S_ISLNK(wl.attr.st_mode));
  CHECK_EQ_INT(wl.attr.st_nlink, 1);
  ev_stat_stop(loop, &wl);

  /* missing path: st_nlink 0 */
  ev_stat_init(&w, stat_cb, missing, 0.);
  memset(&w.attr, 0xab, sizeof w.attr);
  ev_stat_start(loop, &w);
  CHECK_EQ_INT(w.attr.st_nlink, 0);
  if (have_inotify) CHECK(w.wd >= 0); /* the directory is watched instead */
  ev_stat_stat(loop, &w);
  CHECK_EQ_INT(w.attr.st_nlink, 0);
  ev_stat_stop(loop, &w);
  CHECK_EQ_INT(w.wd, -2);

  /* interval clamping */
  CHECK_NEAR(interval_after_start(loop, file, 0.01), 0.1074891, 1e-9);
  CHECK_NEAR(interval_after_start(loop, file, -1.), 0.1074891, 1e-9);
  CHECK(interval_after_start(loop, file, 0.) == 0.);
  CHECK(interval_after_start(loop, file, 0.5) == 0.5);
  CHECK(interval_after_start(loop, file, 0.2) == 0.2);

  /* a path whose directory appears later */
  ncb = 0;
  ev_stat_init(&w, stat_cb, later, 0.05);
  ev_stat_start(loop, &w);
  CHECK_EQ_INT(w.attr.st_nlink, 0);
  ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(mkdir(subdir, 0755), 0);
  write_file(later, "x");
  CHECK(wait_for(loop, 1));
  CHECK_EQ_INT(w.attr.st_nlink, 1);
  CHECK_EQ_INT(w.attr.st_size, 1);
  CHECK_EQ_INT(w.prev.st_nlink, 0);
  /* and then deletion of it is noticed too */
  ncb = 0;
  unlink(later);
  CHECK(wait_for(loop, 1));
  CHECK_EQ_INT(w.attr.st_nlink, 0);
  ev_stat_stop(loop, &w);

  unlink(link);
  unlink(file);
  rmdir(subdir);
  rmdir(dir);
  TEST_DONE();
}
