// SHA-256 and HMAC-SHA256 over OpenSSL, the two primitives AWS Signature Version 4 needs.
//
// Free functions, thread-safe (no shared state). Inputs and raw outputs are byte strings held in
// std::string; nothing here can fail for in-memory input, so none returns a Status (an OpenSSL
// failure would mean a broken library and aborts).
#ifndef PICTOR_AWS_CRYPTO_H_
#define PICTOR_AWS_CRYPTO_H_

#include <string>
#include <string_view>

namespace pictor::aws {

// The 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);

// The SHA-256 digest of `data` as 64 lower-case hex characters.
std::string Sha256Hex(std::string_view data);

// The 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

// `bytes` as lower-case hex, two characters per byte.
std::string HexEncode(std::string_view bytes);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_CRYPTO_H_
