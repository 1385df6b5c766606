// ImageModelWrapper: an ImageModel that forwards every call to another (LevelDB's EnvWrapper),
// the base of decorators that time, gate or fail generation: such a decorator overrides only
// what it changes, and a method added to ImageModel is forwarded here once instead of silently
// missing from every decorator. Thread-safety: as the wrapped model's.
#ifndef PICTOR_IMAGE_MODEL_WRAPPER_H_
#define PICTOR_IMAGE_MODEL_WRAPPER_H_

#include <string>
#include <type_traits>

#include "pictor/image_model.h"

namespace pictor {

class ImageModelWrapper : public ImageModel {
 public:
  // Borrows `target`, which must outlive the wrapper.
  explicit ImageModelWrapper(ImageModel& target) : target_(target) {}

  ImageModel& target() const { return target_; }

  std::string Name() const override { return target_.Name(); }
  Status Check(const GenerationRequest& request) const override { return target_.Check(request); }
  Result<GeneratedImage> Generate(const GenerationRequest& request) override {
    return target_.Generate(request);
  }
  double PriceUsd(const GenerationRequest& request) const override {
    return target_.PriceUsd(request);
  }
  ModelLimits Limits() const override { return target_.Limits(); }

 private:
  ImageModel& target_;
};

// Fails to compile when ImageModel gains a pure virtual method not forwarded above.
static_assert(!std::is_abstract_v<ImageModelWrapper>);

}  // namespace pictor

#endif  // PICTOR_IMAGE_MODEL_WRAPPER_H_
