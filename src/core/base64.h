// Standard base64 (RFC 4648 section 4: alphabet A-Z a-z 0-9 + /, '=' padding, no line breaks),
// the one encoder and decoder every module uses: API Gateway bodies, remote models' PNG answers,
// HTTP Basic proxy credentials, S3's Content-MD5, SMTP AUTH and RFC 2047 encoded words.
//
// Free functions, thread-safe, no I/O. Decoding never throws: text that is not base64 is nullopt.
#ifndef PICTOR_CORE_BASE64_H_
#define PICTOR_CORE_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace pictor {

// `bytes` as base64, padded with '=' to a multiple of four characters: "ab" -> "YWI=".
std::string Base64Encode(std::string_view bytes);

// How Base64Decode reads the '=' at the end of the text. Both refuse '=' anywhere else.
enum class Base64Padding {
  // '=' is optional; when present it is exactly what completes the final group to four
  // characters ("YWI=" and "YWI" are accepted, "YWI==" and "YW=" are not).
  kStrict,
  // Any number of trailing '=' is ignored ("YWI===" is "ab"), as API Gateway bodies were read.
  kLenient,
};

// The bytes `text` encodes; nullopt on a character outside the alphabet (whitespace included),
// '=' other than the trailing padding `padding` allows, or a final group of one character.
// Unused bits of the last character are not checked.
std::optional<std::string> Base64Decode(std::string_view text,
                                        Base64Padding padding = Base64Padding::kStrict);

}  // namespace pictor

#endif  // PICTOR_CORE_BASE64_H_
