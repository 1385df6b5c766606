// Shutdown on SIGINT/SIGTERM without async-signal hazards: the signals are blocked in every
// thread and one thread waits for them with sigwait. SIGHUP is blocked and waited for too, but
// only logged: a closed terminal or a `kill -HUP` from a supervisor that expects a reload must
// not end a server or worker without draining, and Pictor has nothing it could reload in place
// (certificates and settings are read at start-up; restart to change them).
#ifndef PICTOR_APP_SIGNALS_H_
#define PICTOR_APP_SIGNALS_H_

namespace pictor::app {

// Blocks SIGINT, SIGTERM, SIGHUP and SIGPIPE in the calling thread (and every thread it starts
// later). Call first in main, before any thread exists.
void BlockShutdownSignals();

// Waits until SIGINT or SIGTERM arrives; returns the signal number. A SIGHUP meanwhile is
// logged and ignored.
int WaitForShutdownSignal();

// Sends SIGTERM to this process (used to end WaitForShutdownSignal from inside).
void RaiseShutdown();

}  // namespace pictor::app

#endif  // PICTOR_APP_SIGNALS_H_
