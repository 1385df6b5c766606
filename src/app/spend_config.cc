#include "app/spend_config.h"

#include <toml++/toml.h>

#include <optional>

#include "app/settings.h"
#include "core/quota.h"

namespace pictor::app {
namespace {

Status AddBudget(std::string_view where, std::string_view text, std::vector<Budget>& out) {
  auto budget = ParseBudget(text);
  if (!budget.ok()) return budget.status().WithContext(std::string(where));
  out.push_back(*budget);
  return Status::Ok();
}

Status ReadPrices(const toml::table& file, const std::string& name, PriceTable& prices) {
  const toml::node* node = file.get("prices");
  if (node == nullptr) return Status::Ok();
  const toml::table* table = node->as_table();
  if (table == nullptr) return Status::InvalidArgument(name + ": 'prices' must be a table");
  for (const auto& [key, value] : *table) {
    std::optional<double> usd;
    if (value.is_integer()) usd = static_cast<double>(*value.value<int64_t>());
    if (value.is_floating_point()) usd = value.value<double>();
    const std::string model(key.str());
    if (!usd) {
      return Status::InvalidArgument(name + ": the price of '" + model +
                                     "' must be a number of US dollars");
    }
    if (Status s = prices.Override(model, *usd); !s.ok()) return s.WithContext(name);
  }
  return Status::Ok();
}

Status ReadBudgets(const toml::table& file, const std::string& name, std::vector<Budget>& out) {
  const toml::node* node = file.get("budgets");
  if (node == nullptr) return Status::Ok();
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    return Status::InvalidArgument(name + ": 'budgets' must be an array such as [\"50usd/day\"]");
  }
  for (const auto& item : *array) {
    auto text = item.value<std::string>();
    if (!text) return Status::InvalidArgument(name + ": 'budgets' holds a non-string");
    if (Status s = AddBudget(name + ": budgets", *text, out); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Result<SpendConfig> LoadSpendConfig(const std::string& config_file,
                                    const std::vector<std::string>& budget_flags) {
  SpendConfig config;
  std::vector<Budget> file_budgets;
  if (!config_file.empty()) {
    toml::table file;
    try {
      file = toml::parse_file(config_file);
    } catch (const toml::parse_error& e) {
      return Status::InvalidArgument(config_file + ": " + std::string(e.description()));
    }
    if (Status s = ReadPrices(file, config_file, config.prices); !s.ok()) return s;
    if (Status s = ReadBudgets(file, config_file, file_budgets); !s.ok()) return s;
  }
  if (!budget_flags.empty()) {
    for (const std::string& text : budget_flags) {
      if (Status s = AddBudget("--budget", text, config.budgets); !s.ok()) return s;
    }
  } else {
    config.budgets = std::move(file_budgets);
  }
  if (config.budgets.empty() && budget_flags.empty()) {
    const std::string env = FirstEnv({"PICTOR_BUDGETS"});
    std::string_view rest = env;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      if (Status s = AddBudget("PICTOR_BUDGETS", rest.substr(0, comma), config.budgets); !s.ok()) {
        return s;
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return config;
}

}  // namespace pictor::app
