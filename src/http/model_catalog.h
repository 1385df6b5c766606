// The models a client of the OpenAI-compatible routes may name (GET /v1/models, the `model` of
// POST /v1/images/generations): the configured model and the aliases the operator configured,
// each generating through a Pipeline of its own over the server's one store. A client never
// names a model spec of its own choosing: a spec could point at any URL or at a paid model the
// operator did not choose (docs/DECISIONS.md).
//
// The catalog is built once (app/model_catalog.h builds the configured one) and its pipelines
// and models live as long as it does.
#ifndef PICTOR_HTTP_MODEL_CATALOG_H_
#define PICTOR_HTTP_MODEL_CATALOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/pipeline.h"

namespace pictor::http {

// Thread-safety: implementations are immutable after construction, so thread-safe.
class ModelCatalog {
 public:
  ModelCatalog() = default;
  ModelCatalog(const ModelCatalog&) = delete;
  ModelCatalog& operator=(const ModelCatalog&) = delete;
  virtual ~ModelCatalog() = default;

  // The ids GET /v1/models lists, the configured model's first, each once.
  virtual std::vector<std::string> Ids() const = 0;

  // The pipeline of the model `name` names: "" is the configured model; otherwise an id Ids()
  // lists, or the configured model's ImageModel::Name(). Null for any other name.
  virtual const Pipeline* Find(std::string_view name) const = 0;

  // The `created` of every listed model (Unix seconds): when the catalog was built.
  virtual int64_t CreatedSeconds() const = 0;
};

// The catalog of one pipeline's model, listed as `id`: what an Api configured with no catalog
// serves. `pipeline` outlives the catalog.
std::unique_ptr<ModelCatalog> NewSingleModelCatalog(const Pipeline& pipeline, std::string id);

}  // namespace pictor::http

#endif  // PICTOR_HTTP_MODEL_CATALOG_H_
