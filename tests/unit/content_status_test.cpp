#include <gtest/gtest.h>

#include "content/status.h"

using namespace autoblog::content;

TEST(ContentStatus, KnownStatusesAreTheSeeds) {
  for (auto s : {"inspiration", "briefed", "generating", "generated", "approved", "scheduled",
                 "published", "failed", "archived"})
    EXPECT_TRUE(is_known_status(s)) << s;
  EXPECT_FALSE(is_known_status("draft"));
  EXPECT_FALSE(is_known_status(""));
}

TEST(ContentStatus, PipelineOrderIsEnforced) {
  EXPECT_TRUE(is_legal_transition("inspiration", "briefed"));
  EXPECT_TRUE(is_legal_transition("generated", "approved"));
  EXPECT_TRUE(is_legal_transition("approved", "published"));
  EXPECT_FALSE(is_legal_transition("inspiration", "published"));
  EXPECT_FALSE(is_legal_transition("archived", "briefed"));
  EXPECT_FALSE(is_legal_transition("published", "generated"));
}

TEST(ContentStatus, PatchCannotEnterJobOrPublishStatuses) {
  EXPECT_TRUE(is_patchable_transition("inspiration", "briefed"));
  EXPECT_TRUE(is_patchable_transition("briefed", "archived"));
  EXPECT_FALSE(is_patchable_transition("briefed", "generating"));
  EXPECT_FALSE(is_patchable_transition("approved", "published"));
  EXPECT_FALSE(is_patchable_transition("approved", "scheduled"));
}
