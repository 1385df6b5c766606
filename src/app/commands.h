// The subcommands of `pictor`. Each adds itself to the CLI and returns what to run when chosen.
// Commands only parse settings, ask the registry for adapters and call into core.
#ifndef PICTOR_APP_COMMANDS_H_
#define PICTOR_APP_COMMANDS_H_

#include <CLI/CLI.hpp>

#include <functional>

namespace pictor::app {

struct Subcommand {
  CLI::App* cli = nullptr;
  std::function<int()> run;  // the process exit code
};

Subcommand AddGenerateCommand(CLI::App& app);
Subcommand AddServeCommand(CLI::App& app);
Subcommand AddWorkerCommand(CLI::App& app);
Subcommand AddSendCommand(CLI::App& app);
Subcommand AddAlarmCommand(CLI::App& app);
Subcommand AddLambdaCommand(CLI::App& app);
Subcommand AddKeysCommand(CLI::App& app);

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// `pictor ARGS...`: parses, runs the chosen subcommand, returns the exit code.
int Main(int argc, char** argv);

}  // namespace pictor::app

#endif  // PICTOR_APP_COMMANDS_H_
