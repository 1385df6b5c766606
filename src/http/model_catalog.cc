#include "http/model_catalog.h"

#include <chrono>
#include <utility>

namespace pictor::http {
namespace {

class SingleModelCatalog final : public ModelCatalog {
 public:
  SingleModelCatalog(const Pipeline& pipeline, std::string id)
      : pipeline_(pipeline),
        id_(std::move(id)),
        created_(std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count()) {}

  std::vector<std::string> Ids() const override { return {id_}; }

  const Pipeline* Find(std::string_view name) const override {
    if (name.empty() || name == id_ || name == pipeline_.model.Name()) return &pipeline_;
    return nullptr;
  }

  int64_t CreatedSeconds() const override { return created_; }

 private:
  const Pipeline& pipeline_;
  const std::string id_;
  const int64_t created_;
};

}  // namespace

std::unique_ptr<ModelCatalog> NewSingleModelCatalog(const Pipeline& pipeline, std::string id) {
  return std::make_unique<SingleModelCatalog>(pipeline, std::move(id));
}

}  // namespace pictor::http
