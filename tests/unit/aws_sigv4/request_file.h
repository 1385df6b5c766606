// Reads the HTTP request files of the AWS SigV4 test suite (request.txt, *-signed-request.txt).
//
// Test-only. Format: "METHOD target HTTP/1.1", then "Name:value" lines (a line starting with
// whitespace continues the previous value), an empty line, and the body.
#ifndef PICTOR_TESTS_UNIT_AWS_SIGV4_REQUEST_FILE_H_
#define PICTOR_TESTS_UNIT_AWS_SIGV4_REQUEST_FILE_H_

#include <optional>
#include <string>

#include "aws/sigv4.h"

namespace pictor::aws::testing {

struct RequestFile {
  std::string method;
  std::string target;  // path and query, exactly as written
  HeaderList headers;  // values as written; continuation lines joined with '\n'
  std::string body;
};

// The whole file with every '\r' removed; nullopt when it cannot be read.
std::optional<std::string> ReadText(const std::string& path);

// Parses the text of a request file; nullopt when the request line is malformed.
std::optional<RequestFile> ParseRequestFile(const std::string& text);

// Splits a raw query string ("a=1&b&%E1=2") into decoded name/value pairs.
QueryList ParseQuery(const std::string& raw_query);

}  // namespace pictor::aws::testing

#endif  // PICTOR_TESTS_UNIT_AWS_SIGV4_REQUEST_FILE_H_
