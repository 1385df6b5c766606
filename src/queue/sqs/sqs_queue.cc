// The SQS JobQueue adapter: each operation is one JSON-protocol call through AwsClient
// (signing, retries, error translation); message shapes are in sqs_messages.h.
#include "queue/sqs/sqs_queue.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "aws/sqs_attributes.h"
#include "queue/sqs/sqs_messages.h"

namespace pictor {
namespace {

using nlohmann::json;

constexpr std::chrono::seconds kMaxVisibility{43200};
constexpr std::chrono::milliseconds kMaxWait{20000};
constexpr size_t kMaxRememberedBodies = 10000;
constexpr std::string_view kReasonAttribute = "pictor.dead_letter_reason";
constexpr std::string_view kMessageIdAttribute = "pictor.message_id";

// SQS reports a stale or unknown receipt handle in several ways; the port says
// FailedPrecondition for all of them. Decided on SQS's error code, with or without the
// "AWS.SimpleQueueService." namespace the query-protocol header gives it. InvalidParameterValue
// names the parameter only in SQS's own words ("Value ... for parameter ReceiptHandle is
// invalid"), so for that one code the message is where the answer is.
Status HandleStatus(Status status) {
  if (status.code() != StatusCode::kInvalidArgument) return status;
  constexpr std::string_view kNamespace = "AWS.SimpleQueueService.";
  std::string_view code = status.peer_code();
  if (code.starts_with(kNamespace)) code.remove_prefix(kNamespace.size());
  bool stale = code == "ReceiptHandleIsInvalid" || code == "MessageNotInflight";
  if (code == "InvalidParameterValue") {
    const std::string& m = status.message();
    stale = m.find("ReceiptHandle") != std::string::npos ||
            m.find("receipt handle") != std::string::npos;
  }
  if (!stale) return status;
  return Status::FailedPrecondition(status.message()).WithPeer(status.peer());
}

Status CheckVisibility(std::chrono::seconds timeout) {
  if (timeout.count() < 0 || timeout > kMaxVisibility) {
    return Status::InvalidArgument("visibility timeout must be 0..43200 seconds, got " +
                                   std::to_string(timeout.count()));
  }
  return Status::Ok();
}

// One endpoint, signed and retried: owns the transport and credentials AwsClient borrows.
// Thread-safe (AwsClient is).
class SqsEndpoint {
 public:
  SqsEndpoint(std::string endpoint, std::string region, net::RetryPolicy retry,
              std::unique_ptr<net::HttpClient> http,
              std::chrono::milliseconds total_timeout = kDefaultSqsRequestTimeout)
      : http_(http ? std::move(http) : net::NewHttpClient()),
        credentials_(aws::CredentialsProvider::FromChain({}, *http_)),
        client_(aws::AwsClientOptions{.service = "sqs",
                                      .region = std::move(region),
                                      .endpoint = std::move(endpoint),
                                      .retry = std::move(retry),
                                      .total_timeout = total_timeout},
                *http_, *credentials_) {}

  // The reply body of a successful `action`, or the error as a Status.
  Result<std::string> Call(std::string_view action, std::string body) {
    aws::AwsRequest request;
    request.method = "POST";
    request.path = "/";
    request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                       {"X-Amz-Target", "AmazonSQS." + std::string(action)}};
    request.body = std::move(body);
    Result<net::HttpReply> reply = client_.Send(request);
    if (!reply.ok()) return reply.status();
    return std::move(reply->body);
  }

 private:
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  aws::AwsClient client_;
};

class SqsQueue final : public JobQueue {
 public:
  SqsQueue(sqs::QueueUrl url, std::optional<sqs::QueueUrl> dead_letter,
           std::unique_ptr<SqsEndpoint> endpoint, std::chrono::milliseconds request_timeout)
      : url_(std::move(url)),
        dead_letter_(std::move(dead_letter)),
        sqs_(std::move(endpoint)),
        // A long poll must end, and its reply arrive, within one request's time.
        max_wait_(std::clamp<std::chrono::milliseconds>(request_timeout - std::chrono::seconds(1),
                                                        std::chrono::milliseconds(0), kMaxWait)) {}

  Result<SentMessage> Send(const OutgoingMessage& message) override {
    return SendTo(url_.url, message, {});
  }

  Result<std::vector<Result<SentMessage>>> SendBatch(
      std::span<const OutgoingMessage> messages) override {
    if (messages.size() > static_cast<size_t>(kMaxBatch)) {
      return Status::InvalidArgument("a batch holds at most 10 messages, got " +
                                     std::to_string(messages.size()));
    }
    std::vector<Result<SentMessage>> out(messages.size(), Status::Internal("not sent"));
    // Entries SQS would refuse are answered here; the rest go in one call.
    std::vector<OutgoingMessage> valid;
    std::vector<size_t> positions;
    for (size_t i = 0; i < messages.size(); ++i) {
      if (Status s = sqs::CheckOutgoing(messages[i]); !s.ok()) {
        out[i] = s;
      } else {
        valid.push_back(messages[i]);
        positions.push_back(i);
      }
    }
    if (valid.empty()) return out;
    Result<std::string> reply =
        sqs_->Call("SendMessageBatch", sqs::SendMessageBatchRequest(url_.url, valid));
    if (!reply.ok()) return reply.status();
    auto results = sqs::ReadSendMessageBatchReply(*reply, valid);
    if (!results.ok()) return results.status();
    for (size_t k = 0; k < positions.size(); ++k) out[positions[k]] = std::move((*results)[k]);
    return out;
  }

  Result<std::vector<ReceivedMessage>> Receive(const ReceiveOptions& options) override {
    if (options.max_messages < 1 || options.max_messages > kMaxBatch) {
      return Status::InvalidArgument("max_messages must be 1..10, got " +
                                     std::to_string(options.max_messages));
    }
    if (Status s = CheckVisibility(options.visibility_timeout); !s.ok()) return s;
    if (options.wait.count() < 0 || options.wait > kMaxWait) {
      return Status::InvalidArgument("wait must be 0..20 s, got " +
                                     std::to_string(options.wait.count()) + " ms");
    }
    sqs::ReceiveRequestParams params;
    params.max_messages = options.max_messages;
    params.visibility_timeout_seconds = static_cast<int>(options.visibility_timeout.count());
    params.wait_seconds =
        static_cast<int>((std::min(options.wait, max_wait_).count() + 500) / 1000);
    Result<std::string> reply =
        sqs_->Call("ReceiveMessage", sqs::ReceiveMessageRequest(url_.url, params));
    if (!reply.ok()) return reply.status();
    int rejected = 0;
    auto messages = sqs::ReadReceiveMessageReply(*reply, &rejected);
    if (!messages.ok()) return messages.status();
    if (rejected > 0) {
      spdlog::warn(
          "sqs queue {}: {} received message(s) failed the MD5 check and were not "
          "returned",
          url_.name, rejected);
    }
    if (dead_letter_) Remember(*messages);
    return messages;
  }

  Status Delete(std::string_view receipt_handle) override {
    Status s = HandleCall("DeleteMessage",
                          json{{"QueueUrl", url_.url}, {"ReceiptHandle", receipt_handle}});
    if (s.ok()) Forget(receipt_handle);
    return s;
  }

  Status ChangeVisibility(std::string_view receipt_handle, std::chrono::seconds timeout) override {
    if (Status s = CheckVisibility(timeout); !s.ok()) return s;
    return HandleCall("ChangeMessageVisibility", json{{"QueueUrl", url_.url},
                                                      {"ReceiptHandle", receipt_handle},
                                                      {"VisibilityTimeout", timeout.count()}});
  }

  // SQS counts every receive (the redrive policy), so the message cannot be given back in
  // place: a copy goes out with the delay and the deferral count, then the original is deleted.
  // A crash between the two leaves two messages for one job; the job's image key keeps the
  // result single (see core/pipeline.h).
  Status Defer(const ReceivedMessage& message, std::chrono::seconds delay) override {
    if (delay.count() < 0 || delay > kMaxDeferDelay) {
      return Status::InvalidArgument("defer delay must be 0..900 seconds, got " +
                                     std::to_string(delay.count()));
    }
    if (message.receipt_handle.empty())
      return Status::FailedPrecondition("receipt handle is empty");
    const sqs::MessageAttribute attributes[] = {
        {std::string(aws::kSqsDeferralsAttribute), std::to_string(message.deferrals + 1)},
        {std::string(aws::kSqsOriginAttribute),
         message.origin_message_id.empty() ? message.message_id : message.origin_message_id}};
    Result<SentMessage> copy = SendTo(url_.url, {message.body, delay}, attributes);
    if (!copy.ok()) return copy.status().WithContext("deferring message " + message.message_id);
    return Delete(message.receipt_handle);
  }

  Status DeadLetter(std::string_view receipt_handle, std::string_view reason) override {
    std::optional<Remembered> original = dead_letter_ ? Recall(receipt_handle) : std::nullopt;
    if (!original) {
      spdlog::error(
          "sqs queue {}: message for dead-lettering left to the queue's redrive "
          "policy: {}",
          url_.name, reason);
      return Status::Ok();
    }
    const sqs::MessageAttribute attributes[] = {
        {std::string(kReasonAttribute), reason.empty() ? "unspecified" : std::string(reason)},
        {std::string(kMessageIdAttribute), original->message_id}};
    Result<SentMessage> moved = SendTo(dead_letter_->url, {original->body}, attributes);
    if (!moved.ok()) return moved.status().WithContext("moving to the dead-letter queue");
    spdlog::error("sqs queue {}: message {} moved to {}: {}", url_.name, original->message_id,
                  dead_letter_->name, reason);
    return Delete(receipt_handle);
  }

  Result<QueueAttributes> Attributes() override {
    auto counts = Counts(url_.url);
    if (!counts.ok()) return counts.status();
    QueueAttributes out = *counts;
    out.dead_lettered = -1;
    if (dead_letter_) {
      auto dead = Counts(dead_letter_->url);
      if (!dead.ok()) return dead.status().WithContext("dead-letter queue");
      out.dead_lettered = dead->visible + dead->in_flight + dead->delayed;
    }
    return out;
  }

  std::string Name() const override { return url_.name; }

 private:
  struct Remembered {
    std::string body;
    std::string message_id;
  };

  Result<SentMessage> SendTo(const std::string& queue_url, const OutgoingMessage& message,
                             std::span<const sqs::MessageAttribute> attributes) {
    if (Status s = sqs::CheckOutgoing(message); !s.ok()) return s;
    Result<std::string> reply =
        sqs_->Call("SendMessage", sqs::SendMessageRequest(queue_url, message, attributes));
    if (!reply.ok()) return reply.status();
    return sqs::ReadSendMessageReply(*reply, message.body);
  }

  Status HandleCall(std::string_view action, const json& request) {
    if (!request.contains("ReceiptHandle") ||
        request["ReceiptHandle"].get_ref<const std::string&>().empty()) {
      return Status::FailedPrecondition("receipt handle is empty");
    }
    Result<std::string> reply =
        sqs_->Call(action, request.dump(-1, ' ', false, json::error_handler_t::replace));
    return reply.ok() ? Status::Ok() : HandleStatus(reply.status());
  }

  Result<QueueAttributes> Counts(const std::string& queue_url) {
    json request = {{"QueueUrl", queue_url},
                    {"AttributeNames",
                     {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                      "ApproximateNumberOfMessagesDelayed"}}};
    Result<std::string> reply = sqs_->Call("GetQueueAttributes", request.dump());
    if (!reply.ok()) return reply.status();
    json j = json::parse(*reply, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return Status::Internal("sqs: unreadable GetQueueAttributes reply");
    }
    const json attrs = j.value("Attributes", json::object());
    auto count = [&](const char* name) -> int64_t {
      auto it = attrs.find(name);
      if (it == attrs.end() || !it->is_string()) return 0;
      return std::strtoll(it->get_ref<const std::string&>().c_str(), nullptr, 10);
    };
    QueueAttributes out;
    out.visible = count("ApproximateNumberOfMessages");
    out.in_flight = count("ApproximateNumberOfMessagesNotVisible");
    out.delayed = count("ApproximateNumberOfMessagesDelayed");
    return out;
  }

  void Remember(const std::vector<ReceivedMessage>& messages) {
    std::lock_guard lock(bodies_mutex_);
    for (const ReceivedMessage& m : messages) {
      if (bodies_.emplace(m.receipt_handle, Remembered{m.body, m.message_id}).second) {
        order_.push_back(m.receipt_handle);
      }
    }
    while (order_.size() > kMaxRememberedBodies) {
      bodies_.erase(order_.front());
      order_.pop_front();
    }
  }

  std::optional<Remembered> Recall(std::string_view receipt_handle) {
    std::lock_guard lock(bodies_mutex_);
    auto it = bodies_.find(std::string(receipt_handle));
    if (it == bodies_.end()) return std::nullopt;
    return it->second;
  }

  void Forget(std::string_view receipt_handle) {
    if (!dead_letter_) return;
    std::lock_guard lock(bodies_mutex_);
    bodies_.erase(std::string(receipt_handle));  // order_ drops its stale entry when pruned
  }

  const sqs::QueueUrl url_;
  const std::optional<sqs::QueueUrl> dead_letter_;
  std::unique_ptr<SqsEndpoint> sqs_;
  const std::chrono::milliseconds max_wait_;  // the longest long poll within one request's time
  std::mutex bodies_mutex_;                   // guards bodies_ and order_
  std::unordered_map<std::string, Remembered> bodies_;
  std::deque<std::string> order_;  // receipt handles, oldest first
};

}  // namespace

bool IsSqsQueueUrl(std::string_view spec) { return sqs::IsSqsQueueUrl(spec); }

Result<std::unique_ptr<JobQueue>> OpenSqsQueue(const SqsQueueOptions& options,
                                               std::unique_ptr<net::HttpClient> http) {
  if (options.request_timeout < std::chrono::seconds(1)) {
    return Status::InvalidArgument("the SQS request timeout must be at least 1 s");
  }
  Result<sqs::QueueUrl> url = sqs::ParseQueueUrl(options.queue_url);
  if (!url.ok()) return url.status();
  if (url->name.ends_with(".fifo")) {
    return Status::Unsupported("SQS FIFO queues are not supported (" + url->name +
                               "): use a standard queue");
  }
  std::optional<sqs::QueueUrl> dead_letter;
  if (!options.dead_letter_queue_url.empty()) {
    Result<sqs::QueueUrl> dlq = sqs::ParseQueueUrl(options.dead_letter_queue_url);
    if (!dlq.ok()) return dlq.status().WithContext("dead-letter queue");
    dead_letter = std::move(dlq).value();
  }
  std::string region = sqs::ResolveQueueRegion(*url);
  std::string endpoint = sqs::ResolveQueueEndpoint(*url, region);
  net::RetryPolicy retry = options.retry;
  // Standard unless AWS_RETRY_MODE=adaptive, as in the SDKs.
  Result<aws::RetryMode> mode = aws::RetryModeFromEnv(aws::RetryMode::kStandard);
  if (!mode.ok()) return mode.status();
  if (*mode == aws::RetryMode::kAdaptive && retry.limiter == nullptr) {
    retry.limiter = net::SharedRateLimiter("sqs " + endpoint);
  }
  auto sqs = std::make_unique<SqsEndpoint>(std::move(endpoint), std::move(region), std::move(retry),
                                           std::move(http), options.request_timeout);
  return std::unique_ptr<JobQueue>(std::make_unique<SqsQueue>(
      std::move(url).value(), std::move(dead_letter), std::move(sqs), options.request_timeout));
}

Result<std::string> ResolveSqsQueueUrl(std::string_view name, std::string_view account_id,
                                       std::unique_ptr<net::HttpClient> http) {
  std::string region = aws::ResolveRegion();
  if (region.empty()) region = "us-east-1";
  std::string endpoint = aws::ResolveEndpoint("SQS", "sqs.{region}.amazonaws.com", region);
  SqsEndpoint sqs(std::move(endpoint), std::move(region), {}, std::move(http));
  json request = {{"QueueName", name}};
  if (!account_id.empty()) request["QueueOwnerAWSAccountId"] = account_id;
  Result<std::string> reply = sqs.Call("GetQueueUrl", request.dump());
  if (!reply.ok()) return reply.status();
  json j = json::parse(*reply, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("QueueUrl") || !j["QueueUrl"].is_string()) {
    return Status::Internal("sqs: unreadable GetQueueUrl reply");
  }
  return j["QueueUrl"].get<std::string>();
}

}  // namespace pictor
