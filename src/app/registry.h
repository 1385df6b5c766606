// The registry: turns parsed specs (specs.h) into adapters. One plain function per port; the
// only place in Pictor that includes the adapters' headers and chooses between them.
#ifndef PICTOR_APP_REGISTRY_H_
#define PICTOR_APP_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alarm/queue_alarm.h"
#include "app/specs.h"
#include "core/prices.h"
#include "pictor/api_keys.h"
#include "pictor/image_model.h"
#include "pictor/job_ledger.h"
#include "pictor/job_queue.h"
#include "pictor/metrics.h"
#include "pictor/notifier.h"
#include "pictor/object_store.h"
#include "pictor/spend_ledger.h"
#include "pictor/status.h"
#include "pictor/webhook_outbox.h"

namespace pictor::app {

struct QueueSettings {
  int max_receive_count = 5;          // sqlite: dead-letter after this many receives
  std::string dead_letter_queue_url;  // SQS: where permanent failures go (else the redrive policy)
};

// `prices`: what the model reports as the price of each image (core/prices.h).
Result<std::unique_ptr<ImageModel>> MakeModel(const ModelSpec& spec,
                                              const PriceTable& prices = PriceTable::Defaults());
Result<std::unique_ptr<ObjectStore>> MakeStore(const StoreSpec& spec);
Result<std::unique_ptr<JobQueue>> MakeQueue(const QueueSpec& spec, const QueueSettings& settings);

// What a ledger may refer to besides its spec.
struct LedgerContext {
  ObjectStore* store = nullptr;  // the image store, for "store"; may be null
  std::string_view key_prefix;   // KEY_PREFIX: "store" keeps records under <prefix>/jobs/
};

// A ledger and, for kOwnStore, the store it keeps its records in (declared first: destroyed
// after the ledger).
struct LedgerParts {
  std::unique_ptr<ObjectStore> own_store;
  std::unique_ptr<JobLedger> ledger;  // null for kNone
};

// Records in S3 cost a PUT per state change, so a deployment that wants GET /jobs/{id} on SQS
// asks for them (deploy/ sets PICTOR_JOBS=store on both functions); see ParseLedgerSpec for
// the default.
Result<LedgerParts> MakeLedger(const LedgerSpec& spec, const LedgerContext& context);

// A key store and, for kOwnStore, the store it keeps its records in (declared first: destroyed
// after the key store). `context` as for MakeLedger: the image store (needed for kImageStore)
// and the key prefix, under which kImageStore keeps <prefix>/keys/.
struct KeyStoreParts {
  std::unique_ptr<ObjectStore> own_store;
  std::unique_ptr<KeyStore> keys;
};
Result<KeyStoreParts> BuildKeyStore(const KeyStoreSpec& spec, const LedgerContext& context);

// The spend ledger that goes with the job ledger of `spec`: the same SQLite file, or the same
// store under "<key prefix>/spend/" (`ledger_own_store`: the store MakeLedger opened for kOwnStore,
// borrowed). Null for kNone: no charges are kept.
Result<std::unique_ptr<SpendLedger>> MakeSpendLedger(const LedgerSpec& spec,
                                                     const LedgerContext& context,
                                                     ObjectStore* ledger_own_store);

// The webhook outbox beside the job ledger `spec` describes, as MakeSpendLedger places the spend
// ledger: a table in the SQLite ledger's file, or objects under "<key prefix>/webhooks/" of the
// ledger's store. Null for kNone.
Result<std::unique_ptr<WebhookOutbox>> MakeWebhookOutbox(const LedgerSpec& spec,
                                                         const LedgerContext& context,
                                                         ObjectStore* ledger_own_store);

struct NotifierSettings {
  std::string alert_email;     // the SMTP recipient
  bool smtp_starttls = false;  // require STARTTLS on smtp://
  std::string webhook_secret;  // "" = PICTOR_WEBHOOK_SECRET
};

// One notifier for `spec`.
Result<std::unique_ptr<Notifier>> MakeNotifier(const NotifierSpec& spec,
                                               const NotifierSettings& settings);

// Every spec's notifier behind one delivery queue (retries, its own thread); null when `specs`
// is empty. The first bad spec's error otherwise.
Result<std::unique_ptr<Notifier>> MakeNotifiers(const std::vector<std::string>& specs,
                                                const NotifierSettings& settings);

// Where the alarm on `queue` reads its metric. SQS on AWS reports no age of its oldest message
// through GetQueueAttributes but publishes it to CloudWatch: read there, unless an endpoint
// override (AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL) sends the queue's requests elsewhere. An
// SQS-compatible server has neither: its alarm samples the queue without an age.
alarm::MetricSourceSpec AlarmMetricSource(const QueueSpec& queue, bool sqs_endpoint_overridden);

// True when AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL is set and not empty.
bool SqsEndpointOverridden();

// Everything the alarm is wired to, from its settings and the command's queue: the metric
// source, the state file (--alarm-state, else DefaultAlarmStatePath) and the notifiers.
Result<alarm::AlarmWiring> MakeAlarmWiring(const alarm::AlarmSettings& settings,
                                           const QueueSpec& queue);

// The alarm of `settings` on `queue` (whose spec is `queue_spec`), wired by MakeAlarmWiring and
// started: what `pictor alarm` runs alone and `pictor serve` beside its server.
Result<std::unique_ptr<alarm::QueueAlarm>> StartQueueAlarm(
    const alarm::AlarmSettings& settings, JobQueue& queue, const QueueSpec& queue_spec,
    MetricsRegistry& metrics, std::function<std::string()> explain = {});

}  // namespace pictor::app

#endif  // PICTOR_APP_REGISTRY_H_
