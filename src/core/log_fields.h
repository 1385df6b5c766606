// The ids a log line carries besides its message: the request it answers and the job and queue
// message it works on. They are set for a scope of one thread (LogScope) and read by the log
// writers (core/log_writer.h), so that every line logged while a request or a job is in hand
// names it, whatever function logs it.
#ifndef PICTOR_CORE_LOG_FIELDS_H_
#define PICTOR_CORE_LOG_FIELDS_H_

#include <string>
#include <string_view>

namespace pictor {

struct LogFields {
  std::string request_id;  // an HTTP request's X-Request-Id, a Lambda invocation's request id
  std::string job_id;
  std::string message_id;  // the queue message the job came in
};

enum class LogField { kRequestId, kJobId, kMessageId };

// The fields of the calling thread; the request id falls back to the process's
// (SetProcessRequestId) when the thread has none.
LogFields CurrentLogFields();

// Sets one field of the calling thread for its lifetime, and puts back the value it replaced.
// Scopes nest; they are not shared between threads: work handed to another thread takes its own
// scope there. An empty value clears the field for the scope.
class LogScope {
 public:
  LogScope(LogField field, std::string value);
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;

 private:
  LogField field_;
  std::string previous_;
};

// The request id of every thread that has none of its own ("" for none): the Lambda runtime's
// invocation id, which lines logged by helper threads during the invocation carry too.
// Thread-safe.
void SetProcessRequestId(std::string request_id);

// Whether `id` may be used as a request id as a client sent it (X-Request-Id): 1 to 128
// characters among A-Z a-z 0-9 and - _ . : (UUIDs, ULIDs, hex trace ids, "svc:1234"). Anything
// else could forge or split a log line or a header, and is replaced by an id of Pictor's own.
bool IsAcceptableRequestId(std::string_view id);

}  // namespace pictor

#endif  // PICTOR_CORE_LOG_FIELDS_H_
