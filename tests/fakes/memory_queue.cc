#include "fakes/memory_queue.h"

#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <utility>

#include "core/utf8.h"

namespace pictor::testing {
namespace {

constexpr std::chrono::seconds kMaxVisibility{43200};
constexpr std::chrono::milliseconds kMaxWait{20000};
constexpr std::chrono::milliseconds kPollInterval{10};

std::string Md5Hex(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(body.data(), body.size(), digest, &size, EVP_md5(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", digest[i]);
    hex += two;
  }
  return hex;
}

Status CheckSeconds(std::chrono::seconds value, std::chrono::seconds max, const char* what) {
  if (value.count() < 0 || value > max) {
    return Status::InvalidArgument(std::string(what) + " must be 0.." +
                                   std::to_string(max.count()) + " s");
  }
  return Status::Ok();
}

Status StaleHandle() {
  return Status::FailedPrecondition(
      "receipt handle is not current: the message was received again since, was deleted, or "
      "never existed");
}

}  // namespace

MemoryQueue::MemoryQueue(MemoryQueueOptions options) : options_(std::move(options)) {}

int64_t MemoryQueue::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<SentMessage> MemoryQueue::Send(const OutgoingMessage& message) {
  Result<SentMessage> sent = [&] {
    std::lock_guard lock(mu_);
    return SendLocked(message);
  }();
  sent_.notify_all();
  return sent;
}

Result<std::vector<Result<SentMessage>>> MemoryQueue::SendBatch(
    std::span<const OutgoingMessage> messages) {
  if (messages.empty() || messages.size() > static_cast<size_t>(kMaxBatch)) {
    return Status::InvalidArgument("a batch holds 1.." + std::to_string(kMaxBatch) + " messages");
  }
  std::vector<Result<SentMessage>> results;
  {
    std::lock_guard lock(mu_);
    for (const OutgoingMessage& m : messages) results.push_back(SendLocked(m));
  }
  sent_.notify_all();
  return results;
}

Result<SentMessage> MemoryQueue::SendLocked(const OutgoingMessage& message) {
  if (message.body.empty()) return Status::InvalidArgument("message body is empty");
  if (message.body.size() > kMaxMessageBytes) {
    return Status::InvalidArgument("message body is over 256 KiB");
  }
  if (!IsValidUtf8(message.body)) return Status::InvalidArgument("message body is not UTF-8");
  if (Status s = CheckSeconds(message.delay, kMaxDeferDelay, "delay"); !s.ok()) return s;
  const uint64_t seq = next_seq_++;
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llu",
                static_cast<unsigned long long>(seq));
  Entry entry;
  entry.id = id;
  entry.body = message.body;
  entry.sent_ms = Now();
  entry.visible_at_ms = entry.sent_ms + message.delay.count() * 1000;
  messages_.emplace(seq, entry);
  return SentMessage{entry.id, Md5Hex(message.body)};
}

Result<std::vector<ReceivedMessage>> MemoryQueue::Receive(const ReceiveOptions& options) {
  if (options.max_messages < 1 || options.max_messages > kMaxBatch) {
    return Status::InvalidArgument("max_messages must be 1..10");
  }
  if (Status s = CheckSeconds(options.visibility_timeout, kMaxVisibility, "visibility timeout");
      !s.ok()) {
    return s;
  }
  if (options.wait.count() < 0 || options.wait > kMaxWait) {
    return Status::InvalidArgument("wait must be 0..20000 ms");
  }
  const auto deadline = std::chrono::steady_clock::now() + options.wait;
  std::unique_lock lock(mu_);
  while (true) {
    std::vector<ReceivedMessage> got = ReceiveLocked(options);
    const auto now = std::chrono::steady_clock::now();
    if (!got.empty() || now >= deadline) return got;
    sent_.wait_until(lock, std::min(deadline, now + kPollInterval));
  }
}

std::vector<ReceivedMessage> MemoryQueue::ReceiveLocked(const ReceiveOptions& options) {
  const int64_t now = Now();
  std::vector<ReceivedMessage> got;
  for (auto it = messages_.begin();
       it != messages_.end() && got.size() < static_cast<size_t>(options.max_messages);) {
    Entry& e = it->second;
    if (e.visible_at_ms > now) {
      ++it;
      continue;
    }
    if (e.receive_count >= options_.max_receive_count) {
      dead_letters_.push_back({e.id, e.body, "maxReceiveCount exceeded", e.receive_count});
      it = messages_.erase(it);
      continue;
    }
    ++e.receive_count;
    if (e.first_receive_ms == 0) e.first_receive_ms = now;
    e.visible_at_ms = now + options.visibility_timeout.count() * 1000;
    e.held = true;
    e.handle = std::to_string(it->first) + "." + std::to_string(next_handle_++);
    got.push_back({.message_id = e.id,
                   .receipt_handle = e.handle,
                   .body = e.body,
                   .receive_count = e.receive_count,
                   .sent_timestamp_ms = e.sent_ms,
                   .first_receive_timestamp_ms = e.first_receive_ms,
                   .deferrals = e.deferrals,
                   .origin_message_id = ""});
    ++it;
  }
  return got;
}

MemoryQueue::Entry* MemoryQueue::Held(std::string_view receipt_handle) {
  if (receipt_handle.empty()) return nullptr;
  for (auto& [seq, e] : messages_) {
    if (e.handle == receipt_handle) return &e;
  }
  return nullptr;
}

Status MemoryQueue::Delete(std::string_view receipt_handle) {
  std::lock_guard lock(mu_);
  for (auto it = messages_.begin(); it != messages_.end(); ++it) {
    if (!receipt_handle.empty() && it->second.handle == receipt_handle) {
      messages_.erase(it);
      return Status::Ok();
    }
  }
  return StaleHandle();
}

Status MemoryQueue::ChangeVisibility(std::string_view receipt_handle,
                                     std::chrono::seconds timeout) {
  if (Status s = CheckSeconds(timeout, kMaxVisibility, "visibility timeout"); !s.ok()) return s;
  std::lock_guard lock(mu_);
  Entry* e = Held(receipt_handle);
  if (e == nullptr) return StaleHandle();
  e->visible_at_ms = Now() + timeout.count() * 1000;
  e->held = true;
  return Status::Ok();
}

Status MemoryQueue::Defer(const ReceivedMessage& message, std::chrono::seconds delay) {
  if (Status s = CheckSeconds(delay, kMaxDeferDelay, "defer delay"); !s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    Entry* e = Held(message.receipt_handle);
    if (e == nullptr) return StaleHandle();
    --e->receive_count;  // this receive is given back
    ++e->deferrals;
    e->visible_at_ms = Now() + delay.count() * 1000;
    e->held = false;
    e->handle.clear();
  }
  sent_.notify_all();
  return Status::Ok();
}

Status MemoryQueue::DeadLetter(std::string_view receipt_handle, std::string_view reason) {
  std::lock_guard lock(mu_);
  for (auto it = messages_.begin(); it != messages_.end(); ++it) {
    const Entry& e = it->second;
    if (!receipt_handle.empty() && e.handle == receipt_handle) {
      dead_letters_.push_back({e.id, e.body, std::string(reason), e.receive_count});
      messages_.erase(it);
      return Status::Ok();
    }
  }
  return StaleHandle();
}

Result<QueueAttributes> MemoryQueue::Attributes() {
  std::lock_guard lock(mu_);
  const int64_t now = Now();
  QueueAttributes a;
  int64_t oldest = now;
  for (const auto& [seq, e] : messages_) {
    if (e.visible_at_ms <= now) {
      ++a.visible;
    } else if (e.held) {
      ++a.in_flight;
    } else {
      ++a.delayed;
    }
    oldest = std::min(oldest, e.sent_ms);
  }
  if (!messages_.empty()) a.oldest_age_seconds = (now - oldest) / 1000;
  a.dead_lettered = static_cast<int64_t>(dead_letters_.size());
  return a;
}

std::vector<MemoryQueue::DeadLetterEntry> MemoryQueue::DeadLetters() {
  std::lock_guard lock(mu_);
  return dead_letters_;
}

}  // namespace pictor::testing
