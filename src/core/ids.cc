#include "core/ids.h"

#include <cstdio>
#include <ctime>
#include <random>

namespace pictor {
namespace {

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  return rng;
}

std::string Format(uint64_t hi, uint64_t lo) {
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 9562 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

}  // namespace

std::string NewUuid() {
  const uint64_t hi = (Rng()() & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  return Format(hi, Rng()());
}

std::string NewTimeOrderedUuid(int64_t epoch_ms) {
  const uint64_t ms = static_cast<uint64_t>(epoch_ms) & 0xFFFFFFFFFFFFull;
  const uint64_t hi = (ms << 16) | 0x7000ull | (Rng()() & 0x0FFFull);  // version 7
  return Format(hi, Rng()());
}

uint64_t RandomUpTo(uint64_t bound) {
  std::uniform_int_distribution<uint64_t> dist(0, bound);
  return dist(Rng());
}

std::string FormatIso8601(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(epoch_ms % 1000));
  return buf;
}

}  // namespace pictor
