#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "app/commands.h"
#include "app/signals.h"

namespace pictor::app {
namespace {

// Edits (insert, delete, replace) that turn a into b.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The container's old usage, `docker run IMAGE "A magical salmon ..."`, with the image's
// PICTOR_BARE_PROMPT=send: a first argument that is neither a subcommand nor a flag is a prompt to
// send. Not a prompt (left to the parser, which refuses it): anything without that variable (the
// command line), and one word within two edits of a subcommand (`serv`, `wroker`), so a mistyped
// subcommand still fails instead of queueing its name.
bool IsBarePrompt(const CLI::App& app, int argc, char** argv) {
  const char* mode = std::getenv("PICTOR_BARE_PROMPT");
  if (mode == nullptr || std::string_view(mode) != "send" || argc < 2) return false;
  const std::string_view first = argv[1];
  if (first.empty() || first.front() == '-') return false;
  const bool one_word = first.find_first_of(" \t\n") == std::string_view::npos;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (first == sub->get_name()) return false;
    if (one_word && EditDistance(first, sub->get_name()) <= 2) return false;
  }
  return true;
}

}  // namespace

int Main(int argc, char** argv) {
  BlockShutdownSignals();
  CLI::App app{"Pictor: text prompts to PNG images, synchronously over HTTP or through a queue."};
  app.name("pictor");
  app.set_version_flag("--version", "pictor " PICTOR_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  Subcommand commands[] = {AddGenerateCommand(app), AddServeCommand(app), AddWorkerCommand(app),
                           AddSendCommand(app),     AddAlarmCommand(app), AddLambdaCommand(app),
                           AddKeysCommand(app),     AddSpendCommand(app)};
  std::vector<char*> args(argv, argv + argc);
  std::string send_word = "send";
  if (IsBarePrompt(app, argc, argv)) {
    args.insert(args.begin() + 1, send_word.data());
  }
  try {
    app.parse(static_cast<int>(args.size()), args.data());
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
