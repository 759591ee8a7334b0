// Sending alerts by webhook and e-mail, with retries.
#include "alert/delivery.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "util/log.hpp"

namespace blackout {
namespace {

nlohmann::ordered_json change_json(const StateChange& c) {
  nlohmann::ordered_json j;
  j["time"] = format_rfc3339(c.time);
  j["scope"] = std::string(to_string(c.scope));
  j["subject"] = c.subject;
  j["vantage"] = c.vantage.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(c.vantage);
  j["from"] = std::string(to_string(c.from));
  j["to"] = std::string(to_string(c.to));
  j["reason"] = c.reason;
  return j;
}

std::string message_id(const Notification& n, int sequence) {
  std::string id = n.incident + "." + std::to_string(sequence);
  for (char& c : id)
    if (c == ':' || c == ' ') c = '-';
  return "<" + id + "@blackout>";
}

// Header values must not carry line breaks a receiver would read as new headers.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\r' || c == '\n') c = ' ';
  return text;
}

std::string rfc5322_date(Timestamp t) {
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

struct Upload {
  const std::string* data;
  std::size_t at = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->data->size() - upload->at);
  // Bytes for curl to send, not a C string: nothing to terminate.
  std::memcpy(buffer, upload->data->data() + upload->at, n);  // NOLINT(bugprone-not-null-terminated-result)
  upload->at += n;
  return n;
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

std::string webhook_payload(const AlertChannel& channel, const Notification& n, const std::string& vantage) {
  const std::string text = n.title + "\n" + n.text;
  nlohmann::ordered_json j;
  if (channel.format == "slack") {
    j["text"] = text;
  } else if (channel.format == "matrix") {
    j["msgtype"] = "m.text";
    j["body"] = text;
  } else {
    j["incident"] = n.incident;
    j["sequence"] = n.sequence;
    j["kind"] = std::string(to_string(n.kind));
    j["rule"] = n.rule;
    j["vantage"] = vantage;
    j["time"] = format_rfc3339(n.time);
    j["title"] = n.title;
    j["text"] = n.text;
    j["changes"] = nlohmann::ordered_json::array();
    for (const StateChange& c : n.changes) j["changes"].push_back(change_json(c));
    j["not_up"] = n.not_up;
  }
  return j.dump();
}

std::string email_message(const AlertChannel& channel, const Notification& n, const std::string& vantage, Timestamp date) {
  std::string to;
  for (const std::string& address : channel.to) to += (to.empty() ? "" : ", ") + address;
  std::string m = "From: " + one_line(channel.from) + "\r\nTo: " + one_line(to) + "\r\nSubject: " + one_line(n.title) +
                  "\r\nDate: " + rfc5322_date(date) + "\r\nMessage-ID: " + message_id(n, n.sequence) + "\r\n";
  if (n.sequence > 0) m += "In-Reply-To: " + message_id(n, 0) + "\r\nReferences: " + message_id(n, 0) + "\r\n";
  m +=
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nX-Blackout-Incident: " +
      one_line(n.incident) + "\r\n\r\n";
  std::string body = n.text + "\nvantage: " + vantage + "\n";
  // Lines end in CRLF. The dot-stuffing SMTP needs for lines that start with a dot (RFC 5321
  // 4.5.2) is libcurl's to do as it sends: doing it here too would double the dots.
  std::string line;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    if (i == body.size() || body[i] == '\n') {
      if (i < body.size() || !line.empty()) m += line + "\r\n";
      line.clear();
    } else if (body[i] != '\r') {
      line += body[i];
    }
  }
  return m;
}

AlertDelivery::AlertDelivery(std::vector<AlertChannel> channels, DeliveryOptions options, const Clock& clock)
    : channels_(std::move(channels)), options_(std::move(options)), clock_(clock) {
  static CurlGlobal global;
  thread_ = std::thread([this] { run(); });
}

AlertDelivery::~AlertDelivery() { stop(std::chrono::milliseconds(0)); }

void AlertDelivery::submit(const Notification& notification) {
  const MonoTime now = clock_.now();
  std::lock_guard lock(mutex_);
  for (const std::string& name : notification.channels) {
    const auto channel = std::find_if(channels_.begin(), channels_.end(), [&](const AlertChannel& c) { return c.name == name; });
    if (channel == channels_.end()) continue;  // the loader checks rules' channels; a reload may not have
    if (queue_.size() >= options_.max_queue) {
      // The oldest gives way: a newer message says more about now.
      ++counters_.dropped;
      log::warn(
          "alert.dropped",
          {{"channel", queue_.front().channel->name}, {"incident", queue_.front().notification.incident}, {"why", "queue full"}});
      queue_.pop_front();
    }
    queue_.push_back(Item{&*channel, notification, 0, now, now});
  }
  counters_.queued = queue_.size();
  wake_.notify_one();
}

std::size_t AlertDelivery::stop(std::chrono::milliseconds limit) {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return queue_.size();
    stopping_ = true;
    stop_deadline_ = clock_.now() + limit;
    wake_.notify_one();
  }
  thread_.join();
  std::lock_guard lock(mutex_);
  for (const Item& item : queue_)
    log::warn("alert.undelivered",
              {{"channel", item.channel->name}, {"incident", item.notification.incident}, {"attempts", item.attempts}});
  return queue_.size();
}

void AlertDelivery::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    const MonoTime now = clock_.now();
    if (stopping_ && (queue_.empty() || now >= stop_deadline_)) return;
    // The next item due: the queue is short (bounded), a scan is fine.
    auto next = queue_.end();
    for (auto it = queue_.begin(); it != queue_.end(); ++it)
      if (next == queue_.end() || it->next_try < next->next_try) next = it;
    if (next == queue_.end()) {
      wake_.wait(lock);
      continue;
    }
    if (next->next_try > now) {
      // Woken early by a submit or a stop: the loop looks at the queue again either way.
      const std::size_t queued = queue_.size();
      const bool was_stopping = stopping_;
      wait_until(clock_, wake_, lock, stopping_ ? std::min(next->next_try, stop_deadline_) : next->next_try,
                 [&] { return queue_.size() != queued || stopping_ != was_stopping; });
      continue;
    }
    Item item = *next;
    queue_.erase(next);
    lock.unlock();
    std::string error;
    const bool sent = send(item, error);
    // The back-off counts from the failure, read before anyone can see it counted.
    const MonoTime finished = clock_.now();
    lock.lock();
    ++item.attempts;
    if (sent) {
      ++counters_.delivered;
      log::info("alert.sent", {{"channel", item.channel->name},
                               {"incident", item.notification.incident},
                               {"kind", to_string(item.notification.kind)},
                               {"attempts", item.attempts}});
    } else {
      ++counters_.failed_attempts;
      const auto backoff = std::min<std::chrono::milliseconds>(options_.max_retry,
                                                               options_.first_retry * (1LL << std::min(item.attempts - 1, 20)));
      const MonoTime retry_at = finished + backoff;
      if (retry_at - item.first_try > options_.max_age) {
        ++counters_.given_up;
        log::error("alert.given_up", {{"channel", item.channel->name},
                                      {"incident", item.notification.incident},
                                      {"attempts", item.attempts},
                                      {"error", error}});
      } else {
        log::warn("alert.retry", {{"channel", item.channel->name},
                                  {"incident", item.notification.incident},
                                  {"attempts", item.attempts},
                                  {"in_ms", backoff.count()},
                                  {"error", error}});
        item.next_try = retry_at;
        queue_.push_back(std::move(item));
      }
    }
    counters_.queued = queue_.size();
  }
}

void AlertDelivery::register_stats(Stats& stats) const {
  stats.counter("blackout_alerts_delivered_total", "Alert messages a receiver took (one per channel).",
                [this] { return static_cast<double>(counters_.delivered.load()); });
  stats.counter("blackout_alert_failed_attempts_total", "Deliveries that failed and were retried.",
                [this] { return static_cast<double>(counters_.failed_attempts.load()); });
  stats.counter("blackout_alerts_given_up_total", "Messages given up after retrying for an hour.",
                [this] { return static_cast<double>(counters_.given_up.load()); });
  stats.counter("blackout_alerts_dropped_total", "Messages dropped because the delivery queue was full.",
                [this] { return static_cast<double>(counters_.dropped.load()); });
  stats.gauge("blackout_alerts_queued", "Messages waiting for delivery or a retry.",
              [this] { return static_cast<double>(counters_.queued.load()); });
}

bool AlertDelivery::send(const Item& item, std::string& error) {
  CURL* curl = curl_easy_init();
  if (!curl) {
    error = "libcurl could not start a transfer";
    return false;
  }
  const AlertChannel& channel = *item.channel;
  char curl_error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_slist* list = nullptr;
  std::string payload;
  Upload upload{&payload};
  if (channel.kind == AlertChannel::Kind::webhook) {
    payload = webhook_payload(channel, item.notification, options_.vantage);
    list = curl_slist_append(list, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, channel.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  } else {
    payload = email_message(channel, item.notification, options_.vantage, item.notification.time);
    curl_easy_setopt(curl, CURLOPT_URL, channel.server.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, ("<" + channel.from + ">").c_str());
    for (const std::string& to : channel.to) list = curl_slist_append(list, ("<" + to + ">").c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, list);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  }
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) {
    error = curl_error[0] ? curl_error : curl_easy_strerror(code);
    return false;
  }
  if (channel.kind == AlertChannel::Kind::webhook && (status < 200 || status >= 300)) {
    error = "the receiver answered HTTP " + std::to_string(status);
    return false;
  }
  return true;
}

}  // namespace blackout
