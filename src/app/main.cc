#include <cstdio>
#include <exception>

#include "app/commands.h"
#include "app/signals.h"

namespace pictor::app {

int Main(int argc, char** argv) {
  BlockShutdownSignals();
  CLI::App app{"Pictor: text prompts to PNG images, synchronously over HTTP or through a queue."};
  app.name("pictor");
  app.set_version_flag("--version", "pictor " PICTOR_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  Subcommand commands[] = {AddGenerateCommand(app), AddServeCommand(app), AddWorkerCommand(app),
                           AddSendCommand(app),     AddAlarmCommand(app), AddLambdaCommand(app),
                           AddKeysCommand(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "pictor: %s\n\n", e.what());
    const CLI::App* failed = &app;
    for (const auto& c : commands) {
      if (c.cli->parsed()) failed = c.cli;
    }
    std::fprintf(stderr, "%s", failed->help().c_str());
    return kExitUsage;
  }
  for (auto& c : commands) {
    if (c.cli->parsed()) {
      try {
        return c.run();
      } catch (const std::exception& e) {  // start-up wiring only; ports never throw
        std::fprintf(stderr, "pictor: %s\n", e.what());
        return kExitFailure;
      }
    }
  }
  return kExitUsage;
}

}  // namespace pictor::app
