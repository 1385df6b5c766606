#include "app/key_check.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace pictor::app {

Result<std::vector<Budget>> KeyBudgets::BudgetsOf(std::string_view owner) {
  std::optional<AuthenticatedKey> key = authenticator_.Find(owner);
  if (!key) return std::vector<Budget>{};
  return key->budgets;
}

Result<std::unique_ptr<KeyCheck>> StartKeyCheck(const Runtime& runtime,
                                                const CommonSettings& settings,
                                                bool background_refresh) {
  auto check = std::make_unique<KeyCheck>();
  auto parts = BuildKeyStore(KeyStoreSpecFor(runtime.ledger_spec),
                             LedgerContext{runtime.store.get(), settings.key_prefix});
  if (!parts.ok()) return parts.status().WithContext("opening the API key store");
  check->parts = std::move(parts).value();
  check->authenticator = std::make_unique<Authenticator>(*check->parts.keys);
  if (Status s = check->authenticator->Refresh(); !s.ok()) return s;
  check->budgets = std::make_unique<KeyBudgets>(*check->authenticator);
  auto keys = check->parts.keys->List();
  size_t active = 0;
  if (keys.ok()) {
    for (const ApiKeyRecord& k : *keys) active += k.revoked_ms == 0 ? 1 : 0;
  }
  if (active == 0) {
    spdlog::warn(
        "--auth keys: no active API key yet, so every request but /healthz and /readyz is "
        "refused; make one with 'pictor keys create --name NAME' and the same --queue, --jobs "
        "and --store");
  } else {
    spdlog::info("--auth keys: {} active API keys", active);
  }
  if (background_refresh) check->authenticator->StartRefreshing();
  return check;
}

}  // namespace pictor::app
