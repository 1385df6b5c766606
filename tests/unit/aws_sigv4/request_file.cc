#include "request_file.h"
#include "core/percent_encoding.h"

#include <fstream>
#include <sstream>

namespace pictor::aws::testing {

std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  std::erase(text, '\r');
  return text;
}

std::optional<RequestFile> ParseRequestFile(const std::string& text) {
  RequestFile request;
  std::string head = text;
  if (size_t blank = text.find("\n\n"); blank != std::string::npos) {
    head = text.substr(0, blank);
    request.body = text.substr(blank + 2);
  } else if (!head.empty() && head.back() == '\n') {
    head.pop_back();
  }

  size_t line_end = head.find('\n');
  std::string request_line = head.substr(0, line_end);
  constexpr std::string_view kVersion = " HTTP/1.1";
  size_t first_space = request_line.find(' ');
  if (first_space == std::string::npos || !request_line.ends_with(kVersion)) return std::nullopt;
  request.method = request_line.substr(0, first_space);
  request.target =
      request_line.substr(first_space + 1, request_line.size() - kVersion.size() - first_space - 1);

  while (line_end != std::string::npos) {
    size_t start = line_end + 1;
    line_end = head.find('\n', start);
    std::string line =
        head.substr(start, line_end == std::string::npos ? line_end : line_end - start);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !request.headers.empty()) {
      request.headers.back().second += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return request;
}

QueryList ParseQuery(const std::string& raw_query) {
  QueryList query;
  size_t start = 0;
  while (start < raw_query.size()) {
    size_t end = raw_query.find('&', start);
    if (end == std::string::npos) end = raw_query.size();
    std::string pair = raw_query.substr(start, end - start);
    size_t equals = pair.find('=');
    if (!pair.empty()) {
      query.emplace_back(
          PercentDecodeLenient(pair.substr(0, equals)),
          equals == std::string::npos ? "" : PercentDecodeLenient(pair.substr(equals + 1)));
    }
    start = end + 1;
  }
  return query;
}

}  // namespace pictor::aws::testing
