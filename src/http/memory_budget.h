// Admission of synchronous image generations by the memory they hold. Each POST /generate-image
// renders and encodes a whole canvas while its client waits; without a bound, concurrent large
// requests add up to more memory than the host has. Requests beyond the budget are refused at
// once (503, Retry-After) rather than queued, so the client can back off or go elsewhere.
#ifndef PICTOR_HTTP_MEMORY_BUDGET_H_
#define PICTOR_HTTP_MEMORY_BUDGET_H_

#include <cstddef>
#include <mutex>
#include <optional>

namespace pictor::http {

// Bytes a synchronous generation of width × height holds at its peak: the RGB canvas (3 B/px),
// the renderer's coverage accumulation (up to 4 B/px, for a full-canvas fill), the filtered PNG
// rows (3 B/px, after the accumulation is gone) and the encoded PNG on its way to the store.
// bench/http/sync_memory.py measured 7.6 B/px for the builtin model (one request, peak RSS
// minus RSS before, at 1024² and 2048²); 10 B/px leaves room for scenes that compress worse.
size_t EstimateGenerationBytes(int width, int height);

// A budget of bytes shared by concurrent holders. Thread-safe.
class MemoryBudget {
 public:
  // A share of the budget, given back on destruction. Move-only.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    size_t bytes() const { return bytes_; }

   private:
    friend class MemoryBudget;
    Lease(MemoryBudget* budget, size_t bytes) : budget_(budget), bytes_(bytes) {}
    MemoryBudget* budget_;
    size_t bytes_;
  };

  // `capacity` 0 means unbounded.
  explicit MemoryBudget(size_t capacity) : capacity_(capacity) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // A lease of `bytes` when it fits beside the leases held; nullopt otherwise. A request larger
  // than the whole budget is admitted only while nothing else is held, so it is served alone
  // rather than never.
  std::optional<Lease> TryAcquire(size_t bytes);
  size_t in_use() const;
  size_t capacity() const { return capacity_; }

 private:
  void Release(size_t bytes);

  const size_t capacity_;
  mutable std::mutex mu_;  // guards in_use_
  size_t in_use_ = 0;
};

// Makes the C allocator give large blocks back to the system: allocations from `threshold`
// bytes up are mmapped (and unmapped when freed) instead of staying in the heap. Call once at
// start-up, before threads. No effect where the allocator is not glibc's.
void ReturnLargeBlocksToSystem(size_t threshold = 1024 * 1024);

// Returns freed heap memory to the system at once (glibc malloc_trim); for after a large
// generation, whose smaller blocks stay below the mmap threshold.
void TrimHeap();

}  // namespace pictor::http

#endif  // PICTOR_HTTP_MEMORY_BUDGET_H_
