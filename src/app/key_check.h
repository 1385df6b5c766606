// The API keys a serving process checks (`serve --auth keys`, the Lambda API function with
// PICTOR_AUTH=keys): the key store `pictor keys` writes to, found from the same flags and
// environment (KeyStoreSpecFor the runtime's ledger spec), and an Authenticator over it.
#ifndef PICTOR_APP_KEY_CHECK_H_
#define PICTOR_APP_KEY_CHECK_H_

#include <memory>

#include "app/registry.h"
#include "app/settings.h"
#include "core/authenticator.h"
#include "core/spend.h"

namespace pictor::app {

// The budgets of each key, as the authenticator's cached set has them: what the pipeline
// charges a key's images against (PipelineOptions::owner_budgets). A key that is gone from the
// set has none of its own; the global budgets still apply.
class KeyBudgets final : public OwnerBudgets {
 public:
  explicit KeyBudgets(Authenticator& authenticator) : authenticator_(authenticator) {}
  Result<std::vector<Budget>> BudgetsOf(std::string_view owner) override;

 private:
  Authenticator& authenticator_;
};

struct KeyCheck {
  KeyStoreParts parts;  // declared first: outlives the authenticator that borrows it
  std::unique_ptr<Authenticator> authenticator;
  std::unique_ptr<KeyBudgets> budgets;  // over `authenticator`
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
