// `pictor spend [--by day|model|key] [--since DATE]`: what was spent, from the spend ledger
// beside the job ledger (found from --queue, --jobs and --store, as serve finds it), printed as a
// table on standard output.
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/settings.h"
#include "core/pipeline.h"
#include "core/quota.h"
#include "core/spend_report.h"

namespace pictor::app {
namespace {

struct SpendOptions {
  CommonSettings common;
  std::string by = "day";
  std::string since;  // "" = the first day of the current month (UTC)
};

int RunSpend(SpendOptions& o) {
  ApplyEnvironment(o.common);
  if (Status s = ConfigureLogging(o.common.log_level); !s.ok()) {
    std::fprintf(stderr, "pictor spend: %s\n", s.message().c_str());
    return kExitUsage;
  }
  auto by = ParseSpendGrouping(o.by);
  if (!by.ok()) {
    std::fprintf(stderr, "pictor spend: %s\n", by.status().message().c_str());
    return kExitUsage;
  }
  int64_t since_ms = PeriodStartMs(BudgetPeriod::kMonth, NowMs());
  if (!o.since.empty()) {
    auto parsed = ParseUtcDate(o.since);
    if (!parsed.ok()) {
      std::fprintf(stderr, "pictor spend: --since: %s\n", parsed.status().message().c_str());
      return kExitUsage;
    }
    since_ms = *parsed;
  }
  auto rt = BuildRuntime(o.common, kStorePart | kQueuePart | kLedgerPart);
  if (!rt.ok()) {
    std::fprintf(stderr, "pictor spend: %s\n", rt.status().message().c_str());
    return rt.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  if ((*rt)->spend == nullptr) {
    std::fprintf(stderr,
                 "pictor spend: there is no job ledger, so no spend is kept (--jobs none, or an "
                 "SQS queue without --jobs)\n");
    return kExitUsage;
  }
  auto charges = (*rt)->spend->Since(since_ms);
  if (!charges.ok()) {
    std::fprintf(stderr, "pictor spend: reading the charges failed: %s\n",
                 charges.status().ToString().c_str());
    return kExitFailure;
  }
  const std::string table = FormatSpendTable(*charges, *by);
  std::fwrite(table.data(), 1, table.size(), stdout);
  return kExitOk;
}

}  // namespace

Subcommand AddSpendCommand(CLI::App& app) {
  auto o = std::make_shared<SpendOptions>();
  CLI::App* cmd = app.add_subcommand("spend", "Print what the images made cost, as a table");
  cmd->add_option("--by", o->by, "Group by day, model or key (default day)");
  cmd->add_option("--since", o->since,
                  "First UTC day counted, YYYY-MM-DD (default the first of this month)");
  AddCommonOptions(*cmd, o->common, kStorePart | kQueuePart | kLedgerPart);
  return {cmd, [o] { return RunSpend(*o); }};
}

}  // namespace pictor::app
