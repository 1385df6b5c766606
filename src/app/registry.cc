#include "app/registry.h"

#include <cstdlib>

#include "keys/sqlite/sqlite_key_store.h"
#include "keys/store/store_key_store.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/store/store_ledger.h"
#include "model/bedrock/bedrock_model.h"
#include "model/builtin/builtin_model.h"
#include "model/openai/openai_model.h"
#include "notify/delivery_queue.h"
#include "notify/smtp/smtp_notifier.h"
#include "notify/sns/sns_notifier.h"
#include "notify/webhook/webhook_notifier.h"
#include "outbox/sqlite/sqlite_webhook_outbox.h"
#include "outbox/store/store_webhook_outbox.h"
#include "queue/sqlite/sqlite_queue.h"
#include "queue/sqs/sqs_queue.h"
#include "spend/sqlite/sqlite_spend_ledger.h"
#include "spend/store/store_spend_ledger.h"
#include "store/file/file_store.h"
#include "store/s3/s3_store.h"

namespace pictor::app {

Result<std::unique_ptr<ImageModel>> MakeModel(const ModelSpec& spec, const PriceTable& prices) {
  switch (spec.kind) {
    case ModelSpec::Kind::kBuiltin:
      return NewBuiltinModel(prices);
    case ModelSpec::Kind::kBedrock: {
      BedrockModelOptions options;
      options.prices = prices;
      return OpenBedrockModel(spec.model_id, std::move(options));
    }
    case ModelSpec::Kind::kOpenAi: {
      OpenAiModelOptions options;
      options.prices = prices;
      return OpenOpenAiModel(spec.base_url, std::move(options));
    }
  }
  return Status::Internal("unhandled model kind");
}

Result<std::unique_ptr<ObjectStore>> MakeStore(const StoreSpec& spec) {
  switch (spec.kind) {
    case StoreSpec::Kind::kFile:
      return OpenFileStore(spec.dir);
    case StoreSpec::Kind::kS3: {
      S3StoreOptions options;
      options.bucket = spec.bucket;
      options.prefix = spec.prefix;
      return OpenS3Store(std::move(options));
    }
  }
  return Status::Internal("unhandled store kind");
}

Result<std::unique_ptr<JobQueue>> MakeQueue(const QueueSpec& spec, const QueueSettings& settings) {
  switch (spec.kind) {
    case QueueSpec::Kind::kSqlite: {
      SqliteQueueOptions options;
      options.path = spec.path;
      options.max_receive_count = settings.max_receive_count;
      return OpenSqliteQueue(options);
    }
    case QueueSpec::Kind::kSqs: {
      SqsQueueOptions options;
      options.queue_url = spec.url;
      options.dead_letter_queue_url = settings.dead_letter_queue_url;
      return OpenSqsQueue(options);
    }
  }
  return Status::Internal("unhandled queue kind");
}

Result<LedgerParts> MakeLedger(const LedgerSpec& spec, const LedgerContext& context) {
  LedgerParts parts;
  ObjectStore* store = nullptr;
  std::string prefix = "jobs";
  switch (spec.kind) {
    case LedgerSpec::Kind::kNone:
      return parts;
    case LedgerSpec::Kind::kSqlite: {
      auto opened = OpenSqliteLedger(spec.path);
      if (!opened.ok()) return opened.status();
      parts.ledger = std::move(opened).value();
      return parts;
    }
    case LedgerSpec::Kind::kImageStore:
      if (context.store == nullptr) {
        return Status::InvalidArgument("job ledger 'store' needs an image store (--store)");
      }
      store = context.store;
      if (!context.key_prefix.empty()) prefix = std::string(context.key_prefix) + "/jobs";
      break;
    case LedgerSpec::Kind::kOwnStore: {
      auto own = MakeStore(spec.store);
      if (!own.ok()) return own.status();
      parts.own_store = std::move(own).value();
      store = parts.own_store.get();
      break;
    }
  }
  auto opened = OpenStoreLedger(*store, prefix);
  if (!opened.ok()) return opened.status();
  parts.ledger = std::move(opened).value();
  return parts;
}

Result<std::unique_ptr<SpendLedger>> MakeSpendLedger(const LedgerSpec& spec,
                                                     const LedgerContext& context,
                                                     ObjectStore* ledger_own_store) {
  switch (spec.kind) {
    case LedgerSpec::Kind::kNone:
      return std::unique_ptr<SpendLedger>();
    case LedgerSpec::Kind::kSqlite:
      return OpenSqliteSpendLedger(spec.path);
    case LedgerSpec::Kind::kImageStore:
      if (context.store == nullptr) {
        return Status::InvalidArgument("spend ledger 'store' needs an image store (--store)");
      }
      return OpenStoreSpendLedger(*context.store, std::string(context.key_prefix));
    case LedgerSpec::Kind::kOwnStore:
      if (ledger_own_store == nullptr) {
        return Status::InvalidArgument("the spend ledger needs the job ledger's own store");
      }
      return OpenStoreSpendLedger(*ledger_own_store, "");
  }
  return Status::Internal("unhandled ledger kind");
}

Result<std::unique_ptr<WebhookOutbox>> MakeWebhookOutbox(const LedgerSpec& spec,
                                                         const LedgerContext& context,
                                                         ObjectStore* ledger_own_store) {
  switch (spec.kind) {
    case LedgerSpec::Kind::kNone:
      return std::unique_ptr<WebhookOutbox>();
    case LedgerSpec::Kind::kSqlite:
      return OpenSqliteWebhookOutbox(spec.path);
    case LedgerSpec::Kind::kImageStore:
      if (context.store == nullptr) {
        return Status::InvalidArgument("the webhook outbox needs an image store (--store)");
      }
      return OpenStoreWebhookOutbox(*context.store, std::string(context.key_prefix));
    case LedgerSpec::Kind::kOwnStore:
      if (ledger_own_store == nullptr) {
        return Status::InvalidArgument("the webhook outbox needs the job ledger's own store");
      }
      return OpenStoreWebhookOutbox(*ledger_own_store, "");
  }
  return Status::Internal("unhandled ledger kind");
}

Result<KeyStoreParts> BuildKeyStore(const KeyStoreSpec& spec, const LedgerContext& context) {
  KeyStoreParts parts;
  ObjectStore* store = nullptr;
  std::string prefix;
  switch (spec.kind) {
    case KeyStoreSpec::Kind::kSqlite: {
      auto opened = OpenSqliteKeyStore(spec.path);
      if (!opened.ok()) return opened.status();
      parts.keys = std::move(opened).value();
      return parts;
    }
    case KeyStoreSpec::Kind::kImageStore:
      if (context.store == nullptr) {
        return Status::InvalidArgument("keys kept in the image store need one (--store)");
      }
      store = context.store;
      prefix = std::string(context.key_prefix);
      break;
    case KeyStoreSpec::Kind::kOwnStore: {
      auto own = MakeStore(spec.store);
      if (!own.ok()) return own.status();
      parts.own_store = std::move(own).value();
      store = parts.own_store.get();
      break;
    }
  }
  auto opened = OpenStoreKeyStore(*store, prefix);
  if (!opened.ok()) return opened.status();
  parts.keys = std::move(opened).value();
  return parts;
}

Result<std::unique_ptr<Notifier>> MakeNotifier(const NotifierSpec& spec,
                                               const NotifierSettings& settings) {
  switch (spec.kind) {
    case NotifierSpec::Kind::kSmtp: {
      notify::SmtpSettings smtp;
      smtp.url = spec.target;
      smtp.recipient = settings.alert_email;
      smtp.starttls = settings.smtp_starttls;
      notify::ApplySmtpEnvironment(smtp);
      return notify::NewSmtpNotifier(std::move(smtp));
    }
    case NotifierSpec::Kind::kSns:
      return notify::NewSnsNotifier(spec.target);
    case NotifierSpec::Kind::kWebhook: {
      notify::WebhookSettings webhook;
      webhook.url = spec.target;
      webhook.secret = settings.webhook_secret;
      if (webhook.secret.empty()) {
        const char* env = std::getenv("PICTOR_WEBHOOK_SECRET");
        if (env != nullptr) webhook.secret = env;
      }
      return notify::NewWebhookNotifier(std::move(webhook));
    }
  }
  return Status::Internal("unhandled notifier kind");
}

Result<std::unique_ptr<Notifier>> MakeNotifiers(const std::vector<std::string>& specs,
                                                const NotifierSettings& settings) {
  if (specs.empty()) return std::unique_ptr<Notifier>();
  std::vector<std::unique_ptr<Notifier>> notifiers;
  for (const auto& text : specs) {
    auto spec = ParseNotifierSpec(text);
    if (!spec.ok()) return spec.status();
    auto notifier = MakeNotifier(*spec, settings);
    if (!notifier.ok()) return notifier.status();
    notifiers.push_back(std::move(notifier).value());
  }
  return notify::NewDeliveryQueue(std::move(notifiers));
}

alarm::MetricSourceSpec AlarmMetricSource(const QueueSpec& queue, bool sqs_endpoint_overridden) {
  alarm::MetricSourceSpec source;
  if (queue.kind == QueueSpec::Kind::kSqlite) return source;
  if (queue.OnAws() && !sqs_endpoint_overridden) {
    source.kind = alarm::MetricSourceSpec::Kind::kCloudWatch;
    source.region = queue.region;
    source.queue_name = queue.name;
    return source;
  }
  source.kind = alarm::MetricSourceSpec::Kind::kQueueWithoutAge;
  return source;
}

bool SqsEndpointOverridden() {
  for (const char* name : {"AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return true;
  }
  return false;
}

Result<alarm::AlarmWiring> MakeAlarmWiring(const alarm::AlarmSettings& settings,
                                           const QueueSpec& queue) {
  alarm::AlarmWiring wiring;
  wiring.source = AlarmMetricSource(queue, SqsEndpointOverridden());
  wiring.state_path =
      settings.state_path.empty() ? DefaultAlarmStatePath(queue) : settings.state_path;
  NotifierSettings ns;
  ns.alert_email = settings.alert_email;
  ns.smtp_starttls = settings.smtp_starttls;
  auto notifier = MakeNotifiers(settings.notify, ns);
  if (!notifier.ok()) return notifier.status();
  wiring.notifier = std::move(notifier).value();
  return wiring;
}

Result<std::unique_ptr<alarm::QueueAlarm>> StartQueueAlarm(const alarm::AlarmSettings& settings,
                                                           JobQueue& queue,
                                                           const QueueSpec& queue_spec,
                                                           MetricsRegistry& metrics,
                                                           std::function<std::string()> explain) {
  auto wiring = MakeAlarmWiring(settings, queue_spec);
  if (!wiring.ok()) return wiring.status();
  wiring->explain = std::move(explain);
  return alarm::StartAlarm(settings, queue, std::move(wiring).value(), metrics);
}

}  // namespace pictor::app
