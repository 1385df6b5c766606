// Shutdown on SIGINT/SIGTERM without async-signal hazards: the signals are blocked in every
// thread and one thread waits for them with sigwait.
#ifndef PICTOR_APP_SIGNALS_H_
#define PICTOR_APP_SIGNALS_H_

namespace pictor::app {

// Blocks SIGINT, SIGTERM and SIGPIPE in the calling thread (and every thread it starts later).
// Call first in main, before any thread exists.
void BlockShutdownSignals();

// Waits until SIGINT or SIGTERM arrives; returns the signal number.
int WaitForShutdownSignal();

// Sends SIGTERM to this process (used to end WaitForShutdownSignal from inside).
void RaiseShutdown();

}  // namespace pictor::app

#endif  // PICTOR_APP_SIGNALS_H_
