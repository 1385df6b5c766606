// Standard base64 (RFC 4648, '=' padding) for API Gateway bodies marked isBase64Encoded.
#ifndef PICTOR_LAMBDA_BASE64_H_
#define PICTOR_LAMBDA_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace pictor::lambda {

std::string EncodeBase64(std::string_view bytes);

// nullopt on a character outside the alphabet or a truncated group. Whitespace is not accepted.
std::optional<std::string> DecodeBase64Text(std::string_view text);

}  // namespace pictor::lambda

#endif  // PICTOR_LAMBDA_BASE64_H_
