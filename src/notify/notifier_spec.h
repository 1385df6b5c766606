// Turns --notify specs into notifiers: smtp://host:port or smtps://host:port (email to
// --alert-email), arn:aws:sns:REGION:ACCOUNT:TOPIC (SNS Publish), http(s)://... (webhook).
#ifndef PICTOR_NOTIFY_NOTIFIER_SPEC_H_
#define PICTOR_NOTIFY_NOTIFIER_SPEC_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "notify/delivery_queue.h"
#include "pictor/notifier.h"

namespace pictor::notify {

struct NotifierSettings {
  std::string alert_email;     // the SMTP recipient
  bool smtp_starttls = false;  // require STARTTLS on smtp://
  std::string webhook_secret;  // "" = PICTOR_WEBHOOK_SECRET
};

// One notifier for `spec`; an unknown scheme is InvalidArgument naming the accepted ones.
Result<std::unique_ptr<Notifier>> MakeNotifier(std::string_view spec,
                                               const NotifierSettings& settings);

// Every spec's notifier behind one DeliveryQueue (retries, its own thread); null when `specs` is
// empty. The first bad spec's error otherwise.
Result<std::unique_ptr<Notifier>> MakeNotifiers(const std::vector<std::string>& specs,
                                                const NotifierSettings& settings,
                                                DeliveryOptions delivery = {});

}  // namespace pictor::notify

#endif  // PICTOR_NOTIFY_NOTIFIER_SPEC_H_
