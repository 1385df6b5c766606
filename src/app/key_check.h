// The API keys a serving process checks (`serve --auth keys`, the Lambda API function with
// PICTOR_AUTH=keys): the key store `pictor keys` writes to, found from the same flags and
// environment (KeyStoreSpecFor the runtime's ledger spec), and an Authenticator over it.
#ifndef PICTOR_APP_KEY_CHECK_H_
#define PICTOR_APP_KEY_CHECK_H_

#include <memory>

#include "app/registry.h"
#include "app/settings.h"
#include "core/authenticator.h"

namespace pictor::app {

struct KeyCheck {
  KeyStoreParts parts;  // declared first: outlives the authenticator that borrows it
  std::unique_ptr<Authenticator> authenticator;
};

// Opens the key store of `runtime` (built with its store and ledger parts; `settings` after
// ApplyEnvironment) and reads the keys once: a process that cannot read its keys must not
// start. `background_refresh`: keep the set fresh from a thread (serve); otherwise requests
// re-read it when it is older than 2 s (Lambda, whose threads are frozen between invocations).
// Logs a warning, naming where keys are looked for, when there is no active key yet.
Result<std::unique_ptr<KeyCheck>> StartKeyCheck(const Runtime& runtime,
                                                const CommonSettings& settings,
                                                bool background_refresh);

}  // namespace pictor::app

#endif  // PICTOR_APP_KEY_CHECK_H_
