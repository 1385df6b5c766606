// MD5, SHA-256 and HMAC-SHA256 over OpenSSL: SigV4's hashes and signatures, ETags, SQS's
// MD5OfMessageBody, webhook signatures and idempotency-key object names.
//
// Free functions, thread-safe (no shared state). Inputs and raw outputs are byte strings held in
// std::string; nothing here can fail for in-memory input, so none returns a Status (an OpenSSL
// failure would mean a broken library and aborts). MD5 is only ever a checksum peers ask for,
// never a security measure.
#ifndef PICTOR_CORE_DIGEST_H_
#define PICTOR_CORE_DIGEST_H_

#include <string>
#include <string_view>

namespace pictor {

// The 16-byte MD5 digest of `data`.
std::string Md5(std::string_view data);

// The MD5 digest of `data` as 32 lower-case hex characters.
std::string Md5Hex(std::string_view data);

// The 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);

// The SHA-256 digest of `data` as 64 lower-case hex characters.
std::string Sha256Hex(std::string_view data);

// The 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

}  // namespace pictor

#endif  // PICTOR_CORE_DIGEST_H_
