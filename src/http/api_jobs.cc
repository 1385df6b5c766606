// The job history routes: GET /jobs (a page of jobs, newest first), the JSON of one job, which
// GET /jobs/{id} answers too (api.h, api_responses.h), and GET /jobs/{id}/events, the job's
// state changes as Server-Sent Events (http/job_events.h), and DELETE /jobs/{id}.
//
//   DELETE /jobs/{id}   (the scope and owner rules of GET /jobs/{id})
//     200 <job>  queued: now "cancelled", never generated; or already cancelled (idempotent)
//     202 <job>  running: still "running" with cancel_requested, until the worker finishes it
//                (cancelled when its image was not yet stored, else succeeded)
//     409 {"error": "job_finished", "status": "succeeded" | "failed", "message", "job"}
//     404        no such job (or another key's)
//
//   GET /jobs?limit=50&cursor=...&status=succeeded&key=ci-bot
//     limit   1..200, default 50
//     cursor  the next_cursor of the page before; absent: from the newest job
//     status  queued | running | succeeded | failed | cancelled; absent: every state
//     key     only the jobs of the API key with this name; needs the admin scope unless it is
//             the caller's own name
//   200 {"jobs": [<job>...], "next_cursor": "..." | null}
//
// A caller without the admin scope sees only its own jobs (request.caller's key name): the filter
// is forced, not merely defaulted. Every malformed parameter is a 400 naming it; an unknown
// parameter is refused rather than ignored, so a misspelt filter cannot silently list everything.
#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/ids.h"
#include "core/job_cursor.h"
#include "core/percent_encoding.h"
#include "core/quota.h"
#include "http/api.h"
#include "http/api_responses.h"
#include "http/job_events.h"
#include "pictor/api_keys.h"

namespace pictor::http {
namespace {

using Json = nlohmann::json;

constexpr int kDefaultLimit = 50;

HttpResponse BadParameter(std::string message, std::string error) {
  return ClientError(400, std::move(message), std::move(error));
}

// The parameters of GET /jobs, each at most once. A response when the query is refused.
struct ListParameters {
  std::optional<std::string> limit, cursor, status, key;
};

std::optional<HttpResponse> ParseListParameters(std::string_view query, ListParameters& out) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::optional<std::string> name = PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true);
    std::optional<std::string> value =
        PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!name || !value) {
      return BadParameter("the query string has a malformed %-escape", "invalid_query");
    }
    std::optional<std::string>* slot = *name == "limit"    ? &out.limit
                                       : *name == "cursor" ? &out.cursor
                                       : *name == "status" ? &out.status
                                       : *name == "key"    ? &out.key
                                                           : nullptr;
    if (slot == nullptr) {
      return BadParameter(
          "unknown query parameter '" + *name + "'; GET /jobs takes limit, cursor, status and key",
          "unknown_parameter");
    }
    if (*slot) return BadParameter("send '" + *name + "' at most once", "duplicate_parameter");
    *slot = std::move(value);
  }
  return std::nullopt;
}

}  // namespace

Json JobJson(const JobRecord& job, const std::string& url) {
  auto text_or_null = [](const std::string& text) {
    return text.empty() ? Json(nullptr) : Json(text);
  };
  // A time not reached yet (0) is null.
  auto time_or_null = [](int64_t ms) { return ms > 0 ? Json(FormatIso8601(ms)) : Json(nullptr); };
  Json body = {{"id", job.id},
               {"status", JobStateName(job.state)},
               {"prompt", job.prompt},
               {"negative_prompt", text_or_null(job.negative_prompt)},
               {"seed", job.seed},
               {"width", job.width},
               {"height", job.height},
               {"key", job.key},
               {"attempts", job.attempts},
               {"error", text_or_null(job.error)},
               {"owner", text_or_null(job.owner)},
               {"model", text_or_null(job.model)},
               {"cost_usd", job.cost_usd},
               {"cancel_requested", job.cancel_requested},
               {"created_at", FormatIso8601(job.created_ms)},
               {"updated_at", FormatIso8601(job.updated_ms)},
               {"started_at", time_or_null(job.started_ms)},
               {"finished_at", time_or_null(job.finished_ms)},
               {"generation_ms", job.generation_ms > 0 ? Json(job.generation_ms) : Json(nullptr)}};
  body["url"] = job.state == JobState::kSucceeded ? Json(url) : Json(nullptr);
  // The last attempt to deliver the job's webhook; the URL itself is never shown (it may hold a
  // token), and errors name only its origin.
  const WebhookDelivery& hook = job.webhook;
  body["webhook"] =
      hook.state.empty()
          ? Json(nullptr)
          : Json{{"state", hook.state},
                 {"attempts", hook.attempts},
                 {"last_status", hook.last_status == 0 ? Json(nullptr) : Json(hook.last_status)},
                 {"last_attempt_ms", hook.last_attempt_ms},
                 {"last_attempt_at", hook.last_attempt_ms == 0
                                         ? Json(nullptr)
                                         : Json(FormatIso8601(hook.last_attempt_ms))},
                 {"last_error", hook.last_error.empty() ? Json(nullptr) : Json(hook.last_error)}};
  return body;
}

// The same owner rule and 404 as GET /jobs/{id}, answered before any stream starts. A job that
// is over and whose last event the client has (Last-Event-ID) answers 204: nothing will ever
// follow, and a browser's EventSource stops reconnecting on any answer but 200.
HttpResponse Api::JobEvents(const HttpRequest& request, std::string_view id) {
  if (ledger_ == nullptr) return NoLedgerResponse();
  if (options_.events == nullptr) {
    return ClientError(501, "event streams are served by pictor serve only; poll GET /jobs/{id}",
                       "not_implemented");
  }
  auto job = ledger_->Get(id);
  if (!job.ok()) {
    if (job.status().IsNotFound()) {
      return ClientError(404, "no job with id " + std::string(id), "job_not_found");
    }
    return ErrorResponse(job.status());
  }
  if (!request.caller.Has(kScopeAdmin) && job->owner != request.caller.key_name) {
    return ClientError(404, "no job with id " + std::string(id), "job_not_found");
  }
  std::optional<int64_t> last_event_id;
  if (auto header = request.headers.Get("Last-Event-ID")) last_event_id = ParseLastEventId(*header);
  if (last_event_id && IsFinalJobState(job->state) && JobEventId(*job) <= *last_event_id) {
    HttpResponse done;
    done.status = 204;
    done.headers.Set("Cache-Control", "no-cache");
    return done;
  }
  auto render = [this, base = UrlBaseFor(request)](const JobRecord& record) {
    return JobJson(record, record.state == JobState::kSucceeded ? ImageUrlAt(base, record.key) : "")
        .dump();
  };
  auto stream = options_.events->Subscribe(*job, last_event_id, std::move(render));
  if (!stream.ok()) return ErrorResponse(stream.status());
  HttpResponse response;
  response.headers.Set("Content-Type", "text/event-stream");
  response.headers.Set("Cache-Control", "no-cache");
  // Tells nginx not to buffer the stream (it would hold each event back).
  response.headers.Set("X-Accel-Buffering", "no");
  response.stream = std::move(stream).value();
  return response;
}

HttpResponse Api::ListJobs(const HttpRequest& request) {
  if (ledger_ == nullptr) return NoLedgerResponse();
  ListParameters params;
  if (auto refused = ParseListParameters(request.query, params)) return *refused;

  JobQuery query;
  query.limit = kDefaultLimit;
  if (params.limit) {
    const std::string& text = *params.limit;
    int limit = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || limit < 1 ||
        limit > kMaxJobListLimit) {
      return BadParameter("limit must be a whole number from 1 to " +
                              std::to_string(kMaxJobListLimit) + ", not '" + text + "'",
                          "invalid_limit");
    }
    query.limit = limit;
  }
  if (params.cursor) {
    // Checked here, so every ledger's refusal reads the same.
    if (auto cursor = DecodeJobCursor(*params.cursor); !cursor.ok()) {
      return ErrorResponse(cursor.status());
    }
    query.cursor = *params.cursor;
  }
  if (params.status) {
    query.state = JobStateFromName(*params.status);
    if (!query.state) {
      return BadParameter("status must be queued, running, succeeded, failed or cancelled, not '" +
                              *params.status + "'",
                          "invalid_status");
    }
  }
  if (params.key) {
    if (Status s = ValidateKeyName(*params.key); !s.ok()) {
      return BadParameter("key: " + s.message(), "invalid_key_name");
    }
    query.owner = *params.key;
  }
  const Caller& caller = request.caller;
  if (!caller.Has(kScopeAdmin)) {
    if (caller.key_name.empty()) {
      return ClientError(403, "listing jobs without the admin scope needs an API key",
                         "insufficient_scope");
    }
    if (params.key && *params.key != caller.key_name) {
      return ClientError(403, "listing another key's jobs needs the admin scope",
                         "insufficient_scope");
    }
    query.owner = caller.key_name;
  }

  auto page = ledger_->List(query);
  if (!page.ok()) return ErrorResponse(page.status());
  Json jobs = Json::array();
  for (const JobRecord& job : page->jobs) {
    jobs.push_back(JobJson(
        job, job.state == JobState::kSucceeded ? ImageUrl(request, job.key) : std::string()));
  }
  return JsonResponse(
      200, {{"jobs", std::move(jobs)},
            {"next_cursor", page->next_cursor.empty() ? Json(nullptr) : Json(page->next_cursor)}});
}

HttpResponse Api::CancelJob(const HttpRequest& request, std::string_view id) {
  if (ledger_ == nullptr) return NoLedgerResponse();
  auto not_found = [&] {
    return ClientError(404, "no job with id " + std::string(id), "job_not_found");
  };
  auto job = VisibleJob(request, id);
  if (!job.ok()) return job.status().IsNotFound() ? not_found() : ErrorResponse(job.status());
  // A second request changes nothing: it is neither counted nor told again.
  const bool requested_before = job->cancel_requested;
  if (job->state == JobState::kQueued || job->state == JobState::kRunning) {
    // Durable before the answer: a worker that takes the message now reads it.
    auto requested = ledger_->RequestCancel(id);
    if (!requested.ok()) {
      return requested.status().IsNotFound() ? not_found() : ErrorResponse(requested.status());
    }
    job = std::move(requested);
  }
  switch (job->state) {
    case JobState::kCancelled:
    case JobState::kRunning:
      break;
    case JobState::kSucceeded:
    case JobState::kFailed: {
      // Finished, perhaps while this request ran: nothing to cancel.
      const std::string state(JobStateName(job->state));
      return JsonResponse(409, {{"message", "job " + std::string(id) + " already " + state +
                                                "; only a queued or running job can be cancelled"},
                                {"error", "job_finished"},
                                {"status", state},
                                {"job", JobJson(*job, job->state == JobState::kSucceeded
                                                          ? ImageUrl(request, job->key)
                                                          : std::string())}});
    }
    case JobState::kQueued:  // RequestCancel never answers queued (ApplyCancellation)
      return ErrorResponse(Status::Internal("job " + std::string(id) +
                                            " still reads queued after its cancellation"));
  }
  if (!requested_before) {
    metrics_
        .GetCounter("pictor_job_cancels_total",
                    "Cancellations DELETE /jobs/{id} recorded, by the state the job was in.",
                    {{"state", job->state == JobState::kRunning ? "running" : "queued"}})
        .Increment();
    if (options_.job_observer != nullptr) options_.job_observer->JobChanged(*job);
  }
  return JobResponse(job->state == JobState::kRunning ? 202 : 200, request, *job);
}

}  // namespace pictor::http
