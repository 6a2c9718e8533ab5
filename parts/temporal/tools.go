//go:build tools

// Package tools pins the Temporal CLI (github.com/temporalio/cli, versions.json's "temporal"):
// the bootstrap builds github.com/temporalio/cli/cmd/temporal from this module, so go.sum pins
// every module hash. Its `temporal server start-dev` is the dev server.
package tools

import _ "github.com/temporalio/cli/cmd/temporal"
