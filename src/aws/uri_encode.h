// Percent-encoding as AWS Signature Version 4 defines it, and the path normalisation it asks for.
//
// Free functions over byte strings, thread-safe, no failure modes: malformed input is passed
// through rather than rejected, because the signer must sign what is sent.
#ifndef PICTOR_AWS_URI_ENCODE_H_
#define PICTOR_AWS_URI_ENCODE_H_

#include <string>
#include <string_view>

namespace pictor::aws {

// Percent-encodes every byte except the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~), with
// upper-case hex. With keep_slash, '/' is also left as is (for paths). A '%' already in the input
// is encoded again ("%2F" becomes "%252F"); a space becomes "%20", never '+'.
std::string UriEncode(std::string_view in, bool keep_slash = false);

// Decodes %XX escapes (either hex case). A '%' not followed by two hex digits is kept literally;
// '+' stays '+' (it means a space only in HTML forms, not in AWS query strings).
std::string UriDecode(std::string_view in);

// Removes empty, "." and ".." segments from an absolute path, keeping a trailing slash when the
// input had one: "//a/./b/../c//" becomes "/a/c/", "/a/.." becomes "/". ".." at the root stays at
// the root. The result always starts with '/'.
std::string NormalizePath(std::string_view path);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_URI_ENCODE_H_
