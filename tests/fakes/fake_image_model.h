// A scriptable ImageModel for tests: returns a tiny valid PNG-like payload, or the failures it
// was told to return, and counts calls. Hold() makes each Generate wait inside the model until
// Release(), so a test knows exactly how many generations are in progress. Thread-safe.
#ifndef PICTOR_TESTS_FAKES_FAKE_IMAGE_MODEL_H_
#define PICTOR_TESTS_FAKES_FAKE_IMAGE_MODEL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "pictor/image_model.h"

namespace pictor::testing {

class FakeImageModel final : public ImageModel {
 public:
  std::string Name() const override { return "fake"; }

  Status Check(const GenerationRequest& request) const override {
    if (request.width > max_side || request.height > max_side) {
      return Status::InvalidArgument("fake model allows at most " + std::to_string(max_side),
                                     "invalid_size");
    }
    return Status::Ok();
  }

  // `price_usd` per image, whatever its size.
  double PriceUsd(const GenerationRequest& /*request*/) const override { return price_usd.load(); }

  Result<GeneratedImage> Generate(const GenerationRequest& request) override {
    calls.fetch_add(1);
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    {
      std::unique_lock lock(mu_);
      ++held_now_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return !holding_; });
      --held_now_;
      if (!failures_.empty()) {
        Status s = failures_.front();
        failures_.pop_front();
        return s;
      }
      if (always_fail_status_) return *always_fail_status_;
    }
    GeneratedImage image;
    image.png = "\x89PNG\r\n\x1a\n" + request.prompt + "#" + std::to_string(request.seed);
    image.model = "fake";
    image.seed = request.seed;
    image.width = request.width;
    image.height = request.height;
    return image;
  }

  // The next calls fail with these statuses, in order.
  void FailNext(Status status) {
    std::lock_guard lock(mu_);
    failures_.push_back(std::move(status));
  }
  void FailAlways(Status status) {
    std::lock_guard lock(mu_);
    always_fail_status_ = std::make_unique<Status>(std::move(status));
  }

  // Generate waits from now on until Release.
  void Hold() {
    std::lock_guard lock(mu_);
    holding_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    holding_ = false;
    changed_.notify_all();
  }
  // True once exactly `n` generations are waiting in Hold; false when `timeout` passed first.
  bool WaitForHeld(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return held_now_ == n; });
  }

  std::atomic<int> calls{0};
  std::atomic<double> price_usd{0};
  std::chrono::milliseconds delay{0};
  int max_side = 2048;

 private:
  std::mutex mu_;  // guards failures_, always_fail_status_, holding_, held_now_
  std::condition_variable changed_;
  bool holding_ = false;
  int held_now_ = 0;
  std::deque<Status> failures_;
  std::unique_ptr<Status> always_fail_status_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_FAKE_IMAGE_MODEL_H_
