// Wall-clock time as a borrowed interface, so that what depends on calendar time (budget
// periods, the worker's pause until a budget resets) can be tested on a clock the test moves.
#ifndef PICTOR_CORE_CLOCK_H_
#define PICTOR_CORE_CLOCK_H_

#include <cstdint>

namespace pictor {

// Thread-safety: implementations are thread-safe.
class Clock {
 public:
  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;

  // Unix epoch milliseconds.
  virtual int64_t NowMs() const = 0;
};

// The system's clock; lives for the whole program.
Clock& SystemClock();

}  // namespace pictor

#endif  // PICTOR_CORE_CLOCK_H_
