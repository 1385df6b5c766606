// The job webhooks of a serve, worker or lambda process: the flags, and the observer that turns
// a job's final state into webhook messages in the outbox, delivered by a Dispatcher
// (src/webhook/).
//
//   --webhook URL               the operator's URL, told of every job (env PICTOR_WEBHOOK);
//                               trusted: no address check
//   --allow-private-webhooks    clients' webhook_url may reach loopback, private and link-local
//                               addresses (env PICTOR_ALLOW_PRIVATE_WEBHOOKS=1)
//   PICTOR_WEBHOOK_SECRET       the signing secret ("whsec_" + base64, or any other text used as
//                               it is); without it --webhook is refused and clients' webhook_url
//                               answered 400
//   PICTOR_WEBHOOK_BACKOFF_MS   the first retry's wait (default 5000); the whole schedule scales
//                               with it (tests)
#ifndef PICTOR_APP_WEBHOOKS_H_
#define PICTOR_APP_WEBHOOKS_H_

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "app/settings.h"
#include "core/job_observer.h"
#include "net/http_client.h"
#include "pictor/webhook_outbox.h"
#include "webhook/webhook_dispatcher.h"
#include "webhook/webhook_sender.h"

namespace pictor::app {

struct WebhookSettings {
  std::string url;  // --webhook
  bool allow_private = false;
};

// Adds --webhook and --allow-private-webhooks.
void AddWebhookOptions(CLI::App& command, WebhookSettings& settings);

// Thread-safety: JobChanged may be called from any thread (JobObserver).
class Webhooks final : public JobObserver {
 public:
  // How a message is sent once the outbox has it: by the dispatcher's threads (serve, worker),
  // or at once on the caller's thread (lambda: a function may be frozen between invocations).
  enum class Mode { kThreads, kInline };

  ~Webhooks() override;

  // Starts the dispatcher (kThreads). Call once the process is ready.
  void Start();
  // Stops it; attempts in flight finish (each bounded by its timeout).
  void Stop();

  // For a final state without a webhook delivery yet: a message for the job's webhook_url (its
  // outcome written to the job's record) and one for the operator's URL (written to the record
  // when the job has no URL of its own), each kept in the outbox and then delivered.
  void JobChanged(const JobRecord& record) override;

  // Delivers, on the calling thread, the messages due in the outbox (lambda: each invocation
  // takes up what earlier ones left).
  void DeliverDue();

  // What the process needs to know from the settings: whether clients may ask for webhooks.
  bool enabled() const { return enabled_; }
  bool allow_private() const { return allow_private_; }

 private:
  friend Result<std::unique_ptr<Webhooks>> StartWebhooks(const WebhookSettings&, Runtime&,
                                                         std::string, Mode);
  Webhooks() = default;
  std::string BodyOf(const JobRecord& record) const;

  Runtime* runtime_ = nullptr;
  bool enabled_ = false;
  bool allow_private_ = false;
  Mode mode_ = Mode::kThreads;
  std::string operator_url_;
  std::string public_url_;
  std::unique_ptr<WebhookOutbox> outbox_;
  std::unique_ptr<net::HttpClient> client_;
  std::unique_ptr<webhook::Sender> sender_;
  std::unique_ptr<webhook::Dispatcher> dispatcher_;
};

// The webhooks of a process over `runtime` (its ledger, store and metrics; it must have a
// pipeline, whose observers the result joins), from the settings and the environment.
// `public_url` is the base of the image URL in the payload (empty: a relative /images/ path).
// Without PICTOR_WEBHOOK_SECRET the result is disabled (it observes nothing); --webhook without
// the secret, or a webhook with no job ledger to keep its outbox beside, is InvalidArgument.
Result<std::unique_ptr<Webhooks>> StartWebhooks(const WebhookSettings& settings, Runtime& runtime,
                                                std::string public_url,
                                                Webhooks::Mode mode = Webhooks::Mode::kThreads);

}  // namespace pictor::app

#endif  // PICTOR_APP_WEBHOOKS_H_
