// What every fuzz target shares: the libFuzzer entry point's signature, a check that aborts
// (libFuzzer and the corpus driver both report an abort as a failure, with the input that caused
// it), and a cursor that splits one input into several values.
#ifndef PICTOR_TESTS_FUZZ_FUZZ_CHECK_H_
#define PICTOR_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// An invariant of the code under test. On failure: the condition, where, and abort().
#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

namespace pictor::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits an input into parts: a byte taken from the front, or text up to the next separator.
// Running out of input yields 0 and "" so every input is a valid sequence of parts.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : rest_(data) {}

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    uint8_t b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  // The text before the next `separator` (which is consumed), or everything left.
  std::string_view Until(char separator) {
    size_t at = rest_.find(separator);
    std::string_view part = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + 1);
    return part;
  }

  std::string_view Rest() {
    std::string_view all = rest_;
    rest_ = {};
    return all;
  }

  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace pictor::fuzz

#endif  // PICTOR_TESTS_FUZZ_FUZZ_CHECK_H_
