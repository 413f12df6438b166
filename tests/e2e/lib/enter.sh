#!/bin/bash
# First process inside a scenario's namespaces (see ../run): brings up loopback, arms the time limit
# and the cleanup, then runs the scenario script in this shell so that it can use lib/common.sh.
set -euo pipefail
ip link set lo up
# shellcheck source=common.sh
source "$E2E_DIR/lib/common.sh"
e2e_arm
script=$1
shift
# shellcheck disable=SC1090
source "$script"
e2e_pass
