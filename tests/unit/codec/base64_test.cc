#include "io/codec/base64.h"

#include <gtest/gtest.h>

namespace segd::io {
namespace {

TEST(Base64Test, EncodesTheRfc4648TestVectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, EncodesEveryByteValue) {
  EXPECT_EQ(base64("\xFF\xFE\xFD"), "//79");
  EXPECT_EQ(base64(std::string("\0\0", 2)), "AAA=");
  EXPECT_EQ(base64("c\xFF"), "Y/8=");
  EXPECT_EQ(base64("\xFB\xEF\xBE"), "++++");
}

}  // namespace
}  // namespace segd::io
