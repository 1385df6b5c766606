#include "model/builtin/builtin_model.h"

#include <string>
#include <utility>

#include "image/png_writer.h"
#include "image/scene.h"

namespace pictor {
namespace {

class BuiltinModel final : public ImageModel {
 public:
  explicit BuiltinModel(PriceTable prices) : prices_(std::move(prices)) {}

  std::string Name() const override { return "builtin"; }

  Status Check(const GenerationRequest& request) const override {
    auto fits = [](int side) { return side >= kBuiltinMinSide && side <= kBuiltinMaxSide; };
    if (!fits(request.width) || !fits(request.height)) {
      return Status::InvalidArgument(
          "the builtin model makes images from " + std::to_string(kBuiltinMinSide) + " to " +
              std::to_string(kBuiltinMaxSide) + " pixels on each side; asked for " +
              std::to_string(request.width) + "x" + std::to_string(request.height),
          "invalid_size");
    }
    return Status::Ok();
  }

  Result<GeneratedImage> Generate(const GenerationRequest& request) override {
    if (Status s = Check(request); !s.ok()) return s;
    const image::Canvas canvas =
        image::RenderScene(request.prompt, request.seed, request.width, request.height);
    std::string png = image::EncodePng(canvas.pixels(), canvas.width(), canvas.height(), 3);
    if (png.empty()) return Status::Internal("the builtin model could not encode its PNG");
    return GeneratedImage{std::move(png), Name(), request.seed, request.width, request.height};
  }

  double PriceUsd(const GenerationRequest& request) const override {
    return prices_.PriceUsd(Name(), request.width, request.height);
  }

  ModelLimits Limits() const override {
    ModelLimits limits;
    limits.min_side = kBuiltinMinSide;
    limits.max_side = kBuiltinMaxSide;
    return limits;
  }

 private:
  const PriceTable prices_;
};

}  // namespace

std::unique_ptr<ImageModel> NewBuiltinModel(PriceTable prices) {
  return std::make_unique<BuiltinModel>(std::move(prices));
}

}  // namespace pictor
