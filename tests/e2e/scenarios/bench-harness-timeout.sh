# Harness self-test (expected to fail): a peer that ignores SIGTERM, a grandchild that detaches, and
# a foreground command that outlives the scenario's limit. The run must end at the limit with a
# message saying so, and lib/harness_test.sh then checks that none of these processes survived.
marker=${1:?marker}
spawn stubborn bash -c "trap '' TERM; exec -a stubborn-$marker sleep 1000"
spawn detacher bash -c "setsid bash -c 'exec -a detached-$marker sleep 1000' & wait"
note "now blocking in the foreground past the limit"
bash -c "exec -a foreground-$marker sleep 1000"
fail "bench bug: the foreground command was not ended at the time limit"
