// The alarm's settings as `pictor alarm` reads them (src/alarm/alarm_settings): command-line
// flags (CLI11, numbers included) then a TOML file, then the rule they describe. The input is
// the flags, one per line, up to a NUL byte, then the TOML text (written to a private temporary
// file, since the settings name a file).
// Invariants: flags that do not parse are a usage error (CLI::ParseError), never another
// exception; a file that does not read is InvalidArgument; a rule accepted has a finite
// threshold, a period of 1 s .. 1 day and 1 <= datapoints <= evaluation periods; an integer
// from the file is the value the rule holds (never wrapped into range).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "alarm/alarm_settings.h"
#include "fuzz_check.h"

namespace {

const std::string& ConfigPath() {
  static const std::string path = [] {
    char dir[] = "/tmp/pictor-fuzz-alarm-XXXXXX";
    FUZZ_CHECK(mkdtemp(dir) != nullptr);
    std::string file = std::string(dir) + "/alarm.toml";
    // The folder goes when the process ends normally; a crash leaves it for inspection.
    static const std::string keep_dir = dir;
    std::atexit([] {
      std::remove((keep_dir + "/alarm.toml").c_str());
      rmdir(keep_dir.c_str());
    });
    return file;
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  std::vector<std::string> args = {"alarm"};
  pictor::fuzz::Cursor flags(in.Until('\0'));
  while (!flags.empty() && args.size() < 24) args.emplace_back(flags.Until('\n'));
  const std::string_view toml = in.Rest();

  pictor::alarm::AlarmSettings settings;
  CLI::App app("fuzz");
  pictor::alarm::AddAlarmOptions(app, settings);
  std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
  try {
    app.parse(reversed);  // CLI11 takes the arguments in reverse order
  } catch (const CLI::ParseError&) {
    return 0;  // a usage error, as `pictor alarm` answers it
  }

  // Always the target's own file: an --alarm-config from the input could name any file.
  std::FILE* file = std::fopen(ConfigPath().c_str(), "wb");
  FUZZ_CHECK(file != nullptr);
  FUZZ_CHECK(std::fwrite(toml.data(), 1, toml.size(), file) == toml.size());
  FUZZ_CHECK(std::fclose(file) == 0);
  settings.config_file = ConfigPath();
  pictor::Status applied = pictor::alarm::ApplyAlarmConfigFile(app, settings);
  if (!applied.ok()) {
    FUZZ_CHECK(applied.code() == pictor::StatusCode::kInvalidArgument);
    return 0;
  }
  pictor::Result<pictor::alarm::AlarmRule> rule = pictor::alarm::RuleFromSettings(settings);
  if (!rule.ok()) {
    FUZZ_CHECK(rule.status().code() == pictor::StatusCode::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(std::isfinite(rule->threshold));
  FUZZ_CHECK(rule->period.count() >= 1 && rule->period.count() <= 86400);
  FUZZ_CHECK(rule->datapoints_to_alarm >= 1 &&
             rule->datapoints_to_alarm <= rule->evaluation_periods);

  // An integer the file gives is taken as it is or refused, never wrapped into range.
  toml::table table;
  try {
    table = toml::parse(toml);
  } catch (const toml::parse_error&) {
    FUZZ_CHECK(false);  // ApplyAlarmConfigFile read this same text
  }
  auto same = [&](const char* key, const char* flag, int64_t taken) {
    if (app.count(flag) > 0) return;
    if (std::optional<int64_t> given = table[key].value<int64_t>()) FUZZ_CHECK(*given == taken);
  };
  same("period", "--period", rule->period.count());
  same("evaluation_periods", "--evaluation-periods", rule->evaluation_periods);
  if (settings.datapoints_to_alarm > 0) {
    same("datapoints_to_alarm", "--datapoints-to-alarm", rule->datapoints_to_alarm);
  }
  return 0;
}
