// SQS JSON protocol message shapes. nlohmann::json is used without exceptions: parse() with
// allow_exceptions = false, and dump() replacing what is not UTF-8 (bodies are checked first).
#include "queue/sqs/sqs_messages.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "aws/error.h"
#include "aws/sqs_attributes.h"
#include "core/digest.h"
#include "core/utf8.h"

namespace pictor::sqs {
namespace {

using nlohmann::json;

constexpr int kMaxDelaySeconds = 900;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Status BrokenReply(std::string_view action, std::string_view why) {
  return Status::Internal("sqs: unreadable " + std::string(action) + " reply: " + std::string(why));
}

Result<json> ParseObject(std::string_view reply, std::string_view action) {
  json j = json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return BrokenReply(action, "not a JSON object");
  return j;
}

// The string member `key`, or "" when absent or not a string.
std::string StringOf(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t IntOf(const json& attributes, const char* key) {
  std::string text = StringOf(attributes, key);
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

bool SameMd5(std::string_view expected_hex, std::string_view reported) {
  if (expected_hex.size() != reported.size()) return false;
  for (size_t i = 0; i < reported.size(); ++i) {
    char c = reported[i];
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (c != expected_hex[i]) return false;
  }
  return true;
}

Status Md5Mismatch(std::string_view id) {
  return Status::Internal("sqs: MD5OfMessageBody of message " + std::string(id) +
                          " does not match the body sent; the message is not trusted");
}

json SendEntry(const OutgoingMessage& message) {
  json entry = {{"MessageBody", message.body}};
  if (message.delay.count() > 0) entry["DelaySeconds"] = message.delay.count();
  return entry;
}

}  // namespace

Status CheckOutgoing(const OutgoingMessage& message) {
  if (message.body.empty()) return Status::InvalidArgument("message body is empty");
  if (message.body.size() > kMaxMessageBytes) {
    return Status::PayloadTooLarge("message body is " + std::to_string(message.body.size()) +
                                   " bytes; SQS accepts at most " +
                                   std::to_string(kMaxMessageBytes));
  }
  if (!IsValidUtf8(message.body)) return Status::InvalidArgument("message body is not UTF-8");
  if (message.delay.count() < 0 || message.delay.count() > kMaxDelaySeconds) {
    return Status::InvalidArgument("message delay must be 0..900 seconds, got " +
                                   std::to_string(message.delay.count()));
  }
  return Status::Ok();
}

std::string SendMessageRequest(std::string_view queue_url, const OutgoingMessage& message,
                               std::span<const MessageAttribute> attributes) {
  json request = SendEntry(message);
  request["QueueUrl"] = queue_url;
  for (const MessageAttribute& attribute : attributes) {
    request["MessageAttributes"][attribute.name] = {{"DataType", "String"},
                                                    {"StringValue", attribute.value}};
  }
  return Dump(request);
}

std::string SendMessageBatchRequest(std::string_view queue_url,
                                    std::span<const OutgoingMessage> messages) {
  json entries = json::array();
  for (size_t i = 0; i < messages.size(); ++i) {
    json entry = SendEntry(messages[i]);
    entry["Id"] = std::to_string(i);
    entries.push_back(std::move(entry));
  }
  return Dump(json{{"QueueUrl", queue_url}, {"Entries", std::move(entries)}});
}

Result<SentMessage> ReadSendMessageReply(std::string_view reply, std::string_view sent_body) {
  Result<json> j = ParseObject(reply, "SendMessage");
  if (!j.ok()) return j.status();
  SentMessage sent{StringOf(*j, "MessageId"), StringOf(*j, "MD5OfMessageBody")};
  if (sent.message_id.empty()) return BrokenReply("SendMessage", "no MessageId");
  if (!SameMd5(Md5Hex(sent_body), sent.md5_of_body)) return Md5Mismatch(sent.message_id);
  sent.md5_of_body = Md5Hex(sent_body);
  return sent;
}

Result<std::vector<Result<SentMessage>>> ReadSendMessageBatchReply(
    std::string_view reply, std::span<const OutgoingMessage> messages) {
  Result<json> j = ParseObject(reply, "SendMessageBatch");
  if (!j.ok()) return j.status();
  std::vector<Result<SentMessage>> out(
      messages.size(), Status::Internal("sqs: SendMessageBatch reply does not mention the entry"));
  // The index of an entry id we sent, or -1.
  auto index_of = [&](const json& entry) -> int {
    std::string id = StringOf(entry, "Id");
    int index = -1;
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), index);
    if (ec != std::errc() || end != id.data() + id.size()) return -1;
    return index >= 0 && static_cast<size_t>(index) < messages.size() ? index : -1;
  };
  if (auto it = j->find("Successful"); it != j->end() && it->is_array()) {
    for (const json& entry : *it) {
      int i = index_of(entry);
      if (i < 0) continue;
      SentMessage sent{StringOf(entry, "MessageId"), StringOf(entry, "MD5OfMessageBody")};
      const std::string expected = Md5Hex(messages[i].body);
      if (!SameMd5(expected, sent.md5_of_body)) {
        out[i] = Md5Mismatch(sent.message_id);
        continue;
      }
      sent.md5_of_body = expected;
      out[i] = std::move(sent);
    }
  }
  if (auto it = j->find("Failed"); it != j->end() && it->is_array()) {
    for (const json& entry : *it) {
      int i = index_of(entry);
      if (i < 0) continue;
      // An entry has no HTTP status of its own: SenderFault is read as the 400 or 500 the
      // same error would have had alone, which is also the peer status its Status carries.
      aws::AwsError error;
      auto fault = entry.find("SenderFault");
      bool sender = fault == entry.end() || !fault->is_boolean() || fault->get<bool>();
      error.http_status = sender ? 400 : 500;
      error.code = StringOf(entry, "Code");
      error.message = StringOf(entry, "Message");
      out[i] = aws::ToStatus(error).WithContext("sqs");
    }
  }
  return out;
}

std::string ReceiveMessageRequest(std::string_view queue_url, const ReceiveRequestParams& params) {
  const json names = {"ApproximateReceiveCount", "SentTimestamp",
                      "ApproximateFirstReceiveTimestamp"};
  // Both spellings: MessageSystemAttributeNames is current, AttributeNames is what older
  // servers (and older SQS-compatible emulators) read; SQS accepts both.
  return Dump(
      json{{"QueueUrl", queue_url},
           {"MaxNumberOfMessages", params.max_messages},
           {"VisibilityTimeout", params.visibility_timeout_seconds},
           {"WaitTimeSeconds", params.wait_seconds},
           {"MessageSystemAttributeNames", names},
           {"AttributeNames", names},
           {"MessageAttributeNames", {aws::kSqsDeferralsAttribute, aws::kSqsOriginAttribute}}});
}

Result<std::vector<ReceivedMessage>> ReadReceiveMessageReply(std::string_view reply,
                                                             int* rejected) {
  Result<json> j = ParseObject(reply, "ReceiveMessage");
  if (!j.ok()) return j.status();
  std::vector<ReceivedMessage> out;
  auto it = j->find("Messages");
  if (it == j->end() || it->is_null()) return out;
  if (!it->is_array()) return BrokenReply("ReceiveMessage", "Messages is not a list");
  for (const json& m : *it) {
    if (!m.is_object()) return BrokenReply("ReceiveMessage", "a message is not an object");
    ReceivedMessage message;
    message.message_id = StringOf(m, "MessageId");
    message.receipt_handle = StringOf(m, "ReceiptHandle");
    message.body = StringOf(m, "Body");
    if (message.receipt_handle.empty() ||
        !SameMd5(Md5Hex(message.body), StringOf(m, "MD5OfBody"))) {
      if (rejected) ++*rejected;
      continue;
    }
    if (auto attrs = m.find("Attributes"); attrs != m.end() && attrs->is_object()) {
      // Clamped, not cast: a broken peer's -3 or 2^32 + 1 must not wrap into a count that
      // never reaches the attempt limit.
      message.receive_count = static_cast<int>(std::clamp<int64_t>(
          IntOf(*attrs, "ApproximateReceiveCount"), 0, std::numeric_limits<int>::max()));
      message.sent_timestamp_ms = IntOf(*attrs, "SentTimestamp");
      message.first_receive_timestamp_ms = IntOf(*attrs, "ApproximateFirstReceiveTimestamp");
    }
    if (auto attrs = m.find("MessageAttributes"); attrs != m.end() && attrs->is_object()) {
      auto value = [&](std::string_view name) {
        auto it = attrs->find(name);
        return it != attrs->end() && it->is_object() ? StringOf(*it, "StringValue") : std::string();
      };
      const std::string deferrals = value(aws::kSqsDeferralsAttribute);
      int count = 0;
      auto [end, ec] =
          std::from_chars(deferrals.data(), deferrals.data() + deferrals.size(), count);
      if (ec == std::errc() && end == deferrals.data() + deferrals.size() && count > 0) {
        message.deferrals = count;
      }
      message.origin_message_id = value(aws::kSqsOriginAttribute);
    }
    out.push_back(std::move(message));
  }
  return out;
}

}  // namespace pictor::sqs
