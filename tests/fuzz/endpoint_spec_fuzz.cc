// Endpoint and resource specs from the command line, the environment and the shared config
// files: SQS queue URLs (src/queue/sqs/queue_url), s3:// store specs (ParseS3Spec), the model
// specs the registry hands on (bedrock:MODEL_ID, openai:BASE_URL), the endpoint pattern
// (src/aws/endpoint) and the INI files ~/.aws/config and ~/.aws/credentials (ParseIni). The
// first byte picks which; the rest is the spec or file.
// Invariants: a parsed queue URL has the shape IsSqsQueueUrl accepts, a name SQS takes, no
// trailing '/', and parses again to itself; an s3 spec has a bucket; an endpoint from a pattern
// is https with every {region} of the pattern replaced; INI keys are lower case and trimmed;
// a model spec opens only a model that exists, and an openai: one only for an http(s) URL.
#include <cctype>
#include <cstdlib>
#include <string>

#include "aws/endpoint.h"
#include "aws/shared_config.h"
#include "fake_peer.h"
#include "fuzz_check.h"
#include "model/bedrock/bedrock_model.h"
#include "model/openai/openai_model.h"
#include "queue/sqs/queue_url.h"
#include "store/s3/s3_store.h"

namespace {

bool IsQueueName(std::string_view name) {
  if (name.ends_with(".fifo")) name.remove_suffix(5);
  if (name.empty() || name.size() > 80) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

void QueueUrl(std::string_view spec) {
  pictor::Result<pictor::sqs::QueueUrl> url = pictor::sqs::ParseQueueUrl(spec);
  if (!url.ok()) {
    FUZZ_CHECK(url.status().code() == pictor::StatusCode::kInvalidArgument);
    return;
  }
  FUZZ_CHECK(pictor::sqs::IsSqsQueueUrl(spec));
  FUZZ_CHECK(IsQueueName(url->name) && !url->account.empty());
  FUZZ_CHECK(!url->url.empty() && url->url.back() != '/');
  FUZZ_CHECK(url->url.starts_with(url->origin));
  pictor::Result<pictor::sqs::QueueUrl> again = pictor::sqs::ParseQueueUrl(url->url);
  FUZZ_CHECK(again.ok() && again->url == url->url && again->name == url->name &&
             again->account == url->account && again->region == url->region &&
             again->host == url->host);
}

void Models(std::string_view spec) {
  static pictor::fuzz::FakePeer peer;  // never called: opening a model sends nothing
  pictor::BedrockModelOptions bedrock;
  bedrock.http = &peer;
  bedrock.region = "us-east-1";
  bedrock.endpoint = "http://127.0.0.1:9";
  static pictor::aws::CredentialsProvider credentials([] {
    return pictor::Result<pictor::aws::TimedCredentials>(pictor::Status::Unavailable("none"));
  });
  bedrock.credentials = &credentials;
  auto model = pictor::OpenBedrockModel(spec, bedrock);
  if (model.ok()) FUZZ_CHECK(!(*model)->Name().empty());
  pictor::OpenAiModelOptions openai;
  openai.http = &peer;
  openai.api_key = "k";
  openai.model = "m";
  auto other = pictor::OpenOpenAiModel(spec, openai);
  if (other.ok()) FUZZ_CHECK(spec.starts_with("http://") || spec.starts_with("https://"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  const uint8_t which = in.Byte() % 5;
  if (which == 0) {
    QueueUrl(in.Rest());
  } else if (which == 1) {
    std::string_view spec = in.Rest();
    pictor::Result<pictor::S3StoreOptions> s3 = pictor::ParseS3Spec(spec);
    if (s3.ok()) FUZZ_CHECK(!s3->bucket.empty() && spec.starts_with("s3://"));
  } else if (which == 2) {
    Models(in.Rest());
  } else if (which == 3) {
    std::string_view region = in.Until('\n');
    std::string_view pattern = in.Rest();
    // Only the pattern is under test: an endpoint URL set in the environment would win.
    static const bool unset = [] {
      return unsetenv("AWS_ENDPOINT_URL") == 0 && unsetenv("AWS_ENDPOINT_URL_FUZZ_NONE") == 0;
    }();
    FUZZ_CHECK(unset);
    std::string endpoint = pictor::aws::ResolveEndpoint("FUZZ_NONE", pattern, region);
    FUZZ_CHECK(endpoint.starts_with("https://"));
    // Each "{region}" of the pattern is replaced, once: one that only forms when a region is
    // put in (or taken out) stays, as the pattern did not hold it.
    std::string expected;
    for (size_t at = 0; at < pattern.size();) {
      if (pattern.substr(at).starts_with("{region}")) {
        expected += region;
        at += 8;
      } else {
        expected += pattern[at++];
      }
    }
    FUZZ_CHECK(endpoint == "https://" + expected);
  } else {
    pictor::aws::IniDocument ini = pictor::aws::ParseIni(in.Rest());
    for (const auto& [section, settings] : ini) {
      for (const auto& [key, value] : settings) {
        for (unsigned char c : key) FUZZ_CHECK(!std::isupper(c));
        if (key.empty()) continue;  // "= value": a key of no name, which no lookup asks for
        FUZZ_CHECK(!std::isspace(static_cast<unsigned char>(key.front())) &&
                   !std::isspace(static_cast<unsigned char>(key.back())));
      }
    }
  }
  return 0;
}
