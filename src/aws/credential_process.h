// credential_process: a profile names a program that prints credentials as JSON, the way the AWS
// SDKs and CLI define it (the "process credentials" provider):
//   {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...",
//    "SessionToken": "...", "Expiration": "2024-05-01T12:00:00Z"}
// SessionToken and Expiration are optional; without Expiration the credentials never refresh.
//
// The command line is split into words and run directly, with no shell: see SplitCommandLine
// (docs/DECISIONS.md says why). The program inherits the environment and stderr (its messages
// reach the operator's log as they are); stdin is /dev/null; its stdout is read as the answer.
//
// Free functions, thread-safe (each run is its own child process). Errors:
//  InvalidArgument   an unsplittable command line, a program that cannot be started
//  DeadlineExceeded  the program ran past the timeout (it and its process group are killed)
//  Unavailable       the program exited non-zero or died of a signal
//  Unsupported       a Version other than 1
//  Internal          output that is not the JSON above, or more than the output limit
// No message quotes the program's output or anything past the program's name in the command line
// (arguments may hold secrets); never a key or token.
#ifndef PICTOR_AWS_CREDENTIAL_PROCESS_H_
#define PICTOR_AWS_CREDENTIAL_PROCESS_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "pictor/status.h"

namespace pictor::aws {

struct ProcessOptions {
  std::chrono::milliseconds timeout{60000};
  size_t max_output = 64 * 1024;
};

// Splits `command` into words by POSIX shell quoting, without any expansion: words are separated
// by unquoted blanks (space, tab, newline); '...' keeps everything literally; "..." keeps
// everything but a backslash before " \ $ ` or a newline; an unquoted backslash keeps the next
// character. $VAR, ~, globs, pipes, redirections and ';' are plain characters. An unterminated
// quote, a trailing backslash or no word at all is InvalidArgument.
Result<std::vector<std::string>> SplitCommandLine(std::string_view command);

// Runs the command and returns what it printed on stdout (exit status 0 required).
Result<std::string> RunCredentialProcess(std::string_view command, const ProcessOptions& options);

// Reads the program's JSON answer.
Result<TimedCredentials> ReadProcessCredentials(std::string_view json, std::string source_name);

// RunCredentialProcess then ReadProcessCredentials.
Result<TimedCredentials> CredentialsFromProcess(std::string_view command,
                                                const ProcessOptions& options,
                                                std::string source_name);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_CREDENTIAL_PROCESS_H_
