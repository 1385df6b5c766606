// Shutdown on SIGINT/SIGTERM without async-signal hazards: the signals are blocked in every
// thread and one thread waits for them with sigwait. SIGHUP is blocked and waited for too: a
// closed terminal or a `kill -HUP` from a supervisor that expects a reload must not end a server
// or worker without draining. It reloads what can be reloaded in place (serve's TLS certificate
// and key) and is otherwise only logged (settings are read at start-up; restart to change them).
#ifndef PICTOR_APP_SIGNALS_H_
#define PICTOR_APP_SIGNALS_H_

#include <functional>

namespace pictor::app {

// Blocks SIGINT, SIGTERM, SIGHUP and SIGPIPE in the calling thread (and every thread it starts
// later). Call first in main, before any thread exists.
void BlockShutdownSignals();

// Waits until SIGINT or SIGTERM arrives; returns the signal number. A SIGHUP meanwhile calls
// `on_hangup` on the waiting thread when one is given, and is logged and ignored otherwise.
int WaitForShutdownSignal(const std::function<void()>& on_hangup = nullptr);

// Sends SIGTERM to this process (used to end WaitForShutdownSignal from inside).
void RaiseShutdown();

}  // namespace pictor::app

#endif  // PICTOR_APP_SIGNALS_H_
