// ImageModel: the port every text-to-image backend implements.
#ifndef PICTOR_IMAGE_MODEL_H_
#define PICTOR_IMAGE_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pictor/request.h"
#include "pictor/status.h"

namespace pictor {

struct ImageSize {
  int width = 0;
  int height = 0;
  bool operator==(const ImageSize&) const = default;
};

// What a model accepts, as data, so that what GET /models publishes (and the page's form is built
// from) is what Check enforces: each model's Check reads the same constants. A field left at its
// default adds no limit of the model's own; the server's RequestLimits apply besides.
struct ModelLimits {
  // Exactly these sizes when not empty (the range fields below then say nothing).
  std::vector<ImageSize> sizes;
  int min_side = 1;
  int max_side = 0;             // 0: none of the model's own
  int side_step = 1;            // every side a multiple of this
  int64_t max_pixels = 0;       // width x height at most this; 0: no limit
  int max_aspect_ratio = 0;     // the longer side at most this many times the shorter; 0: no limit
  size_t max_prompt_chars = 0;  // code points, prompt and negative prompt; 0: none of its own
  uint32_t max_seed = kMaxSeed;

  bool operator==(const ModelLimits&) const = default;
};

// Turns a validated GenerationRequest into PNG bytes.
//
// Thread-safety: implementations are thread-safe; Generate may be called concurrently from
// many worker threads.
class ImageModel {
 public:
  ImageModel() = default;
  ImageModel(const ImageModel&) = delete;
  ImageModel& operator=(const ImageModel&) = delete;
  virtual ~ImageModel() = default;

  // A short name used in object keys and metrics: lower-case letters, digits, '-' only.
  virtual std::string Name() const = 0;

  // Checks the model's own limits (sizes, prompt length) without calling anything remote,
  // so a request the model would refuse is rejected before it costs anything.
  // Returns InvalidArgument with a user-facing message and reason when the request does not fit.
  virtual Status Check(const GenerationRequest& request) const = 0;

  // Makes one image. Errors: InvalidArgument (permanent: the model refused the prompt),
  // Unavailable / ResourceExhausted / DeadlineExceeded (retryable), Internal (the model's
  // answer was broken). On success the PNG has exactly the requested size.
  virtual Result<GeneratedImage> Generate(const GenerationRequest& request) = 0;

  // The list price in US dollars of the image Generate would make for `request` (its size, the
  // model's quality), from the price table the model was opened with (core/prices.h); 0 for a
  // model that costs nothing. Calls nothing remote: every generation is charged this before the
  // model is called.
  virtual double PriceUsd(const GenerationRequest& request) const = 0;

  // What the model accepts (sizes, prompt length, seeds), for GET /models. The default says the
  // model has no limits of its own; a model whose Check refuses anything says what here.
  virtual ModelLimits Limits() const { return {}; }
};

}  // namespace pictor

#endif  // PICTOR_IMAGE_MODEL_H_
