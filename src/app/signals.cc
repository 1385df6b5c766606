#include "app/signals.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace pictor::app {
namespace {

sigset_t WaitedSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set = WaitedSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a peer closing a socket is an error value, not a death
}

int WaitForShutdownSignal(const std::function<void()>& on_hangup) {
  sigset_t set = WaitedSet();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig != SIGHUP) return sig;
    if (on_hangup) {
      on_hangup();
      continue;
    }
    spdlog::warn(
        "SIGHUP received and ignored: settings are read at start-up; "
        "restart to change them, SIGTERM to stop");
  }
}

void RaiseShutdown() { kill(getpid(), SIGTERM); }

}  // namespace pictor::app
