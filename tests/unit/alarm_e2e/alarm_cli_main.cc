// `pictor alarm` alone, for the end-to-end tests until src/app/main.cc registers the command:
// the same AddAlarmCommand the pictor binary will run.
#include <cstdio>

#include "app/commands.h"
#include "app/signals.h"

namespace pictor::app {
Subcommand AddAlarmCommand(CLI::App& app);
}  // namespace pictor::app

int main(int argc, char** argv) {
  pictor::app::BlockShutdownSignals();
  CLI::App app{"pictor alarm (test build)"};
  app.name("pictor");
  app.require_subcommand(1);
  auto alarm = pictor::app::AddAlarmCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return alarm.run();
}
