#include "lambda/api_gateway.h"

#include <string>
#include <string_view>

#include "core/ascii.h"
#include "core/base64.h"
#include "core/percent_encoding.h"

namespace pictor::lambda {
namespace {

using nlohmann::json;

std::string StringField(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json* ObjectField(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

bool IsTextual(std::string_view content_type) {
  return content_type.empty() || content_type.rfind("text/", 0) == 0 ||
         content_type.find("json") != std::string_view::npos ||
         content_type.find("xml") != std::string_view::npos ||
         content_type.find("javascript") != std::string_view::npos;
}

void AppendQueryPart(std::string& query, std::string_view name, std::string_view value) {
  if (!query.empty()) query += '&';
  query += PercentEncode(name);
  query += '=';
  query += PercentEncode(value);
}

// v1 carries the query already decoded, as maps; it is re-encoded for the Api to parse.
std::string QueryFromV1(const json& event) {
  std::string query;
  if (const json* multi = ObjectField(event, "multiValueQueryStringParameters")) {
    for (const auto& [name, values] : multi->items()) {
      if (!values.is_array()) continue;
      for (const auto& v : values) {
        if (v.is_string()) AppendQueryPart(query, name, v.get<std::string>());
      }
    }
  } else if (const json* single = ObjectField(event, "queryStringParameters")) {
    for (const auto& [name, v] : single->items()) {
      if (v.is_string()) AppendQueryPart(query, name, v.get<std::string>());
    }
  }
  return query;
}

void AddHeaders(const json& event, http::Headers& headers, bool prefer_multi) {
  const json* multi = prefer_multi ? ObjectField(event, "multiValueHeaders") : nullptr;
  if (multi != nullptr) {
    for (const auto& [name, values] : multi->items()) {
      if (!values.is_array()) continue;
      for (const auto& v : values) {
        if (v.is_string()) headers.Add(name, v.get<std::string>());
      }
    }
    return;
  }
  if (const json* single = ObjectField(event, "headers")) {
    for (const auto& [name, v] : single->items()) {
      if (v.is_string()) headers.Add(name, v.get<std::string>());
    }
  }
}

}  // namespace

EventKind ClassifyEvent(const json& event) {
  if (!event.is_object()) return EventKind::kUnknown;
  if (StringField(event, "version") == "2.0" &&
      (event.contains("routeKey") || event.contains("rawPath"))) {
    return EventKind::kApiGatewayV2;
  }
  if (event.contains("httpMethod") && event.contains("requestContext")) {
    return EventKind::kApiGatewayV1;
  }
  auto records = event.find("Records");
  if (records != event.end() && records->is_array() && !records->empty() &&
      (*records)[0].is_object() && StringField((*records)[0], "eventSource") == "aws:sqs") {
    return EventKind::kSqs;
  }
  return EventKind::kUnknown;
}

Result<http::HttpRequest> RequestFromApiGateway(const json& event, EventKind kind) {
  http::HttpRequest request;
  const json* context = ObjectField(event, "requestContext");
  if (kind == EventKind::kApiGatewayV2) {
    const json* http = context != nullptr ? ObjectField(*context, "http") : nullptr;
    if (http == nullptr) return Status::InvalidArgument("v2 event without requestContext.http");
    request.method = StringField(*http, "method");
    request.remote_address = StringField(*http, "sourceIp");
    std::string raw_path = StringField(event, "rawPath");
    std::string stage = StringField(*context, "stage");
    // A named stage appears as the first path segment of rawPath; the $default stage does not.
    if (!stage.empty() && stage != "$default" && raw_path.rfind("/" + stage + "/", 0) == 0) {
      raw_path.erase(0, stage.size() + 1);
    }
    auto decoded = PercentDecode(raw_path);
    if (!decoded) return Status::InvalidArgument("malformed rawPath: " + raw_path);
    request.path = std::move(*decoded);
    request.query = StringField(event, "rawQueryString");
    AddHeaders(event, request.headers, false);
    if (auto cookies = event.find("cookies"); cookies != event.end() && cookies->is_array()) {
      std::string cookie;
      for (const auto& c : *cookies) {
        if (!c.is_string()) continue;
        if (!cookie.empty()) cookie += "; ";
        cookie += c.get<std::string>();
      }
      if (!cookie.empty()) request.headers.Set("Cookie", cookie);
    }
  } else if (kind == EventKind::kApiGatewayV1) {
    request.method = StringField(event, "httpMethod");
    request.path = StringField(event, "path");
    request.query = QueryFromV1(event);
    AddHeaders(event, request.headers, true);
    if (context != nullptr) {
      if (const json* identity = ObjectField(*context, "identity")) {
        request.remote_address = StringField(*identity, "sourceIp");
      }
    }
  } else {
    return Status::InvalidArgument("not an API Gateway proxy event");
  }
  if (request.method.empty() || request.path.empty() || request.path[0] != '/') {
    return Status::InvalidArgument("API Gateway event without a method or an absolute path");
  }
  std::string body = StringField(event, "body");
  auto b64 = event.find("isBase64Encoded");
  if (b64 != event.end() && b64->is_boolean() && b64->get<bool>()) {
    auto decoded = Base64Decode(body, Base64Padding::kLenient);
    if (!decoded) return Status::InvalidArgument("body marked isBase64Encoded is not base64");
    body = std::move(*decoded);
  }
  request.body = std::move(body);
  return request;
}

json ApiGatewayResponse(const http::HttpResponse& response, EventKind kind) {
  json headers = json::object();
  json multi = json::object();
  json cookies = json::array();
  for (const auto& [name, value] : response.headers.fields()) {
    if (kind == EventKind::kApiGatewayV2 && EqualsIgnoreCase(name, "Set-Cookie")) {
      cookies.push_back(value);
      continue;
    }
    multi[name].push_back(value);
    // Single-value headers join repeats with commas, as HTTP allows for list-valued fields.
    auto it = headers.find(name);
    if (it == headers.end()) {
      headers[name] = value;
    } else {
      *it = it->get<std::string>() + "," + value;
    }
  }
  auto type = response.headers.Get("Content-Type");
  bool text = IsTextual(type ? *type : std::string_view());
  json out = {{"statusCode", response.status},
              {"headers", headers},
              {"body", text ? response.body : Base64Encode(response.body)},
              {"isBase64Encoded", !text}};
  if (kind == EventKind::kApiGatewayV1) out["multiValueHeaders"] = multi;
  if (kind == EventKind::kApiGatewayV2 && !cookies.empty()) out["cookies"] = cookies;
  return out;
}

}  // namespace pictor::lambda
