#include "core/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "core/hex.h"

namespace pictor {
namespace {

std::string Digest(std::string_view data, const EVP_MD* type) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, type, nullptr) != 1) {
    std::abort();  // Only a broken OpenSSL fails to hash memory.
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace

std::string Md5(std::string_view data) { return Digest(data, EVP_md5()); }

std::string Md5Hex(std::string_view data) { return HexEncode(Md5(data)); }

std::string Sha256(std::string_view data) { return Digest(data, EVP_sha256()); }

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
           &length) == nullptr) {
    std::abort();  // Only a broken OpenSSL fails to MAC memory.
  }
  return std::string(reinterpret_cast<const char*>(mac), length);
}

}  // namespace pictor
