#include "notify/sns/sns_notifier.h"

#include <fmt/format.h>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "core/percent_encoding.h"
#include "notify/alarm_message.h"

namespace pictor::notify {
namespace {

std::string Form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out.append(PercentEncode(k)).append("=").append(PercentEncode(v));
  }
  return out;
}

// SNS subjects: ASCII, at most 100 characters, no line breaks.
std::string SnsSubject(const std::string& subject) {
  std::string out;
  for (char c : subject) {
    if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) out += c;
  }
  return out.substr(0, 100);
}

class SnsNotifier final : public Notifier {
 public:
  SnsNotifier(std::string arn, std::string region)
      : arn_(std::move(arn)),
        http_(net::NewHttpClient(2)),
        credentials_(aws::CredentialsProvider::FromChain({}, *http_)),
        client_(aws::AwsClientOptions{.service = "sns",
                                      .region = region,
                                      .endpoint = aws::ResolveEndpoint(
                                          "SNS", "sns.{region}.amazonaws.com", region)},
                *http_, *credentials_) {}

  Status Notify(const AlarmEvent& event) override {
    aws::AwsRequest request;
    request.method = "POST";
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body = Form({{"Action", "Publish"},
                         {"Version", "2010-03-31"},
                         {"TopicArn", arn_},
                         {"Subject", SnsSubject(AlarmSubject(event))},
                         {"Message", AlarmText(event)}});
    auto reply = client_.Send(request);
    if (!reply.ok()) return reply.status().WithContext(fmt::format("SNS Publish to {}", arn_));
    return Status::Ok();
  }

  std::string Describe() const override { return fmt::format("SNS topic {}", arn_); }

 private:
  const std::string arn_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  aws::AwsClient client_;
};

}  // namespace

std::string RegionOfTopicArn(const std::string& arn) {
  // arn:PARTITION:sns:REGION:ACCOUNT:NAME
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return "";
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  if (parts[0] != "arn" || parts[2] != "sns" || parts[3].empty() || start >= arn.size()) return "";
  return parts[3];
}

Result<std::unique_ptr<Notifier>> NewSnsNotifier(const std::string& topic_arn) {
  std::string region = RegionOfTopicArn(topic_arn);
  if (region.empty()) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", topic_arn));
  }
  return std::unique_ptr<Notifier>(std::make_unique<SnsNotifier>(topic_arn, region));
}

}  // namespace pictor::notify
