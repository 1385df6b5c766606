#include "http/memory_budget.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <utility>

namespace pictor::http {

size_t EstimateGenerationBytes(int width, int height) {
  constexpr size_t kBytesPerPixel = 10;
  constexpr size_t kFixed = 1024 * 1024;  // scene, lexicon, buffers that do not scale
  if (width <= 0 || height <= 0) return kFixed;
  return static_cast<size_t>(width) * static_cast<size_t>(height) * kBytesPerPixel + kFixed;
}

MemoryBudget::Lease::Lease(Lease&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

MemoryBudget::Lease::~Lease() {
  if (budget_ != nullptr) budget_->Release(bytes_);
}

std::optional<MemoryBudget::Lease> MemoryBudget::TryAcquire(size_t bytes) {
  std::lock_guard lock(mu_);
  const bool fits =
      capacity_ == 0 || in_use_ == 0 || (in_use_ < capacity_ && bytes <= capacity_ - in_use_);
  if (!fits) return std::nullopt;
  in_use_ += bytes;
  return Lease(this, bytes);
}

size_t MemoryBudget::in_use() const {
  std::lock_guard lock(mu_);
  return in_use_;
}

void MemoryBudget::Release(size_t bytes) {
  std::lock_guard lock(mu_);
  in_use_ -= bytes;
}

void ReturnLargeBlocksToSystem(size_t threshold) {
#if defined(__GLIBC__)
  // Fixing the threshold also stops glibc from raising it after the first large free, which is
  // what otherwise keeps every later canvas in the heap for good.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(threshold));
#else
  (void)threshold;
#endif
}

void TrimHeap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace pictor::http
