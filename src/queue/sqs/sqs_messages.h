// The SQS JSON protocol's message shapes: request bodies for sending and receiving, and the
// checked reading of their replies (every MD5OfMessageBody / MD5OfBody verified).
//
// Free functions, thread-safe, no I/O. A reply that is not the JSON the action promises is
// Internal (a broken peer), never an exception.
#ifndef PICTOR_QUEUE_SQS_SQS_MESSAGES_H_
#define PICTOR_QUEUE_SQS_SQS_MESSAGES_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/job_queue.h"
#include "pictor/status.h"

namespace pictor::sqs {

// InvalidArgument (PayloadTooLarge for size) unless `message` is something SQS accepts:
// 1 byte .. 256 KiB of valid UTF-8 and a delay of 0..900 s.
Status CheckOutgoing(const OutgoingMessage& message);

// A string attribute to attach to a message (SQS MessageAttributes).
struct MessageAttribute {
  std::string name;
  std::string value;  // non-empty
};

std::string SendMessageRequest(std::string_view queue_url, const OutgoingMessage& message,
                               std::span<const MessageAttribute> attributes = {});

// Entries get the ids "0".."n-1", their index in `messages`.
std::string SendMessageBatchRequest(std::string_view queue_url,
                                    std::span<const OutgoingMessage> messages);

// A SendMessage reply for `sent_body`. Internal when the reply's MD5OfMessageBody does not
// match: the service did not store the bytes that were sent.
Result<SentMessage> ReadSendMessageReply(std::string_view reply, std::string_view sent_body);

// A SendMessageBatch reply: one Result per message, in order. Failed entries become the
// Status the error translation gives their Code (SenderFault false = a service fault); an MD5
// mismatch is Internal; an entry the reply does not mention is Internal.
Result<std::vector<Result<SentMessage>>> ReadSendMessageBatchReply(
    std::string_view reply, std::span<const OutgoingMessage> messages);

struct ReceiveRequestParams {
  int max_messages = 1;
  int visibility_timeout_seconds = 30;
  int wait_seconds = 0;
};
std::string ReceiveMessageRequest(std::string_view queue_url, const ReceiveRequestParams& params);

// The messages of a ReceiveMessage reply whose MD5OfBody matches their body, with `deferrals`
// and `origin_message_id` from the deferral attributes of aws/sqs_attributes.h (0 and "" when
// absent or malformed). Each rejected message is counted in `*rejected` (when not null) and left
// out: it is not trusted.
Result<std::vector<ReceivedMessage>> ReadReceiveMessageReply(std::string_view reply,
                                                             int* rejected = nullptr);

}  // namespace pictor::sqs

#endif  // PICTOR_QUEUE_SQS_SQS_MESSAGES_H_
