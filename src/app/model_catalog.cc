#include "app/model_catalog.h"

#include <toml++/toml.h>

#include <chrono>
#include <map>
#include <optional>
#include <utility>

#include "app/registry.h"
#include "app/settings.h"

namespace pictor::app {
namespace {

bool IsAliasName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Thread-safety: immutable after construction.
class ConfiguredCatalog final : public http::ModelCatalog {
 public:
  struct Entry {
    std::string id;
    const Pipeline* pipeline;
  };

  ConfiguredCatalog(const Pipeline& default_pipeline, std::vector<Entry> entries,
                    std::vector<std::unique_ptr<ImageModel>> models,
                    std::vector<std::unique_ptr<Pipeline>> pipelines)
      : default_(default_pipeline),
        entries_(std::move(entries)),
        models_(std::move(models)),
        pipelines_(std::move(pipelines)),
        created_(std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count()) {}

  std::vector<std::string> Ids() const override {
    std::vector<std::string> ids;
    ids.reserve(entries_.size());
    for (const Entry& e : entries_) ids.push_back(e.id);
    return ids;
  }

  const Pipeline* Find(std::string_view name) const override {
    if (name.empty() || name == default_.model.Name()) return &default_;
    for (const Entry& e : entries_) {
      if (e.id == name) return e.pipeline;
    }
    return nullptr;
  }

  int64_t CreatedSeconds() const override { return created_; }

 private:
  const Pipeline& default_;
  const std::vector<Entry> entries_;                       // the configured model first
  const std::vector<std::unique_ptr<ImageModel>> models_;  // before pipelines_ borrow them
  const std::vector<std::unique_ptr<Pipeline>> pipelines_;
  const int64_t created_;
};

}  // namespace

Result<std::vector<std::string>> AliasTexts(const std::vector<std::string>& flags,
                                            const std::string& config_file) {
  if (!flags.empty()) return flags;
  std::vector<std::string> texts = SplitAliasList(FirstEnv({"PICTOR_MODEL_ALIASES"}));
  if (!texts.empty() || config_file.empty()) return texts;
  toml::table file;
  try {
    file = toml::parse_file(config_file);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(config_file + ": " + std::string(e.description()));
  }
  const toml::node* table = file.get("model_aliases");
  if (table == nullptr) return texts;
  if (!table->is_table()) {
    return Status::InvalidArgument(config_file +
                                   ": model_aliases must be a table of NAME = \"SPEC\"");
  }
  for (const auto& [name, value] : *table->as_table()) {
    const std::optional<std::string> spec = value.value<std::string>();
    if (!value.is_string() || !spec) {
      return Status::InvalidArgument(config_file + ": model_aliases." + std::string(name.str()) +
                                     " must be a model spec in quotes");
    }
    texts.push_back(std::string(name.str()) + "=" + *spec);
  }
  return texts;
}

std::vector<std::string> SplitAliasList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view part = Trim(text.substr(0, comma));
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

Result<std::vector<ModelAlias>> ParseModelAliases(const std::vector<std::string>& texts) {
  std::vector<ModelAlias> aliases;
  for (const std::string& text : texts) {
    const size_t eq = text.find('=');
    std::string_view name = Trim(std::string_view(text).substr(0, eq));
    if (eq == std::string::npos || !IsAliasName(name)) {
      return Status::InvalidArgument(
          "--model-alias '" + text +
              "' must be NAME=SPEC, NAME 1 to 64 of the characters A-Z a-z 0-9 . _ : -",
          "invalid_alias");
    }
    std::string_view spec = Trim(std::string_view(text).substr(eq + 1));
    auto parsed = ParseModelSpec(spec);
    if (!parsed.ok()) {
      return Status::InvalidArgument(
          "--model-alias " + std::string(name) + ": " + parsed.status().message(), "invalid_alias");
    }
    for (const ModelAlias& a : aliases) {
      if (a.name == name) {
        return Status::InvalidArgument("--model-alias names '" + a.name + "' twice",
                                       "invalid_alias");
      }
    }
    aliases.push_back({std::string(name), std::string(spec), std::move(parsed).value()});
  }
  return aliases;
}

std::string ListedModelId(const ModelSpec& spec, std::string_view spec_text) {
  return spec.kind == ModelSpec::Kind::kOpenAi ? "openai" : std::string(spec_text);
}

Result<std::unique_ptr<http::ModelCatalog>> BuildModelCatalog(
    const Pipeline& default_pipeline, std::string_view default_spec,
    const std::vector<ModelAlias>& aliases) {
  auto parsed_default = ParseModelSpec(default_spec);
  if (!parsed_default.ok()) return parsed_default.status();
  const std::string default_id = ListedModelId(*parsed_default, default_spec);

  std::vector<ConfiguredCatalog::Entry> entries = {{default_id, &default_pipeline}};
  std::vector<std::unique_ptr<ImageModel>> models;
  std::vector<std::unique_ptr<Pipeline>> pipelines;
  std::map<std::string, const Pipeline*, std::less<>> by_spec = {
      {std::string(default_spec), &default_pipeline}};
  for (const ModelAlias& alias : aliases) {
    if (alias.name == default_id || alias.name == default_pipeline.model.Name()) {
      return Status::InvalidArgument(
          "--model-alias " + alias.name + " is the configured model's own name; choose another",
          "invalid_alias");
    }
    auto known = by_spec.find(alias.spec);
    if (known == by_spec.end()) {
      auto model = MakeModel(alias.parsed);
      if (!model.ok()) return model.status().WithContext("--model-alias " + alias.name);
      PipelineOptions options = default_pipeline.options();
      options.model_label = alias.spec;
      pipelines.push_back(
          std::make_unique<Pipeline>(**model, default_pipeline.store, std::move(options)));
      models.push_back(std::move(model).value());
      known = by_spec.emplace(alias.spec, pipelines.back().get()).first;
    }
    entries.push_back({alias.name, known->second});
  }
  return std::unique_ptr<http::ModelCatalog>(std::make_unique<ConfiguredCatalog>(
      default_pipeline, std::move(entries), std::move(models), std::move(pipelines)));
}

}  // namespace pictor::app
