#include "core/log_fields.h"

#include <mutex>
#include <utility>

namespace pictor {
namespace {

thread_local LogFields thread_fields;

std::mutex process_request_id_mu;  // guards ProcessRequestId()
std::string& ProcessRequestId() {
  static auto* id = new std::string();  // never destroyed: threads may log during exit
  return *id;
}

std::string& FieldOf(LogFields& fields, LogField field) {
  switch (field) {
    case LogField::kRequestId:
      return fields.request_id;
    case LogField::kJobId:
      return fields.job_id;
    case LogField::kMessageId:
      break;
  }
  return fields.message_id;
}

}  // namespace

LogFields CurrentLogFields() {
  LogFields fields = thread_fields;
  if (fields.request_id.empty()) {
    std::lock_guard lock(process_request_id_mu);
    fields.request_id = ProcessRequestId();
  }
  return fields;
}

LogScope::LogScope(LogField field, std::string value)
    : field_(field), previous_(std::exchange(FieldOf(thread_fields, field), std::move(value))) {}

LogScope::~LogScope() { FieldOf(thread_fields, field_) = std::move(previous_); }

void SetProcessRequestId(std::string request_id) {
  std::lock_guard lock(process_request_id_mu);
  ProcessRequestId() = std::move(request_id);
}

bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace pictor
