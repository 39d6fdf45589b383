// The [inference] section of the daemon's configuration (config/outage.toml) read into
// InferenceConfig (feeds/inference_config.h states what each rule means; docs/operations.md
// lists the keys). Unknown keys are an error naming the key, so a typo cannot pass silently.
#pragma once

#include <string_view>

#include "feeds/inference_config.h"
#include "geo/error.h"

namespace outage {

// `text`: the section's body as TOML (keys relative to [inference]); empty gives the defaults.
// invalid_input naming `origin`, the key and the reason.
Result<InferenceConfig> parse_inference_config(std::string_view text, std::string_view origin);

}  // namespace outage
