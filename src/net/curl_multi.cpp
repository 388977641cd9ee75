// libcurl multi interface on an Asio strand; see curl_multi.h. The socket/timer wiring follows
// curl's docs/examples/asiohiper.cpp: curl tells us (SOCKETFUNCTION) which fds to watch for what
// and (TIMERFUNCTION) when to call it back; we report readiness with curl_multi_socket_action.
#include "net/curl_multi.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>
#include <cctype>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace autoblog::net::detail {
namespace asio = boost::asio;

struct CurlMulti::Socket {
  Socket(const asio::strand<asio::any_io_executor>& strand, curl_socket_t s)
      : fd(s), sd(strand, s) {}
  curl_socket_t fd;
  asio::posix::stream_descriptor sd;
  int what = 0;  // CURL_POLL_IN / OUT / INOUT, as curl last asked
  bool reading = false;
  bool writing = false;
  bool removed = false;
};

struct CurlMulti::Transfer {
  Transfer(Handler h, asio::any_io_executor ex)
      : handler(std::move(h)), work(asio::make_work_guard(std::move(ex))) {}
  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
  }

  std::uint64_t id = 0;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  AttemptSpec spec;
  Attempt result;
  char error[CURL_ERROR_SIZE] = {};
  Handler handler;
  asio::cancellation_slot slot;
  // Keeps the caller's context running (its run() from returning) while we hold its handler.
  asio::executor_work_guard<asio::any_io_executor> work;

  void add_header(const std::string& line) {
    curl_slist* next = curl_slist_append(headers, line.c_str());
    if (next == nullptr) throw std::bad_alloc();
    headers = next;
  }

  static size_t WriteBody(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t bytes = size * n;
    if (t->result.response.body.size() + bytes > t->spec.request->options.max_response_bytes) {
      t->result.too_large = true;
      return 0;  // any count != bytes aborts the transfer with CURLE_WRITE_ERROR
    }
    t->result.response.body.append(data, bytes);
    return bytes;
  }

  static size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t bytes = size * n;
    std::string_view line(data, bytes);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    Headers& headers = t->result.response.headers;
    if (line.rfind("HTTP/", 0) == 0) {
      headers.clear();  // a new response (after 100 Continue or a redirect): start over
    } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      headers.emplace_back(std::move(name), std::string(value));
    }
    return bytes;
  }

  // Runs before every connect(): the egress policy sees the address curl resolved.
  static curl_socket_t OpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
    auto* t = static_cast<Transfer*>(user);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    boost::asio::ip::address peer;
    if (address->family == AF_INET && address->addrlen >= sizeof(sockaddr_in)) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&address->addr);
      peer = boost::asio::ip::address_v4(ntohl(in->sin_addr.s_addr));
    } else if (address->family == AF_INET6 && address->addrlen >= sizeof(sockaddr_in6)) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address->addr);
      boost::asio::ip::address_v6::bytes_type bytes;
      std::memcpy(bytes.data(), in6->sin6_addr.s6_addr, bytes.size());
      peer = boost::asio::ip::address_v6(bytes, in6->sin6_scope_id);
    } else {
      t->result.egress_refused = true;  // unix sockets or anything else: never
      return CURL_SOCKET_BAD;
    }
    if (!t->spec.egress(peer)) {
      t->result.egress_refused = true;
      t->result.refused_address = peer.to_string();
      return CURL_SOCKET_BAD;
    }
    return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  }
};

namespace {

void Check(CURLcode code, const char* what) {
  if (code != CURLE_OK) {
    throw InvalidRequest(std::string(what) + ": " + curl_easy_strerror(code));
  }
}

bool HasHeader(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
  }
  return false;
}

std::exception_ptr Aborted() {
  return std::make_exception_ptr(
      boost::system::system_error(asio::error::operation_aborted, "HTTP request cancelled"));
}

// Configures the easy handle for one attempt of t.spec.request.
void Configure(CurlMulti::Transfer& t) {
  const HttpRequest& r = *t.spec.request;
  CURL* h = t.easy;
  Check(curl_easy_setopt(h, CURLOPT_URL, r.url.c_str()), "URL");
  Check(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols");
  Check(curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "protocols");
  curl_easy_setopt(h, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t.error);
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // never an environment proxy: egress sees the peer
  curl_easy_setopt(h, CURLOPT_USERAGENT, t.spec.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(t.spec.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(t.spec.timeout.count()));
  if (r.method != "HEAD") {  // a HEAD's Content-Length describes a body that never comes
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(r.options.max_response_bytes));
  }
  if (r.options.max_redirects > 0) {
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(r.options.max_redirects));
  }
  if (r.options.path_as_is) curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &CurlMulti::Transfer::WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &CurlMulti::Transfer::WriteHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &CurlMulti::Transfer::OpenSocket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &t);

  const bool has_body =
      !r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
  for (const auto& [name, value] : r.headers) t.add_header(name + ": " + value);
  if (has_body && !HasHeader(r.headers, "content-type")) {
    // Otherwise curl would label the body application/x-www-form-urlencoded.
    t.add_header("Content-Type: application/octet-stream");
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, t.headers);

  if (r.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (r.method != "GET" || has_body) {
    if (r.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    if (has_body) {
      // Sent from memory as is (binary-safe with an explicit size); never NULL, or curl would
      // read the body from stdin.
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.empty() ? "" : r.body.data());
    }
  }
  if (r.options.aws_sigv4) {
    const AwsSigV4& aws = *r.options.aws_sigv4;
    Check(curl_easy_setopt(h, CURLOPT_AWS_SIGV4, aws.provider.c_str()), "AWS SigV4");
    const std::string userpwd = aws.access_key + ":" + aws.secret_key;
    curl_easy_setopt(h, CURLOPT_USERPWD, userpwd.c_str());  // curl copies the string
  }
}

}  // namespace

CurlMulti::CurlMulti(asio::any_io_executor executor, long max_cached_connections)
    : strand_(asio::make_strand(executor)), timer_(strand_) {
  static std::once_flag curl_init;
  std::call_once(curl_init, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("curl_global_init failed");
    }
  });
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMulti::SocketCallback);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMulti::TimerCallback);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, max_cached_connections);
}

CurlMulti::~CurlMulti() {
  close_now();
}

void CurlMulti::start(Handler handler, asio::any_io_executor caller, AttemptSpec spec) {
  auto transfer = std::make_unique<Transfer>(std::move(handler), std::move(caller));
  transfer->id = next_id_.fetch_add(1);
  transfer->spec = std::move(spec);
  // The slot belongs to the caller's context: install it here, clear it there (complete()).
  transfer->slot = transfer->handler.get_cancellation_slot();
  if (transfer->slot.is_connected()) {
    transfer->slot.assign([weak = weak_from_this(), id = transfer->id](asio::cancellation_type) {
      if (auto self = weak.lock()) {
        asio::post(self->strand_, [weak, id] {
          if (auto s = weak.lock()) s->cancel(id);
        });
      }
    });
  }
  asio::post(strand_, [weak = weak_from_this(), t = std::move(transfer)]() mutable {
    if (auto self = weak.lock()) self->add(std::move(t));
  });
}

// Hands the result to the caller on its own executor (posted: never inline inside curl).
void CurlMulti::complete(std::unique_ptr<Transfer> t, std::exception_ptr error) {
  if (t->easy != nullptr) {
    curl_easy_cleanup(t->easy);  // its connection stays in the multi's cache when reusable
    t->easy = nullptr;
  }
  auto executor = t->work.get_executor();
  asio::post(executor, [t = std::move(t), error]() mutable {
    t->slot.clear();
    Handler handler = std::move(t->handler);
    Attempt result = std::move(t->result);
    t.reset();
    std::move(handler)(error, std::move(result));
  });
}

void CurlMulti::add(std::unique_ptr<Transfer> t) {
  if (closed_) {
    complete(std::move(t), std::make_exception_ptr(Error("HTTP client is shut down")));
    return;
  }
  t->easy = curl_easy_init();
  if (t->easy == nullptr) {
    complete(std::move(t), std::make_exception_ptr(Error("curl_easy_init failed")));
    return;
  }
  try {
    Configure(*t);
  } catch (...) {
    complete(std::move(t), std::current_exception());
    return;
  }
  const CURLMcode code = curl_multi_add_handle(multi_, t->easy);
  if (code != CURLM_OK) {
    complete(std::move(t), std::make_exception_ptr(Error(std::string("curl_multi_add_handle: ") +
                                                         curl_multi_strerror(code))));
    return;
  }
  ++in_flight_;
  transfers_.emplace(t->id, std::move(t));
  // curl asked for a 0 ms timer while adding; the timer handler kicks the transfer off.
}

std::unique_ptr<CurlMulti::Transfer> CurlMulti::detach(std::uint64_t id) {
  const auto it = transfers_.find(id);
  if (it == transfers_.end()) return nullptr;
  std::unique_ptr<Transfer> t = std::move(it->second);
  transfers_.erase(it);
  // Mid-transfer this closes the connection (curl never reuses a half-read one).
  curl_multi_remove_handle(multi_, t->easy);
  --in_flight_;
  return t;
}

void CurlMulti::cancel(std::uint64_t id) {
  if (std::unique_ptr<Transfer> t = detach(id)) complete(std::move(t), Aborted());
}

void CurlMulti::abort_all() {
  std::vector<std::uint64_t> ids;
  for (const auto& [id, t] : transfers_) ids.push_back(id);
  for (const std::uint64_t id : ids) cancel(id);
}

void CurlMulti::shutdown() {
  asio::post(strand_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->closed_ = true;
      self->abort_all();
    }
  });
}

void CurlMulti::close_now() {
  if (multi_ == nullptr) return;
  closed_ = true;
  // Abandons the handlers: destroyed, never invoked. Moved out first because destroying a
  // handler destroys the caller's coroutine frames, whose destructors must not see a half-
  // cleared map.
  auto abandoned = std::move(transfers_);
  transfers_.clear();
  for (auto& [id, t] : abandoned) curl_multi_remove_handle(multi_, t->easy);
  abandoned.clear();
  in_flight_ = 0;
  curl_multi_cleanup(multi_);  // closes cached connections; REMOVE callbacks release fds
  multi_ = nullptr;
  for (auto& [fd, socket] : sockets_) {
    socket->removed = true;
    socket->sd.release();
  }
  sockets_.clear();
  timer_.cancel();
}

void CurlMulti::check_done() {
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &pending)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Transfer* raw = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
    const CURLcode code = msg->data.result;  // msg dies with remove_handle
    std::unique_ptr<Transfer> t = detach(raw->id);
    if (!t) continue;
    t->result.code = code;
    if (code == CURLE_OK) {
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->result.response.status);
    } else {
      t->result.error = t->error[0] != '\0' ? t->error : curl_easy_strerror(code);
    }
    complete(std::move(t), nullptr);
  }
}

int CurlMulti::SocketCallback(CURL*, curl_socket_t fd, int what, void* user, void*) {
  auto* self = static_cast<CurlMulti*>(user);
  if (what == CURL_POLL_REMOVE) {
    self->forget(fd);
    return 0;
  }
  std::shared_ptr<Socket>& socket = self->sockets_[fd];
  if (!socket) {
    try {
      socket = std::make_shared<Socket>(self->strand_, fd);
    } catch (const std::exception&) {
      self->sockets_.erase(fd);
      return -1;  // curl fails the transfers on this socket
    }
  }
  socket->what = what;
  self->arm(socket);
  return 0;
}

void CurlMulti::arm(const std::shared_ptr<Socket>& socket) {
  const auto wait = [this, &socket](asio::posix::stream_descriptor::wait_type type, bool& busy,
                                    int flag) {
    busy = true;
    socket->sd.async_wait(
        type, asio::bind_executor(strand_, [weak = weak_from_this(), socket, type,
                                            flag](const boost::system::error_code& ec) {
          (type == asio::posix::stream_descriptor::wait_read ? socket->reading : socket->writing) =
              false;
          auto self = weak.lock();
          if (ec || !self || socket->removed) return;
          self->on_socket(socket, flag);
        }));
  };
  if ((socket->what & CURL_POLL_IN) && !socket->reading) {
    wait(asio::posix::stream_descriptor::wait_read, socket->reading, CURL_CSELECT_IN);
  }
  if ((socket->what & CURL_POLL_OUT) && !socket->writing) {
    wait(asio::posix::stream_descriptor::wait_write, socket->writing, CURL_CSELECT_OUT);
  }
}

void CurlMulti::on_socket(const std::shared_ptr<Socket>& socket, int flags) {
  // A wait armed for a direction curl no longer wants: ignore it (and do not re-arm it).
  const int wanted = (flags == CURL_CSELECT_IN) ? CURL_POLL_IN : CURL_POLL_OUT;
  if ((socket->what & wanted) == 0 || multi_ == nullptr) return;
  int running = 0;
  curl_multi_socket_action(multi_, socket->fd, flags, &running);
  check_done();
  if (!socket->removed) arm(socket);
}

void CurlMulti::forget(curl_socket_t fd) {
  const auto it = sockets_.find(fd);
  if (it == sockets_.end()) return;
  it->second->removed = true;
  it->second->sd.release();  // curl owns (and will close) the fd; pending waits are aborted
  sockets_.erase(it);
}

int CurlMulti::TimerCallback(CURLM*, long timeout_ms, void* user) {
  auto* self = static_cast<CurlMulti*>(user);
  if (timeout_ms < 0) {
    self->timer_.cancel();
    return 0;
  }
  // Never call curl from inside its own callback: even a 0 ms timeout goes through the timer.
  self->timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  self->timer_.async_wait(asio::bind_executor(
      self->strand_, [weak = self->weak_from_this()](const boost::system::error_code& ec) {
        auto s = weak.lock();
        if (ec || !s || s->multi_ == nullptr) return;
        int running = 0;
        curl_multi_socket_action(s->multi_, CURL_SOCKET_TIMEOUT, 0, &running);
        s->check_done();
      }));
  return 0;
}

}  // namespace autoblog::net::detail
