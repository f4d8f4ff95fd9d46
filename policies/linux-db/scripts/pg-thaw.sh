#!/bin/sh
# Post-script: nothing to undo for PostgreSQL after a checkpoint; log the snapshot.
set -eu
logger -t bkp "snapshot taken"
