// The configured ModelCatalog (http/model_catalog.h): the command's model and the operator's
// aliases (`--model-alias NAME=SPEC`, repeatable, or PICTOR_MODEL_ALIASES="NAME=SPEC,...", or the
// configuration file's [model_aliases]), each
// alias's model built once, at start-up, and shared by aliases of one spec.
#ifndef PICTOR_APP_MODEL_CATALOG_H_
#define PICTOR_APP_MODEL_CATALOG_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/specs.h"
#include "core/pipeline.h"
#include "http/model_catalog.h"
#include "pictor/status.h"

namespace pictor::app {

struct ModelAlias {
  std::string name;  // what clients send as `model`
  std::string spec;  // the model spec it stands for, as the operator wrote it
  ModelSpec parsed;
};

// "dall-e-3=builtin" → {dall-e-3, builtin}. The name: 1 to 64 of [A-Za-z0-9._:-]; the spec: any
// ParseModelSpec accepts. Names given twice are refused. InvalidArgument naming the flag.
Result<std::vector<ModelAlias>> ParseModelAliases(const std::vector<std::string>& texts);

// The alias texts a command uses, from the first source that has any: `flags` (--model-alias),
// PICTOR_MODEL_ALIASES, then the configuration file's [model_aliases] table (`config_file`,
// --config / PICTOR_CONFIG; empty: none), whose keys are names and values spec strings:
//   [model_aliases]
//   dall-e-3 = "bedrock:amazon.titan-image-generator-v2:0"
// InvalidArgument naming the file and key for a file that does not parse or a value that is not
// a string.
Result<std::vector<std::string>> AliasTexts(const std::vector<std::string>& flags,
                                            const std::string& config_file);

// Splits PICTOR_MODEL_ALIASES's value at commas ("a=builtin, b=bedrock:..." → two texts).
std::vector<std::string> SplitAliasList(std::string_view text);

// The id the configured model is listed under: its spec, except that an openai: spec is listed
// as "openai", so that GET /v1/models does not publish the upstream server's URL.
std::string ListedModelId(const ModelSpec& spec, std::string_view spec_text);

// The catalog of `default_pipeline` (listed as ListedModelId of `default_spec`) and `aliases`:
// an alias whose spec is the configured model's uses its pipeline; others get a model of their
// own (MakeModel) and a pipeline with the default's options (model_label: the alias's spec).
// `default_pipeline` outlives the catalog. An alias named like the configured model's id is
// refused. A model that cannot be built is its MakeModel error.
Result<std::unique_ptr<http::ModelCatalog>> BuildModelCatalog(
    const Pipeline& default_pipeline, std::string_view default_spec,
    const std::vector<ModelAlias>& aliases);

}  // namespace pictor::app

#endif  // PICTOR_APP_MODEL_CATALOG_H_
