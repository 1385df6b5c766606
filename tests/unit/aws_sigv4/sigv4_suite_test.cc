// Runs every case of the AWS SigV4 test suite (aws-c-auth layout) in header and query mode.
//
// The suite lives outside the repository: $PICTOR_SIGV4_SUITE, else
// $PICTOR_SOURCE_DIR/../shared/testdata/sigv4 (the source directory known at build time stands in
// for PICTOR_SOURCE_DIR when the variable is unset, as during test discovery). When the folder is
// absent a single placeholder test skips, naming the path it looked at.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/sigv4.h"
#include "core/ascii.h"
#include "core/digest.h"
#include "request_file.h"

namespace pictor::aws {
namespace {

using testing::ParseQuery;
using testing::ParseRequestFile;
using testing::ReadText;
using testing::RequestFile;

std::string SuiteDir() {
  if (const char* suite = std::getenv("PICTOR_SIGV4_SUITE"); suite != nullptr && *suite != '\0') {
    return suite;
  }
  const char* source = std::getenv("PICTOR_SOURCE_DIR");
  std::string root = source != nullptr && *source != '\0' ? source : PICTOR_BUILD_SOURCE_DIR;
  return root + "/../shared/testdata/sigv4";
}

struct SuiteCase {
  std::string name;  // folder name; empty for the placeholder when the suite is missing
  std::string mode;  // "header" or "query"
};

void PrintTo(const SuiteCase& suite_case, std::ostream* out) {
  *out << suite_case.name << " (" << suite_case.mode << " mode)";
}

std::vector<SuiteCase> ListCases() {
  std::vector<SuiteCase> cases;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(SuiteDir(), error)) {
    if (!std::filesystem::exists(entry.path() / "context.json")) continue;
    for (const char* mode : {"header", "query"}) {
      if (std::filesystem::exists(entry.path() / (std::string(mode) + "-signature.txt"))) {
        cases.push_back({entry.path().filename().string(), mode});
      }
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const auto& a, const auto& b) { return a.name + a.mode < b.name + b.mode; });
  if (cases.empty()) cases.push_back({});
  return cases;
}

std::string TestName(const ::testing::TestParamInfo<SuiteCase>& info) {
  if (info.param.name.empty()) return "SuiteNotFound";
  std::string name = info.param.name + "_" + info.param.mode;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
      '_');
  return name;
}

std::chrono::system_clock::time_point ParseTimestamp(const std::string& text) {
  std::tm utc{};
  std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%dZ", &utc.tm_year, &utc.tm_mon, &utc.tm_mday,
              &utc.tm_hour, &utc.tm_min, &utc.tm_sec);
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

std::pair<std::string, std::string> SplitTarget(const std::string& target) {
  size_t question = target.find('?');
  if (question == std::string::npos) return {target, ""};
  return {target.substr(0, question), target.substr(question + 1)};
}

// Headers as an order-free list: names lower-cased, values exact.
HeaderList UnorderedHeaders(HeaderList headers) {
  for (auto& [name, value] : headers) name = AsciiLower(name);
  std::sort(headers.begin(), headers.end());
  return headers;
}

// Query parameters as an order-free list (decoded names and values exact).
QueryList Sorted(QueryList query) {
  std::sort(query.begin(), query.end());
  return query;
}

class SigV4SuiteTest : public ::testing::TestWithParam<SuiteCase> {
 protected:
  std::string Expected(const std::string& file) {
    std::optional<std::string> text = ReadText(dir_ + "/" + GetParam().mode + "-" + file);
    EXPECT_TRUE(text.has_value()) << "cannot read " << dir_ << "/" << GetParam().mode << "-"
                                  << file;
    return text.value_or("");
  }

  std::string dir_;
};

TEST_P(SigV4SuiteTest, ReproducesCanonicalRequestSignatureAndSignedRequest) {
  const SuiteCase& suite_case = GetParam();
  if (suite_case.name.empty()) {
    GTEST_SKIP() << "AWS SigV4 test suite not found at " << SuiteDir()
                 << " (set PICTOR_SIGV4_SUITE to its folder)";
  }
  dir_ = SuiteDir() + "/" + suite_case.name;
  const bool header_mode = suite_case.mode == "header";

  std::optional<std::string> context_text = ReadText(dir_ + "/context.json");
  std::optional<std::string> request_text = ReadText(dir_ + "/request.txt");
  ASSERT_TRUE(context_text && request_text) << "cannot read the case files in " << dir_;
  const nlohmann::json context = nlohmann::json::parse(*context_text);
  std::optional<RequestFile> file = ParseRequestFile(*request_text);
  ASSERT_TRUE(file) << "malformed request.txt in " << dir_;

  Credentials credentials;
  credentials.access_key_id = context["credentials"]["access_key_id"];
  credentials.secret_access_key = context["credentials"]["secret_access_key"];
  credentials.session_token = context["credentials"].value("token", "");

  const bool sign_body = context.value("sign_body", false);
  SigningParams params;
  params.service = context["service"];
  params.region = context["region"];
  params.time = ParseTimestamp(context["timestamp"]);
  params.normalize_path = context.value("normalize", true);
  params.omit_session_token = context.value("omit_session_token", false);
  params.sign_content_sha256 = sign_body;

  SigningRequest request;
  request.method = file->method;
  auto [path, raw_query] = SplitTarget(file->target);
  request.path = path;
  request.query = ParseQuery(raw_query);
  request.headers = file->headers;
  if (sign_body) request.payload_sha256 = Sha256Hex(file->body);

  Result<SignedParts> signed_parts =
      header_mode ? SignHeaders(request, credentials, params)
                  : PresignQuery(request, credentials, params,
                                 std::chrono::seconds(context.value("expiration_in_seconds", 0)));
  ASSERT_TRUE(signed_parts.ok()) << signed_parts.status().ToString();

  EXPECT_EQ(signed_parts->canonical_request, Expected("canonical-request.txt"));
  EXPECT_EQ(signed_parts->string_to_sign, Expected("string-to-sign.txt"));
  EXPECT_EQ(signed_parts->signature, Expected("signature.txt"));

  std::optional<RequestFile> expected = ParseRequestFile(Expected("signed-request.txt"));
  ASSERT_TRUE(expected) << "malformed " << suite_case.mode << "-signed-request.txt";
  EXPECT_EQ(request.method, expected->method);
  EXPECT_EQ(file->body, expected->body);
  auto [expected_path, expected_query] = SplitTarget(expected->target);
  EXPECT_EQ(request.path, expected_path);

  HeaderList headers = request.headers;
  QueryList query = request.query;
  if (header_mode) {
    headers.insert(headers.end(), signed_parts->added_headers.begin(),
                   signed_parts->added_headers.end());
  } else {
    query = ParseQuery(signed_parts->query_string);
  }
  EXPECT_EQ(UnorderedHeaders(headers), UnorderedHeaders(expected->headers));
  EXPECT_EQ(Sorted(query), Sorted(ParseQuery(expected_query)));
}

INSTANTIATE_TEST_SUITE_P(AwsSuite, SigV4SuiteTest, ::testing::ValuesIn(ListCases()), TestName);

}  // namespace
}  // namespace pictor::aws
