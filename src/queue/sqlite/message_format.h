// What the SQLite queue checks and makes for each message: body validation, message ids,
// body digests and receipt tokens. Pure functions, thread-safe.
#ifndef PICTOR_QUEUE_SQLITE_MESSAGE_FORMAT_H_
#define PICTOR_QUEUE_SQLITE_MESSAGE_FORMAT_H_

#include <string>
#include <string_view>

#include "pictor/job_queue.h"
#include "pictor/status.h"

namespace pictor::sqlite_queue {

// OK when `body` is 1 byte..kMaxMessageBytes of valid UTF-8 made only of the characters SQS
// accepts (#x9 #xA #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF); InvalidArgument
// naming the first problem otherwise.
Status ValidateBody(std::string_view body);

// A random UUID version 4 in its canonical lower-case form.
std::string NewMessageId();

// 128 random bits as 32 lower-case hex digits; unguessable, for receipt handles.
std::string NewReceiptToken();

}  // namespace pictor::sqlite_queue

#endif  // PICTOR_QUEUE_SQLITE_MESSAGE_FORMAT_H_
