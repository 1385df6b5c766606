// The words of an alarm notification, shared by every notifier so that an email, an SNS message
// and a webhook say the same thing.
#ifndef PICTOR_NOTIFY_ALARM_MESSAGE_H_
#define PICTOR_NOTIFY_ALARM_MESSAGE_H_

#include <string>

#include "pictor/notifier.h"

namespace pictor::notify {

// `ALARM: "pictor-queue-age" on queue queue.db`.
std::string AlarmSubject(const AlarmEvent& event);

// A plain-text body: the transition and its time, the queue, the metric, the value, the threshold
// and period, and CloudWatch's reason. Lines end in "\n".
std::string AlarmText(const AlarmEvent& event);

// A JSON object with a Slack-compatible "text" field and every field of the event.
std::string AlarmJson(const AlarmEvent& event);

}  // namespace pictor::notify

#endif  // PICTOR_NOTIFY_ALARM_MESSAGE_H_
