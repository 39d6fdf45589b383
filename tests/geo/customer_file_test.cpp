#include "geo/customer_file.h"

#include <gtest/gtest.h>

#include "geo/opendss_reader.h"
#include "tests/geo/memory_files.h"

namespace outage {
namespace {

const char* kFeeder = R"(New Circuit.c bus1=s
New Line.L1 bus1=s bus2=b1
New Load.block bus1=b1 kW=300
New Load.shop bus1=b1 kW=120
New Load.house bus1=b1 kW=5
)";

// Reads kFeeder with the customers file given as CSV text.
Result<NetworkModel> read_with(const char* csv) {
  auto file = parse_customer_file(csv, "c.csv");
  if (!file) return file.error();
  testing::MemoryFiles files;
  files.add("/m.dss", kFeeder);
  OpenDssOptions options;
  options.customers = &*file;
  return read_opendss(files, "/m.dss", options);
}

TEST(CustomerFile, SuppliesAccountsPhonesAddressesAndClasses) {
  const char* csv =
      "customer,meter,load,class,account,name,phone,address\n"
      "C1,M1,block,residential,A-1,\"Wang, Li\",13800000001,\"北京市朝阳区 1号, 101\"\n"
      "C2,M2,BLOCK,critical,A-2,\"St. \"\"Mary\"\" Hospital\",13800000002,2 Road\n"
      "C3,M2,block,,A-3,Zhao,,\n"
      "C4,,shop,important,A-4,Shop,,\n";
  auto file = parse_customer_file(csv, "customers.csv");
  ASSERT_TRUE(file.ok()) << file.error().message;
  testing::MemoryFiles files;
  files.add("/m.dss", kFeeder);
  OpenDssOptions options;
  options.customers = &*file;
  auto model = read_opendss(files, "/m.dss", options);
  ASSERT_TRUE(model.ok()) << model.error().message;
  // block: meters M1 and M2 (two customers share M2); shop: its own name; house: the default.
  EXPECT_EQ(model->service_points().size(), 4u);
  EXPECT_EQ(model->customers().size(), 5u);
  const Customer& c1 = model->customer(model->find_customer("c1"));
  EXPECT_EQ(c1.name, "Wang, Li");
  EXPECT_EQ(c1.address, "北京市朝阳区 1号, 101");
  EXPECT_EQ(c1.phone, "13800000001");
  EXPECT_EQ(model->customer(model->find_customer("C2")).name, "St. \"Mary\" Hospital");
  EXPECT_EQ(model->customer(model->find_customer("c2")).customer_class, CustomerClass::critical);
  EXPECT_EQ(model->customer(model->find_customer("c3")).customer_class, CustomerClass::commercial)
      << "empty class: derived from the load's 300 kW";
  EXPECT_EQ(model->customer(model->find_customer("c3")).service_point, model->find_service_point("m2"));
  EXPECT_FLOAT_EQ(model->service_point(model->find_service_point("m1")).kw, 150) << "300 kW over two meters";
  EXPECT_TRUE(model->find_service_point("shop").valid()) << "empty meter: the load's name";
  EXPECT_TRUE(model->find_customer("house").valid()) << "a load no row names keeps its default customer";
}

struct BadCsv {
  const char* name;
  const char* text;
  const char* expected;
};

class CustomerFileRejects : public ::testing::TestWithParam<BadCsv> {};

TEST_P(CustomerFileRejects, NamingLineAndField) {
  auto file = parse_customer_file(GetParam().text, "c.csv");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find(GetParam().expected), std::string::npos) << file.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    BadFiles, CustomerFileRejects,
    ::testing::Values(BadCsv{"NoLoadColumn", "customer,meter\nc,m\n", "c.csv:1: column 'load' is required"},
                      BadCsv{"UnknownColumn", "customer,load,colour\n", "c.csv:1: unknown column 'colour'"},
                      BadCsv{"UnknownClass", "customer,load,class\nc,l,vip\n", "c.csv:2: field 'class': unknown class 'vip'"},
                      BadCsv{"EmptyCustomer", "customer,load\n,l\n", "c.csv:2: field 'customer' is empty"},
                      BadCsv{"DuplicateCustomer", "customer,load\nc,l\nC,l\n", "c.csv:3: field 'customer': duplicate"},
                      BadCsv{"WrongFieldCount", "customer,load\nc,l,x\n", "c.csv:2: 3 fields where the header has 2"},
                      BadCsv{"UnterminatedQuote", "customer,load\n\"c,l\n", "c.csv:2: unterminated quoted field"}),
    [](const ::testing::TestParamInfo<BadCsv>& info) { return std::string(info.param.name); });

TEST(CustomerFile, RejectsAMeterSharedByTwoLoads) {
  // block and shop sit on the same bus; one meter cannot serve both.
  auto model = read_with("customer,meter,load\nc1,m1,block\nc2,m1,shop\n");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.error().message.find("c.csv:3: field 'meter': meter 'm1' already belongs to another load"),
            std::string::npos)
      << model.error().message;
}

TEST(CustomerFile, RejectsARowForALoadThatDoesNotExist) {
  auto model = read_with("customer,load\nc1,block\nc2,nowhere\n");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.error().message.find("c.csv:3: field 'load': unknown load 'nowhere'"), std::string::npos)
      << model.error().message;
}

}  // namespace
}  // namespace outage
