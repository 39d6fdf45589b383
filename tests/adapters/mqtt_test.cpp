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
#include "tests/adapters/mqtt_broker.h"

extern char** environ;

namespace outage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Broker;
using testing::Producer;
using testing::eventually;
using testing::find_mosquitto;
using testing::kLimit;
using testing::free_mqtt_port;

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
