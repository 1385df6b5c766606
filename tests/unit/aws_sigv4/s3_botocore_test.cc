// Checks S3-mode signing against botocore's S3SigV4Auth and S3SigV4QueryAuth.
//
// botocore_s3_sign.py (beside this file) signs fixed requests with fixed credentials at a fixed
// time and prints the inputs and botocore's results as JSON; each test signs the same request
// with Pictor and compares. /usr/bin/python3 must be able to import botocore (Debian package
// python3-botocore): when it cannot, every test fails saying so.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "aws/sigv4.h"
#include "core/digest.h"
#include "core/percent_encoding.h"
#include "request_file.h"

namespace pictor::aws {
namespace {

struct BotocoreRun {
  std::optional<nlohmann::json> cases;
  std::string error;  // why there are no cases
};

BotocoreRun RunBotocoreScript() {
  const std::string command = "/usr/bin/python3 '" PICTOR_BOTOCORE_SCRIPT "'";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {std::nullopt, "cannot start " + command};
  std::string output;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return {std::nullopt,
            command + " failed (exit status " + std::to_string(WEXITSTATUS(status)) +
                "); /usr/bin/python3 needs botocore: apt-get install -y python3-botocore"};
  }
  nlohmann::json parsed = nlohmann::json::parse(output, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return {std::nullopt, command + " printed no valid JSON"};
  return {std::move(parsed), ""};
}

std::string HexDecode(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

QueryList SortedQueryOf(const std::string& url) {
  size_t question = url.find('?');
  QueryList query =
      testing::ParseQuery(question == std::string::npos ? "" : url.substr(question + 1));
  std::sort(query.begin(), query.end());
  return query;
}

class S3BotocoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { run_ = RunBotocoreScript(); }

  // The botocore case named `name`, or nullptr after recording a failure.
  static const nlohmann::json* FindCase(const std::string& name) {
    if (!run_.cases) {
      ADD_FAILURE() << run_.error;
      return nullptr;
    }
    for (const nlohmann::json& entry : *run_.cases) {
      if (entry["name"] == name) return &entry;
    }
    ADD_FAILURE() << "botocore_s3_sign.py printed no case named " << name;
    return nullptr;
  }

  // The request the case describes, with the path encoded by Pictor rather than botocore.
  static SigningRequest RequestFor(const nlohmann::json& entry) {
    SigningRequest request;
    request.method = entry["method"];
    request.path = "/" + PercentEncode(entry["key"].get<std::string>(), /*keep_slash=*/true);
    for (const auto& [name, value] : entry["query"].items())
      request.query.emplace_back(name, value);
    request.headers.emplace_back("Host", entry["host"]);
    for (const auto& [name, value] : entry["headers"].items()) {
      request.headers.emplace_back(name, value);
    }
    request.payload_sha256 = entry["payload_signed"].get<bool>()
                                 ? Sha256Hex(HexDecode(entry["body_hex"]))
                                 : std::string(kUnsignedPayload);
    return request;
  }

  static Credentials CredentialsFor(const nlohmann::json& entry) {
    return {entry["access_key_id"], entry["secret_access_key"], entry["session_token"]};
  }

  static SigningParams ParamsFor(const nlohmann::json& entry) {
    SigningParams params;
    params.service = "s3";
    params.region = entry["region"];
    params.time = std::chrono::system_clock::from_time_t(entry["unix_time"].get<std::time_t>());
    params.s3_mode = true;
    return params;
  }

  static void ExpectHeaderSigningMatches(const std::string& name) {
    const nlohmann::json* entry = FindCase(name);
    if (entry == nullptr) return;
    const SigningRequest request = RequestFor(*entry);
    EXPECT_EQ(request.path, (*entry)["path"]);
    Result<SignedParts> parts = SignHeaders(request, CredentialsFor(*entry), ParamsFor(*entry));
    ASSERT_TRUE(parts.ok()) << parts.status().ToString();
    EXPECT_EQ(parts->canonical_request, (*entry)["canonical_request"]);
    EXPECT_EQ(parts->string_to_sign, (*entry)["string_to_sign"]);
    EXPECT_EQ(parts->signature, (*entry)["signature"]);
    EXPECT_EQ(parts->authorization, (*entry)["authorization"]);
    const HeaderList& added = parts->added_headers;
    auto sha = std::find_if(added.begin(), added.end(),
                            [](const auto& h) { return h.first == "x-amz-content-sha256"; });
    ASSERT_NE(sha, added.end());
    EXPECT_EQ(sha->second, (*entry)["content_sha256"]);
  }

  static void ExpectPresignedUrlMatches(const std::string& name) {
    const nlohmann::json* entry = FindCase(name);
    if (entry == nullptr) return;
    const SigningRequest request = RequestFor(*entry);
    const Credentials credentials = CredentialsFor(*entry);
    const SigningParams params = ParamsFor(*entry);
    const std::chrono::seconds expires((*entry)["expires"].get<int>());
    Result<SignedParts> parts = PresignQuery(request, credentials, params, expires);
    ASSERT_TRUE(parts.ok()) << parts.status().ToString();
    EXPECT_EQ(parts->canonical_request, (*entry)["canonical_request"]);
    EXPECT_EQ(parts->string_to_sign, (*entry)["string_to_sign"]);
    EXPECT_EQ(parts->signature, (*entry)["signature"]);

    Result<std::string> url = PresignUrl(request, credentials, params, expires);
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    const std::string botocore_url = (*entry)["url"];
    // Same scheme, host and path; the same parameters, in whatever order.
    EXPECT_EQ(url->substr(0, url->find('?')), botocore_url.substr(0, botocore_url.find('?')));
    EXPECT_EQ(SortedQueryOf(*url), SortedQueryOf(botocore_url));
  }

  static BotocoreRun run_;
};

BotocoreRun S3BotocoreTest::run_;

TEST_F(S3BotocoreTest, HeaderSigningWithBodyHashMatchesBotocore) {
  ExpectHeaderSigningMatches("header_put_signed_body");
}

TEST_F(S3BotocoreTest, HeaderSigningUnsignedPayloadWithSessionTokenAndUnicodeKeyMatchesBotocore) {
  ExpectHeaderSigningMatches("header_put_unsigned_payload_token");
}

TEST_F(S3BotocoreTest, HeaderSigningWithEncodedQueryValuesMatchesBotocore) {
  ExpectHeaderSigningMatches("header_get_query_token");
}

TEST_F(S3BotocoreTest, HeaderSigningKeyWithPercentTildeEqualsPlusSpaceMatchesBotocore) {
  ExpectHeaderSigningMatches("header_get_odd_key");
}

TEST_F(S3BotocoreTest, PresignedGetWithoutSessionTokenMatchesBotocore) {
  ExpectPresignedUrlMatches("presign_get");
}

TEST_F(S3BotocoreTest, PresignedGetWithSessionTokenAndQueryMatchesBotocore) {
  ExpectPresignedUrlMatches("presign_get_token");
}

}  // namespace
}  // namespace pictor::aws
