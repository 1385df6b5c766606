// SQS JSON protocol replies as src/queue/sqs reads them: SendMessage, SendMessageBatch and
// ReceiveMessage. The first byte picks the action; for the send actions the sent bodies come
// next, each ended by a NUL byte (up to the byte that says how many), then the reply.
// Invariants: an accepted SendMessage reply's MD5 is the sent body's; a batch reply has one
// result per message and each accepted one carries that message's MD5; every received message
// has a receipt handle and a receive count of at least 0, and the count of rejected
// messages is never negative.
#include <string>
#include <vector>

#include "core/digest.h"
#include "fuzz_check.h"
#include "queue/sqs/sqs_messages.h"

namespace sqs = pictor::sqs;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  const uint8_t action = in.Byte() % 3;
  if (action == 0) {
    std::string sent(in.Until('\0'));
    pictor::Result<pictor::SentMessage> sent_reply = sqs::ReadSendMessageReply(in.Rest(), sent);
    if (sent_reply.ok()) FUZZ_CHECK(sent_reply->md5_of_body == pictor::Md5Hex(sent));
  } else if (action == 1) {
    const size_t count = in.Byte() % 11;
    std::vector<pictor::OutgoingMessage> messages(count);
    for (auto& message : messages) message.body = std::string(in.Until('\0'));
    auto batch = sqs::ReadSendMessageBatchReply(in.Rest(), messages);
    if (batch.ok()) {
      FUZZ_CHECK(batch->size() == messages.size());
      for (size_t i = 0; i < messages.size(); ++i) {
        if ((*batch)[i].ok()) {
          FUZZ_CHECK((*batch)[i]->md5_of_body == pictor::Md5Hex(messages[i].body));
        }
      }
    }
  } else {
    int rejected = 0;
    auto received = sqs::ReadReceiveMessageReply(in.Rest(), &rejected);
    FUZZ_CHECK(rejected >= 0);
    if (received.ok()) {
      for (const pictor::ReceivedMessage& message : *received) {
        FUZZ_CHECK(!message.receipt_handle.empty());
        FUZZ_CHECK(message.receive_count >= 0);
      }
    }
  }
  return 0;
}
