// Percent-encoding (RFC 3986 section 2.1) for URL paths and query strings, and its inverse.
//
// One encoder serves every caller: SigV4's canonical requests and the URLs sent to AWS, the image
// URLs the API hands out, and the query strings the Lambda adapter rebuilds. SigV4 asks for
// exactly RFC 3986's rule (every byte outside the unreserved set A-Z a-z 0-9 - . _ ~ escaped, hex
// in upper case, a space as %20, never '+'), so the only choice a caller makes is whether '/'
// separates path segments. Decoding comes in two strengths, for the two kinds of input.
//
// Free functions over byte strings, thread-safe.
#ifndef PICTOR_CORE_PERCENT_ENCODING_H_
#define PICTOR_CORE_PERCENT_ENCODING_H_

#include <optional>
#include <string>
#include <string_view>

namespace pictor {

// Percent-encodes every byte except RFC 3986's unreserved set, with upper-case hex. With
// keep_slash, '/' is also left as is (a path, such as an S3 key). A '%' already in the input is
// encoded again ("%2F" becomes "%252F"); bytes of UTF-8 are escaped one by one.
std::string PercentEncode(std::string_view in, bool keep_slash = false);

// Strict decoding, for text a peer sent that becomes a path or a value: %XX in either case; a
// '%' not followed by two hex digits, or a NUL byte (literal or %00; C APIs would cut the text
// there), makes the whole text invalid (nullopt). '+' is a space only with plus_is_space (HTML
// form encoding of query strings), otherwise itself.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space = false);

// Lenient decoding, for text that was written to be passed on (a proxy URL's user information,
// signed query strings): %XX in either case is decoded, and anything else, a malformed escape
// included, is kept literally. '+' stays '+'. Never fails.
std::string PercentDecodeLenient(std::string_view in);

}  // namespace pictor

#endif  // PICTOR_CORE_PERCENT_ENCODING_H_
