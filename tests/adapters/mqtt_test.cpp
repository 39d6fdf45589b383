// MqttIngest and MqttPublisher against a real mosquitto broker: each test starts its own broker as
// a child process on a free loopback port (configuration and persistence in a temporary folder)
// and kills it at the end. Producers are plain libmosquitto clients. Every wait has a generous
// limit; no test depends on how fast the machine is.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/mqtt_ingest.h"

extern char** environ;

namespace outage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kLimit = 20s;  // how long any single wait may take before the test fails

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

std::string find_mosquitto() {
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

std::uint16_t free_port() {
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

bool accepts_connections(std::uint16_t port) {
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
    port_ = free_port();
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

struct Delivery {
  std::string topic;
  std::string payload;
  MqttAck ack;
  std::thread::id thread;
};

// What the handler was given, in order.
class Inbox {
 public:
  // The handler the tests give MqttIngest: records the message; calls done() at once when
  // `done_at_once`, else leaves the ack with the delivery for the test to call.
  MqttHandler handler(bool done_at_once) {
    return [this, done_at_once](std::string_view topic, std::string payload, MqttAck ack) {
      if (done_at_once) ack.done();
      record(topic, std::move(payload), std::move(ack));
    };
  }

  void record(std::string_view topic, std::string payload, MqttAck ack) {
    {
      std::lock_guard lock(mu_);
      deliveries_.push_back({std::string(topic), std::move(payload), std::move(ack), std::this_thread::get_id()});
    }
    cv_.notify_all();
  }

  bool wait_for(std::size_t count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kLimit, [&] { return deliveries_.size() >= count; });
  }

  std::vector<Delivery> deliveries() const {
    std::lock_guard lock(mu_);
    return deliveries_;
  }
  Delivery at(std::size_t i) const {
    std::lock_guard lock(mu_);
    return deliveries_.at(i);
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return deliveries_.size();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Delivery> deliveries_;
};

bool all_subscribed(const MqttIngest& ingest) {
  const auto stats = ingest.stats();
  if (stats.connections.empty()) return false;
  for (const auto& c : stats.connections) {
    if (!c.subscribed) return false;
  }
  return true;
}

class MqttIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string binary = find_mosquitto();
    if (binary.empty()) {
      GTEST_SKIP() << "mosquitto is not installed (looked for /usr/sbin/mosquitto and on PATH; "
                      "Debian package: mosquitto)";
    }
    broker_ = std::make_unique<Broker>(binary);
    std::string why;
    ASSERT_TRUE(broker_->start(&why)) << why;
  }

  void TearDown() override {
    if (HasFailure() && broker_) std::cerr << "mosquitto's log:\n" << broker_->log() << "\n";
  }

  MqttIngestOptions options(int connections = 1) const {
    MqttIngestOptions o;
    o.host = "127.0.0.1";
    o.port = broker_->port();
    o.topics = {"test/events/#"};
    o.client_id = "outage-test";
    o.connections = connections;
    o.keepalive = 30s;
    o.ack_timeout = 10s;
    o.reconnect_min = 50ms;
    o.reconnect_max = 500ms;
    return o;
  }

  std::unique_ptr<Broker> broker_;
};

class MqttPublisherTest : public MqttIngestTest {};

TEST_F(MqttIngestTest, HandsQos1MessagesToTheHandlerWithTopicAndPayload) {
  Inbox inbox;
  MqttIngest ingest(options(), inbox.handler(true));
  ASSERT_TRUE(ingest.start());
  ASSERT_TRUE(eventually([&] { return all_subscribed(ingest); }));

  Producer producer(broker_->port());
  ASSERT_TRUE(producer.ok());
  const std::string binary("a\0b", 3);
  ASSERT_TRUE(producer.publish("test/events/feeder-7", R"({"id":"e1","type":"meter.power_off"})"));
  ASSERT_TRUE(producer.publish("test/events/gw/3", R"([{"id":"e2"},{"id":"e3"}])"));
  ASSERT_TRUE(producer.publish("test/events/raw", binary));
  ASSERT_TRUE(producer.publish("other/topic", "not subscribed"));
  ASSERT_TRUE(inbox.wait_for(3));

  const auto got = inbox.deliveries();
  EXPECT_EQ(got[0].topic, "test/events/feeder-7");
  EXPECT_EQ(got[0].payload, R"({"id":"e1","type":"meter.power_off"})");
  EXPECT_EQ(got[1].topic, "test/events/gw/3");
  EXPECT_EQ(got[1].payload, R"([{"id":"e2"},{"id":"e3"}])");
  EXPECT_EQ(got[2].topic, "test/events/raw");
  EXPECT_EQ(got[2].payload, binary);
  EXPECT_TRUE(eventually([&] { return ingest.stats().acknowledged == 3; }));

  ingest.stop(5s);
  const auto stats = ingest.stats();
  EXPECT_EQ(inbox.size(), 3u);
  EXPECT_EQ(stats.messages, 3u);
  EXPECT_EQ(stats.unacknowledged, 0u);
  EXPECT_EQ(stats.connects, 1u);
  ASSERT_EQ(stats.connections.size(), 1u);
  EXPECT_EQ(stats.connections[0].client_id, "outage-test-1");
}

// The PUBACK waits for done(): a message whose handler does not call it within the ack timeout is
// not acknowledged; the ingest drops the connection, reconnects, and the broker delivers the
// message again.
TEST_F(MqttIngestTest, RedeliversAMessageWhoseHandlerDidNotCallDone) {
  auto o = options();
  o.ack_timeout = 500ms;
  Inbox inbox;
  MqttIngest ingest(o, [&](std::string_view topic, std::string payload, MqttAck ack) {
    if (inbox.size() > 0) ack.done();  // the first delivery is left without done()
    inbox.record(topic, std::move(payload), std::move(ack));
  });
  ASSERT_TRUE(ingest.start());
  ASSERT_TRUE(eventually([&] { return all_subscribed(ingest); }));

  Producer producer(broker_->port());
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE(producer.publish("test/events/a", "held"));
  ASSERT_TRUE(inbox.wait_for(2));
  EXPECT_EQ(inbox.at(0).payload, "held");
  EXPECT_EQ(inbox.at(1).payload, "held");
  EXPECT_EQ(inbox.at(1).topic, "test/events/a");

  const auto stats = ingest.stats();
  EXPECT_GE(stats.unacknowledged, 1u);
  EXPECT_GE(stats.reconnects, 1u);
  EXPECT_TRUE(eventually([&] { return ingest.stats().acknowledged >= 1; }));

  // A late done() on the first delivery changes nothing; the next message is the next one.
  inbox.at(0).ack.done();
  ASSERT_TRUE(producer.publish("test/events/a", "next"));
  ASSERT_TRUE(eventually([&] {
    const auto got = inbox.deliveries();
    return !got.empty() && got.back().payload == "next";
  }));
  ingest.stop(5s);
}

// The same through stop(): a message held without done() at stop is given up, not acknowledged,
// and the next ingest with the same client id gets it (the broker kept the session).
TEST_F(MqttIngestTest, LeavesAMessageNotDoneAtStopForTheNextStart) {
  Inbox first;
  {
    MqttIngest ingest(options(), first.handler(false));
    ASSERT_TRUE(ingest.start());
    ASSERT_TRUE(eventually([&] { return all_subscribed(ingest); }));
    Producer producer(broker_->port());
    ASSERT_TRUE(producer.ok());
    ASSERT_TRUE(producer.publish("test/events/x", "unfinished"));
    ASSERT_TRUE(first.wait_for(1));
    ingest.stop(200ms);
    const auto stats = ingest.stats();
    EXPECT_EQ(stats.unacknowledged, 1u);
    EXPECT_EQ(stats.acknowledged, 0u);
  }
  first.at(0).ack.done();  // after the ingest is gone: nothing happens

  Inbox second;
  MqttIngest ingest(options(), second.handler(true));
  ASSERT_TRUE(ingest.start());
  ASSERT_TRUE(second.wait_for(1));
  EXPECT_EQ(second.at(0).payload, "unfinished");
  EXPECT_EQ(second.at(0).topic, "test/events/x");
  ingest.stop(5s);
}

// stop() waits for a handler in flight; its done() then sends the PUBACK before the disconnect,
// so the next ingest with the same client id does not get the message again.
TEST_F(MqttIngestTest, StopLetsAHandlerInFlightFinish) {
  Inbox first;
  {
    MqttIngest ingest(options(), first.handler(false));
    ASSERT_TRUE(ingest.start());
    ASSERT_TRUE(eventually([&] { return all_subscribed(ingest); }));
    Producer producer(broker_->port());
    ASSERT_TRUE(producer.ok());
    ASSERT_TRUE(producer.publish("test/events/y", "slow"));
    ASSERT_TRUE(first.wait_for(1));

    auto stopping = std::async(std::launch::async, [&] { ingest.stop(kLimit); });
    EXPECT_EQ(stopping.wait_for(300ms), std::future_status::timeout) << "stop() did not wait for the handler";
    first.at(0).ack.done();
    ASSERT_EQ(stopping.wait_for(kLimit), std::future_status::ready);
    const auto stats = ingest.stats();
    EXPECT_EQ(stats.acknowledged, 1u);
    EXPECT_EQ(stats.unacknowledged, 0u);
    EXPECT_EQ(stats.in_flight, 0u);
  }

  Inbox second;
  MqttIngest ingest(options(), second.handler(true));
  ASSERT_TRUE(ingest.start());
  ASSERT_TRUE(eventually([&] { return all_subscribed(ingest); }));
  Producer producer(broker_->port());
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE(producer.publish("test/events/y", "marker"));
  ASSERT_TRUE(second.wait_for(1));
  EXPECT_EQ(second.at(0).payload, "marker") << "an acknowledged message came again";
  ingest.stop(5s);
}

TEST_F(MqttIngestTest, ReconnectsWhenTheBrokerComesBack) {
  Inbox inbox;
  MqttIngest ingest(options(), inbox.handler(true));
  ASSERT_TRUE(ingest.start());
  ASSERT_TRUE(eventually([&] { return all_subscribed(ingest); }));
  {
    Producer producer(broker_->port());
    ASSERT_TRUE(producer.ok());
    ASSERT_TRUE(producer.publish("test/events/b", "before"));
    ASSERT_TRUE(inbox.wait_for(1));
  }

  // Killed: the broker forgets the session, so the ingest must subscribe again by itself.
  broker_->stop(SIGKILL);
  ASSERT_TRUE(eventually([&] { return !ingest.stats().connections.at(0).connected; }));
  std::string why;
  ASSERT_TRUE(broker_->start(&why)) << why;
  ASSERT_TRUE(eventually([&] { return ingest.stats().reconnects >= 1 && all_subscribed(ingest); }));

  Producer producer(broker_->port());
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE(producer.publish("test/events/b", "after"));
  ASSERT_TRUE(inbox.wait_for(2));
  EXPECT_EQ(inbox.at(1).payload, "after");
  const auto stats = ingest.stats();
  EXPECT_GE(stats.connection_losses, 1u);
  EXPECT_GE(stats.connects, 2u);
  ingest.stop(5s);
}

// Several connections share the subscription: the broker spreads the messages over all of them,
// and with done() called at once every message is handled exactly once.
TEST_F(MqttIngestTest, SpreadsMessagesOverConnectionsAndHandlesEachOnce) {
  constexpr int kConnections = 4;
  constexpr int kMessages = 200;
  Inbox inbox;
  MqttIngest ingest(options(kConnections), inbox.handler(true));
  ASSERT_TRUE(ingest.start());
  ASSERT_TRUE(eventually([&] { return all_subscribed(ingest); }));

  Producer producer(broker_->port());
  ASSERT_TRUE(producer.ok());
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_TRUE(producer.publish("test/events/load/" + std::to_string(i % 7), "m" + std::to_string(i)));
  }
  ASSERT_TRUE(inbox.wait_for(kMessages));
  ASSERT_TRUE(eventually([&] { return ingest.stats().acknowledged == kMessages; }));
  ingest.stop(5s);

  std::map<std::string, int> seen;
  std::set<std::thread::id> threads;
  for (const auto& d : inbox.deliveries()) {
    ++seen[d.payload];
    threads.insert(d.thread);
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kMessages));
  for (const auto& [payload, count] : seen) EXPECT_EQ(count, 1) << payload;
  EXPECT_EQ(threads.size(), static_cast<std::size_t>(kConnections));

  const auto stats = ingest.stats();
  EXPECT_EQ(stats.messages, static_cast<std::uint64_t>(kMessages));
  EXPECT_EQ(stats.unacknowledged, 0u);
  ASSERT_EQ(stats.connections.size(), static_cast<std::size_t>(kConnections));
  for (int n = 0; n < kConnections; ++n) {
    EXPECT_EQ(stats.connections[n].client_id, "outage-test-" + std::to_string(n + 1));
    EXPECT_GT(stats.connections[n].messages, 0u) << stats.connections[n].client_id;
  }
}

// A busy daemon hands out high descriptors; libmosquitto's own mosquitto_loop() is select()-based
// and refuses a socket numbered 1024 or above. The ingest's connections must not care.
TEST_F(MqttIngestTest, WorksOnSocketsNumberedAbove1023) {
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 1200) {
    GTEST_SKIP() << "the descriptor limit (" << saved.rlim_max << ") does not reach 1200";
  }
  Producer producer(broker_->port());  // before the filler: its libmosquitto loop uses select()
  ASSERT_TRUE(producer.ok());

  rlimit raised = saved;
  raised.rlim_cur = saved.rlim_max == RLIM_INFINITY ? 4096 : std::min<rlim_t>(saved.rlim_max, 4096);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &raised), 0);
  std::vector<int> filler;
  struct Restore {
    std::vector<int>& fds;
    rlimit limit;
    ~Restore() {
      for (int fd : fds) ::close(fd);
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
  } restore{filler, saved};
  for (int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC); fd >= 0 && fd < 1100;
       fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) {
    filler.push_back(fd);
  }
  ASSERT_FALSE(filler.empty());

  Inbox inbox;
  MqttIngest ingest(options(), inbox.handler(true));
  ASSERT_TRUE(ingest.start());
  ASSERT_TRUE(eventually([&] { return all_subscribed(ingest); }));
  ASSERT_TRUE(producer.publish("test/events/high", "fd"));
  ASSERT_TRUE(inbox.wait_for(1));
  EXPECT_EQ(inbox.at(0).payload, "fd");
  ingest.stop(5s);
}

TEST(MqttIngestOptionsTest, StartRefusesBadOptionsNamingThem) {
  auto refused = [](MqttIngestOptions o, std::string_view key) {
    MqttIngest ingest(std::move(o), [](std::string_view, std::string, MqttAck) {});
    const auto status = ingest.start();
    if (status) return ::testing::AssertionFailure() << "started";
    if (status.error().code != ErrorCode::invalid_input) return ::testing::AssertionFailure() << "not invalid_input";
    if (status.error().message.find(key) == std::string::npos) {
      return ::testing::AssertionFailure() << "'" << status.error().message << "' does not name " << key;
    }
    return ::testing::AssertionSuccess();
  };
  MqttIngestOptions o;
  o.topics = {};
  EXPECT_TRUE(refused(o, "mqtt.topics"));
  o.topics = {"a/#/b"};
  EXPECT_TRUE(refused(o, "mqtt.topics"));
  o.topics = {"$share/g/a/#"};
  EXPECT_TRUE(refused(o, "mqtt.topics"));
  o = {};
  o.connections = 0;
  EXPECT_TRUE(refused(o, "mqtt.connections"));
  o = {};
  o.qos = 3;
  EXPECT_TRUE(refused(o, "mqtt.qos"));
  o = {};
  o.client_id = "a/b";
  EXPECT_TRUE(refused(o, "mqtt.client_id"));
  o = {};
  o.port = 0;
  EXPECT_TRUE(refused(o, "mqtt.port"));
  o = {};
  o.ack_timeout = o.keepalive;
  EXPECT_TRUE(refused(o, "mqtt.ack_timeout"));
}

TEST(MqttAckTest, CopiesShareOneAcknowledgement) {
  int done = 0;
  int dropped = 0;
  {
    MqttAck ack([&] { ++done; }, [&] { ++dropped; });
    MqttAck copy = ack;
    EXPECT_FALSE(ack.is_done());
    copy.done();
    ack.done();
    EXPECT_TRUE(ack.is_done());
  }
  EXPECT_EQ(done, 1);
  EXPECT_EQ(dropped, 0);

  {
    MqttAck ack([&] { ++done; }, [&] { ++dropped; });
    MqttAck copy = ack;
  }
  EXPECT_EQ(done, 1);
  EXPECT_EQ(dropped, 1);

  MqttAck nothing;
  nothing.done();  // acknowledges nothing
  EXPECT_FALSE(nothing.is_done());
}

TEST_F(MqttPublisherTest, PublishesAndQueuesWhileTheBrokerIsAway) {
  auto o = options();
  o.topics = {"test/pings/#"};
  Inbox inbox;
  MqttIngest ingest(o, inbox.handler(true));
  ASSERT_TRUE(ingest.start());
  ASSERT_TRUE(eventually([&] { return all_subscribed(ingest); }));

  MqttPublisherOptions po;
  po.host = "127.0.0.1";
  po.port = broker_->port();
  po.client_id = "outage-test-publisher";
  po.max_queued = 3;
  po.reconnect_min = 50ms;
  po.reconnect_max = 500ms;
  MqttPublisher publisher(po);
  EXPECT_EQ(publisher.publish("test/pings/T1", "early").error().code, ErrorCode::unavailable);  // not started
  ASSERT_TRUE(publisher.start());
  ASSERT_TRUE(eventually([&] { return publisher.stats().connected; }));
  ASSERT_TRUE(publisher.publish("test/pings/T1", "p1"));
  ASSERT_TRUE(inbox.wait_for(1));
  EXPECT_EQ(inbox.at(0).topic, "test/pings/T1");
  EXPECT_EQ(inbox.at(0).payload, "p1");

  // Stopped cleanly, the broker keeps the ingest's session for the messages queued meanwhile.
  broker_->stop(SIGTERM);
  ASSERT_TRUE(eventually([&] { return !publisher.stats().connected; }));
  ASSERT_TRUE(publisher.publish("test/pings/T2", "p2"));
  ASSERT_TRUE(publisher.publish("test/pings/T3", "p3", 0));
  ASSERT_TRUE(publisher.publish("test/pings/T4", "p4"));
  const auto full = publisher.publish("test/pings/T5", "p5");
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ErrorCode::unavailable);
  EXPECT_EQ(publisher.stats().queued, 3u);

  std::string why;
  ASSERT_TRUE(broker_->start(&why)) << why;
  ASSERT_TRUE(eventually([&] { return publisher.stats().reconnects >= 1; }));
  ASSERT_TRUE(eventually([&] {
    const auto got = inbox.deliveries();
    std::set<std::string> payloads;
    for (const auto& d : got) payloads.insert(d.payload);
    return payloads.count("p2") && payloads.count("p4");
  }));

  EXPECT_EQ(publisher.publish("test/pings/+", "x").error().code, ErrorCode::invalid_input);
  EXPECT_EQ(publisher.publish("", "x").error().code, ErrorCode::invalid_input);
  EXPECT_EQ(publisher.publish("test/pings/T1", "x", 3).error().code, ErrorCode::invalid_input);

  publisher.stop(5s);
  const auto stats = publisher.stats();
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_GE(stats.published, 4u);
  EXPECT_EQ(stats.dropped, 1u);
  EXPECT_EQ(publisher.publish("test/pings/T1", "late").error().code, ErrorCode::unavailable);
  ingest.stop(5s);
}

}  // namespace
}  // namespace outage
