// SigV4 canonicalisation and signing (src/aws/sigv4, src/aws/uri_encode): a request whose
// method, path, query and headers come from the input, signed with headers and presigned. The
// first byte picks the flavour (S3 or not, path normalisation, content hash header, presign
// expiry); then NUL-separated fields: method, path, region, service, payload hash, and up to 8
// "name=value" query parameters and 8 "name:value" headers (a Host header is always added).
// Invariants: a signature is 64 lower-case hex digits and is HMAC-SHA256(signing key,
// string to sign); signing twice gives the same result; the secret key appears nowhere in what
// signing returns; UriDecode undoes UriEncode; an encoded string holds only unreserved
// characters and %XX; NormalizePath is idempotent and leaves no empty, "." or ".." segment.
#include <chrono>
#include <string>

#include "aws/path_normalization.h"
#include "aws/sigv4.h"
#include "core/digest.h"
#include "core/hex.h"
#include "core/percent_encoding.h"
#include "fuzz_check.h"

namespace aws = pictor::aws;

namespace {

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFUZZSECRETKEY";

void CheckEncoding(std::string_view text) {
  for (bool keep_slash : {false, true}) {
    const std::string encoded = pictor::PercentEncode(text, keep_slash);
    FUZZ_CHECK(pictor::PercentDecodeLenient(encoded) == text);
    for (size_t i = 0; i < encoded.size(); ++i) {
      const char c = encoded[i];
      const bool unreserved = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                              c == '_' || c == '~' || (keep_slash && c == '/');
      if (c == '%') {
        FUZZ_CHECK(i + 2 < encoded.size() &&
                   std::isxdigit(static_cast<unsigned char>(encoded[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(encoded[i + 2])));
        i += 2;
      } else {
        FUZZ_CHECK(unreserved);
      }
    }
  }
  const std::string path = aws::NormalizePath(text);
  FUZZ_CHECK(!path.empty() && path.front() == '/');
  FUZZ_CHECK(aws::NormalizePath(path) == path);
  FUZZ_CHECK(path.find("//") == std::string::npos);
  FUZZ_CHECK(path.find("/./") == std::string::npos && path.find("/../") == std::string::npos);
  FUZZ_CHECK(!path.ends_with("/.") && !path.ends_with("/.."));
}

// `input_has_secret`: the fuzzer may copy the secret into the request (it learns the strings the
// target compares with); only then may the signed request text carry it.
void CheckSigned(const aws::SignedParts& parts, const aws::SigningParams& params,
                 bool input_has_secret) {
  FUZZ_CHECK(parts.signature.size() == 64);
  for (char c : parts.signature)
    FUZZ_CHECK(std::isxdigit(static_cast<unsigned char>(c)) &&
               !std::isupper(static_cast<unsigned char>(c)));
  const std::string date = aws::AmzDate(params.time).substr(0, 8);
  const std::string key = aws::DeriveSigningKey(kSecret, date, params.region, params.service);
  FUZZ_CHECK(pictor::HexEncode(pictor::HmacSha256(key, parts.string_to_sign)) == parts.signature);
  if (input_has_secret) return;
  for (const std::string* text : {&parts.canonical_request, &parts.string_to_sign,
                                  &parts.authorization, &parts.query_string}) {
    FUZZ_CHECK(text->find(kSecret) == std::string::npos);
  }
  for (const auto& [name, value] : parts.added_headers) {
    FUZZ_CHECK(value.find(kSecret) == std::string::npos);
  }
}

bool Same(const aws::SignedParts& a, const aws::SignedParts& b) {
  return a.canonical_request == b.canonical_request && a.signature == b.signature &&
         a.authorization == b.authorization && a.query_string == b.query_string &&
         a.added_headers == b.added_headers;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bool input_has_secret =
      pictor::fuzz::AsText(data, size).find(kSecret) != std::string_view::npos;
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  const uint8_t flags = in.Byte();
  aws::SigningRequest request;
  request.method = std::string(in.Until('\0'));
  request.path = std::string(in.Until('\0'));
  aws::SigningParams params;
  params.region = std::string(in.Until('\0'));
  params.service = std::string(in.Until('\0'));
  request.payload_sha256 = std::string(in.Until('\0'));
  params.time = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000 + flags));
  params.s3_mode = flags & 1;
  params.normalize_path = flags & 2;
  params.sign_content_sha256 = flags & 4;
  params.omit_session_token = flags & 8;
  request.headers.emplace_back("Host", "bucket.s3.us-east-1.amazonaws.com");
  for (int i = 0; i < 16 && !in.empty(); ++i) {
    std::string_view field = in.Until('\0');
    if (i % 2 == 0) {
      size_t eq = field.find('=');
      request.query.emplace_back(
          std::string(field.substr(0, eq)),
          eq == std::string_view::npos ? "" : std::string(field.substr(eq + 1)));
    } else {
      size_t colon = field.find(':');
      request.headers.emplace_back(
          std::string(field.substr(0, colon)),
          colon == std::string_view::npos ? "" : std::string(field.substr(colon + 1)));
    }
  }
  CheckEncoding(request.path);
  const aws::Credentials credentials{"AKIAFUZZFUZZFUZZFUZZ", std::string(kSecret),
                                     (flags & 16) ? "FQoGZXIvYXdzEFUZZTOKEN" : ""};

  pictor::Result<aws::SignedParts> signed_headers = aws::SignHeaders(request, credentials, params);
  if (signed_headers.ok()) {
    CheckSigned(*signed_headers, params, input_has_secret);
    auto again = aws::SignHeaders(request, credentials, params);
    FUZZ_CHECK(again.ok() && Same(*again, *signed_headers));
  }
  const std::chrono::seconds expires((flags >> 5) == 7 ? 604801 : 1 + (flags >> 5) * 3600);
  pictor::Result<aws::SignedParts> presigned =
      aws::PresignQuery(request, credentials, params, expires);
  if (presigned.ok()) {
    FUZZ_CHECK(expires.count() <= 604800);
    CheckSigned(*presigned, params, input_has_secret);
    FUZZ_CHECK(presigned->query_string.find("X-Amz-Signature=" + presigned->signature) !=
               std::string::npos);
  }
  return 0;
}
