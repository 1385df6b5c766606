#include "queue/sqlite/message_format.h"
#include "core/hex.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

namespace pictor::sqlite_queue {
namespace {

std::string Hex(const unsigned char* data, size_t size) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(data), size));
}

// Fills `out` from OpenSSL's CSPRNG; falls back to std::random_device (also a system
// entropy source on Linux) in the unlikely event OpenSSL cannot seed itself.
template <size_t N>
std::array<unsigned char, N> RandomBytes() {
  std::array<unsigned char, N> out{};
  if (RAND_bytes(out.data(), static_cast<int>(N)) != 1) {
    std::random_device device;
    for (auto& byte : out) byte = static_cast<unsigned char>(device());
  }
  return out;
}

bool IsAllowedCodePoint(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

}  // namespace

Status ValidateBody(std::string_view body) {
  if (body.empty()) return Status::InvalidArgument("message body is empty", "empty_message");
  if (body.size() > kMaxMessageBytes) {
    return Status::InvalidArgument("message body is " + std::to_string(body.size()) +
                                       " bytes; the limit is " + std::to_string(kMaxMessageBytes),
                                   "message_too_large");
  }
  size_t i = 0;
  while (i < body.size()) {
    const auto lead = static_cast<unsigned char>(body[i]);
    size_t extra = 0;
    uint32_t cp = lead;
    uint32_t min = 0;
    bool valid = true;
    if (lead >= 0x80) {
      if ((lead & 0xE0) == 0xC0) {
        extra = 1, cp = lead & 0x1F, min = 0x80;
      } else if ((lead & 0xF0) == 0xE0) {
        extra = 2, cp = lead & 0x0F, min = 0x800;
      } else if ((lead & 0xF8) == 0xF0) {
        extra = 3, cp = lead & 0x07, min = 0x10000;
      } else {
        valid = false;
      }
    }
    valid = valid && i + extra < body.size();
    for (size_t k = 1; valid && k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(body[i + k]);
      valid = (next & 0xC0) == 0x80;
      cp = (cp << 6) | (next & 0x3F);
    }
    if (!valid || cp < min) {  // truncated, stray continuation byte, or overlong form
      return Status::InvalidArgument(
          "message body is not valid UTF-8 (byte offset " + std::to_string(i) + ")",
          "invalid_utf8");
    }
    if (!IsAllowedCodePoint(cp)) {
      char name[16];
      std::snprintf(name, sizeof name, "U+%04X", cp);
      return Status::InvalidArgument(std::string("message body contains ") + name +
                                         ", a character SQS does not allow (byte offset " +
                                         std::to_string(i) + ")",
                                     "invalid_character");
    }
    i += extra + 1;
  }
  return Status::Ok();
}

std::string NewMessageId() {
  auto bytes = RandomBytes<16>();
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  const std::string hex = Hex(bytes.data(), bytes.size());
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string NewReceiptToken() {
  const auto bytes = RandomBytes<16>();
  return Hex(bytes.data(), bytes.size());
}

}  // namespace pictor::sqlite_queue
