#pragma once
// The IVR's two inputs, made at start-up and on a configuration change (app.cpp): the prompt sets
// of ivr.language and of the languages dial-in numbers ask for (with the user's replacements from
// ivr.prompts_folder), and the meeting-ID lookup through the conference mapper.
#include "app/conference_mapper.hpp"
#include "app/dialin_routes.hpp"
#include "app/mapper_client.hpp"
#include "call/gateway.hpp"
#include "config/config.hpp"
#include "core/health.hpp"
#include "core/log.hpp"

#include <memory>

namespace jigasi::media::prompts {
class prompt_library;
}

namespace jigasi::app {

/// Loads the prompts of config::prompt_languages. Null (logged once, health "ivr" down) when
/// ivr.language's set cannot be read: the IVR then refuses its calls with 503 and keypad
/// confirmations stay silent. Another language that cannot be read is logged once, health "ivr"
/// is degraded, and its numbers' callers hear ivr.language. Rates are resampled on first use
/// (prompt_set::samples); app.cpp prepares 8 kHz, G.711's, in the background so that start-up
/// does not wait for it.
std::shared_ptr<const media::prompts::prompt_library> load_prompts(const config::config& c, core::health_registry& health,
                                                                   core::log_channel& log);

/// Meeting ID -> conference by the built-in mapper, then by dialin.mapper_url when set. Unknown
/// IDs draw on `failures` like the HTTP lookups and an empty budget is logged; what limits a
/// caller is ivr.tries per call and the prompts' pace. All three must outlive the calls.
call::gateway::meeting_lookup make_meeting_lookup(conference_mapper& mapper, const mapper_client& external,
                                                  failure_budget& failures, core::log_channel log);

}  // namespace jigasi::app
