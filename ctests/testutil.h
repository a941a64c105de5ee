/*
 * testutil.h - tiny self-checking test helpers shared by all ctests.
 *
 * Does NOT include <ev.h>: every test includes it itself, so this header
 * works with the reference ev.h and with the replacement's ev.h alike.
 *
 * Exit status convention: 0 = pass, 1 = fail, 77 = skip.
 */
#ifndef CTESTS_TESTUTIL_H
#define CTESTS_TESTUTIL_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define TU_UNUSED __attribute__((unused))

static int tu_failures TU_UNUSED = 0;

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) {                                                          \
      fprintf(stderr, "FAIL: %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
      tu_failures++;                                                        \
    }                                                                       \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                  \
  do {                                                                      \
    long long tu_a_ = (long long)(a), tu_b_ = (long long)(b);               \
    if (tu_a_ != tu_b_) {                                                   \
      fprintf(stderr, "FAIL: %s:%d: %s == %s (%lld != %lld)\n", __FILE__,   \
              __LINE__, #a, #b, tu_a_, tu_b_);                              \
      tu_failures++;                                                        \
    }                                                                       \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                               \
  do {                                                                      \
    double tu_a_ = (double)(a), tu_b_ = (double)(b), tu_t_ = (double)(tol); \
    double tu_d_ = tu_a_ - tu_b_;                                           \
    if (tu_d_ < 0) tu_d_ = -tu_d_;                                          \
    if (!(tu_d_ <= tu_t_)) {                                                \
      fprintf(stderr, "FAIL: %s:%d: %s ~= %s (%.6f vs %.6f, tol %.6f)\n",  \
              __FILE__, __LINE__, #a, #b, tu_a_, tu_b_, tu_t_);             \
      tu_failures++;                                                        \
    }                                                                       \
  } while (0)

/* use as the last statement of main() */
#define TEST_DONE()                                                         \
  do {                                                                      \
    if (tu_failures)                                                        \
      fprintf(stderr, "%s: %d check(s) failed\n", __FILE__, tu_failures);   \
    return tu_failures ? 1 : 0;                                             \
  } while (0)

#define SKIP(why)                                                           \
  do {                                                                      \
    fprintf(stderr, "SKIP: %s: %s\n", __FILE__, (why));                     \
    exit(77);                                                               \
  } while (0)

/* a hung test gets SIGALRM and dies (non-zero, non-77 status) */
#define ALARM_GUARD(seconds) alarm(seconds)

/*
 * expect_abort(fn, substring): run fn() in a forked child with stderr
 * captured; passes iff the child dies of SIGABRT and its stderr contains
 * substring (NULL or "" = any message).  Counts a failure otherwise.
 * Returns 1 on success, 0 on failure.
 */
#define expect_abort(fn, substr) tu_expect_abort((fn), (substr), __FILE__, __LINE__)

static TU_UNUSED int
tu_expect_abort(void (*fn)(void), const char *substr, const char *file, int line)
{
  int pfd[2];
  char buf[4096];
  size_t len = 0;
  pid_t pid;
  int status = 0, ok = 1;

  fflush(NULL);
  if (pipe(pfd) < 0) {
    fprintf(stderr, "FAIL: %s:%d: pipe: %s\n", file, line, strerror(errno));
    tu_failures++;
    return 0;
  }
  pid = fork();
  if (pid < 0) {
    fprintf(stderr, "FAIL: %s:%d: fork: %s\n", file, line, strerror(errno));
    tu_failures++;
    return 0;
  }
  if (pid == 0) {
    struct rlimit rl = { 0, 0 };
    setrlimit(RLIMIT_CORE, &rl); /* no core files */
    signal(SIGABRT, SIG_DFL);
    close(pfd[0]);
    dup2(pfd[1], 2);
    close(pfd[1]);
    alarm(5);
    fn();
    _exit(0); /* returned normally: no abort */
  }
  close(pfd[1]);
  for (;;) {
    ssize_t n = read(pfd[0], buf + len, sizeof(buf) - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t)n;
    if (len >= sizeof(buf) - 1) break;
  }
  buf[len] = 0;
  close(pfd[0]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT) {
    if (WIFSIGNALED(status))
      fprintf(stderr, "FAIL: %s:%d: expected SIGABRT, child died of signal %d\n",
              file, line, WTERMSIG(status));
    else
      fprintf(stderr, "FAIL: %s:%d: expected SIGABRT, child exited with %d\n",
              file, line, WEXITSTATUS(status));
    ok = 0;
  }
  if (substr && *substr && !strstr(buf, substr)) {
    fprintf(stderr, "FAIL: %s:%d: child stderr lacks \"%s\"; got: \"%s\"\n",
            file, line, substr, buf);
    ok = 0;
  }
  if (!ok) tu_failures++;
  return ok;
}

#endif /* CTESTS_TESTUTIL_H */
