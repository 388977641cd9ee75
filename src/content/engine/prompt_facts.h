#pragma once
// The facts a generation's prompts are made of, read once from the item and the brand:
// the structured DraftInputs (for the template provider, which cannot read prose) and the
// placeholder values of the prompt templates ({{voice}}, {{topics}}, {{keywords}}, ...), both
// from the same reading so the two never disagree. Tenant-supplied text is bounded in length
// (a brand cannot make every prompt megabytes long) and inserted as plain text.
// Pure functions: thread-safe.
#include <map>
#include <string>

#include "content/engine/generation_inputs.h"
#include "content/providers/text_generator.h"

namespace autoblog::content::engine {

struct PromptFacts {
  providers::DraftInputs draft;
  std::map<std::string, std::string> vars;  // placeholder name -> value
};

PromptFacts prompt_facts(const GenerationInputs& inputs);

}  // namespace autoblog::content::engine
