// ImageModel: the port every text-to-image backend implements.
#ifndef PICTOR_IMAGE_MODEL_H_
#define PICTOR_IMAGE_MODEL_H_

#include <string>

#include "pictor/request.h"
#include "pictor/status.h"

namespace pictor {

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
};

}  // namespace pictor

#endif  // PICTOR_IMAGE_MODEL_H_
