// A real mosquitto broker as a child process, and a plain libmosquitto producer, for tests.
// Every wait has a generous limit; no test depends on how fast the machine is.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace outage::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline constexpr auto kLimit = 20s;  // how long any single wait may take before the test fails

// Polls `condition` until it holds or kLimit has passed.
template <typename Condition>
bool eventually(Condition condition, std::chrono::steady_clock::duration limit = kLimit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

inline std::string find_mosquitto() {
  std::vector<std::string> candidates = {"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"};
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (!dir.empty()) candidates.push_back(dir + "/mosquitto");
    }
  }
  for (const auto& candidate : candidates) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

inline std::uint16_t free_mqtt_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

inline bool accepts_connections(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// A mosquitto broker as a child process. start() and stop() may be repeated: the port, the
// configuration and the persistence folder stay, as for a broker that restarts.
class Broker {
 public:
  explicit Broker(std::string binary) : binary_(std::move(binary)) {
    char pattern[] = "/tmp/outage-mqtt-XXXXXX";
    dir_ = ::mkdtemp(pattern) != nullptr ? pattern : "";
    port_ = free_mqtt_port();
    std::ofstream conf(dir_ / "mosquitto.conf");
    conf << "listener " << port_ << " 127.0.0.1\n"
         << "allow_anonymous true\n"
         << "persistence true\n"
         << "persistence_location " << (dir_ / "").string() << "\n"
         << "log_dest stderr\n"
         << "log_type all\n";
    if (::geteuid() == 0) conf << "user root\n";  // else it drops to a user that cannot write here
  }
  ~Broker() {
    stop();
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  std::uint16_t port() const { return port_; }

  // Starts the broker and waits until it accepts connections. False (with the reason) otherwise.
  bool start(std::string* why) {
    if (dir_.empty() || port_ == 0) {
      *why = "no temporary folder or no free port";
      return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = (dir_ / "mosquitto.log").string();
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const std::string conf = (dir_ / "mosquitto.conf").string();
    std::vector<char*> argv = {const_cast<char*>(binary_.c_str()), const_cast<char*>("-c"),
                               const_cast<char*>(conf.c_str()), nullptr};
    const int rc = ::posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = -1;
      *why = "cannot start " + binary_ + ": " + std::strerror(rc);
      return false;
    }
    const bool ready = eventually([&] {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return true;  // gone: reported below
      }
      return accepts_connections(port_);
    });
    if (!ready || pid_ < 0) {
      *why = "mosquitto did not come up on port " + std::to_string(port_) + "; its log:\n" + this->log();
      stop();
      return false;
    }
    return true;
  }

  // Ends the broker: SIGTERM (it saves its sessions) or SIGKILL (it loses what it had not saved).
  void stop(int signal = SIGTERM) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    const bool ended = eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, 10s);
    if (!ended) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

  std::string log() const {
    std::ifstream in(dir_ / "mosquitto.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::string binary_;
  fs::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// A producer: a plain libmosquitto client that publishes with QoS 1 and waits for the broker's
// PUBACK, so that the message is with the broker when publish() returns.
class Producer {
 public:
  explicit Producer(std::uint16_t port) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new(nullptr, true, this);
    mosquitto_connect_callback_set(mosq_, [](mosquitto*, void* self, int rc) {
      auto& p = *static_cast<Producer*>(self);
      std::lock_guard lock(p.mu_);
      p.connected_ = rc == 0;
      p.cv_.notify_all();
    });
    mosquitto_publish_callback_set(mosq_, [](mosquitto*, void* self, int mid) {
      auto& p = *static_cast<Producer*>(self);
      std::lock_guard lock(p.mu_);
      p.acked_.insert(mid);
      p.cv_.notify_all();
    });
    ok_ = mosquitto_connect(mosq_, "127.0.0.1", port, 30) == MOSQ_ERR_SUCCESS &&
          mosquitto_loop_start(mosq_) == MOSQ_ERR_SUCCESS;
    if (ok_) {
      std::unique_lock lock(mu_);
      ok_ = cv_.wait_for(lock, kLimit, [this] { return connected_; });
    }
  }
  ~Producer() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
  }

  bool ok() const { return ok_; }

  bool publish(const std::string& topic, const std::string& payload) {
    int mid = 0;
    if (mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, false) !=
        MOSQ_ERR_SUCCESS) {
      return false;
    }
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kLimit, [&] { return acked_.count(mid) > 0; });
  }

 private:
  mosquitto* mosq_ = nullptr;
  bool ok_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  bool connected_ = false;
  std::set<int> acked_;
};

}  // namespace outage::testing
