// Object keys (ValidateObjectKey, src/core/object_key.cc): every key a store takes passes here,
// and keys come from request paths (GET /images/...) and queue messages. The input is the key.
// Invariants: an accepted key is 1..1024 bytes of valid UTF-8 with no control character (NUL
// included), does not start with '/', and has no empty, "." or ".." segment: joined to a store
// root it can never leave it.
#include <string>

#include "core/utf8.h"
#include "fuzz_check.h"
#include "pictor/object_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view key = pictor::fuzz::AsText(data, size);
  pictor::Status status = pictor::ValidateObjectKey(key);
  if (!status.ok()) {
    FUZZ_CHECK(status.code() == pictor::StatusCode::kInvalidArgument);
    FUZZ_CHECK(status.reason() == "invalid_key");
    return 0;
  }
  FUZZ_CHECK(!key.empty() && key.size() <= 1024);
  FUZZ_CHECK(pictor::IsValidUtf8(key));
  FUZZ_CHECK(key.front() != '/' && key.back() != '/');
  FUZZ_CHECK(key.find('\0') == std::string_view::npos);
  for (unsigned char c : key) FUZZ_CHECK(c >= 0x20 && c != 0x7F);
  FUZZ_CHECK(key.find("//") == std::string_view::npos);
  const std::string wrapped = "/" + std::string(key) + "/";
  FUZZ_CHECK(wrapped.find("/../") == std::string::npos);
  FUZZ_CHECK(wrapped.find("/./") == std::string::npos);
  return 0;
}
