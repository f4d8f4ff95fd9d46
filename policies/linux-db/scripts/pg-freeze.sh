#!/bin/sh
# Pre-script: force a checkpoint so the snapshot holds a consistent database.
# Azure Backup calls it with the args of the policy's `pre` line.
set -eu
psql -v ON_ERROR_STOP=1 -c 'CHECKPOINT;' >/dev/null
