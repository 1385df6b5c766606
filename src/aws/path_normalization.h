// The path normalisation AWS Signature Version 4 asks for in canonical requests of every service
// but S3. (The percent-encoding of the path and query is core/percent_encoding.h.)
//
// A free function over byte strings, thread-safe, with no failure mode: malformed input is passed
// through rather than rejected, because the signer must sign what is sent.
#ifndef PICTOR_AWS_PATH_NORMALIZATION_H_
#define PICTOR_AWS_PATH_NORMALIZATION_H_

#include <string>
#include <string_view>

namespace pictor::aws {

// Removes empty, "." and ".." segments from an absolute path, keeping a trailing slash when the
// input had one: "//a/./b/../c//" becomes "/a/c/", "/a/.." becomes "/". ".." at the root stays at
// the root. The result always starts with '/'.
std::string NormalizePath(std::string_view path);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_PATH_NORMALIZATION_H_
