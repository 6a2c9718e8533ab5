//go:build tools

// Package tools pins the Node.js, Python and Go language hosts that scripts/build-engine.sh builds
// (pinned as `languageHosts` in engine/pins.json): those of github.com/pulumi/pulumi/sdk/v3
// v3.66.0 (2023), the last SDK release whose module still held all three; the current CLI drives
// them through the same language-host protocol. The Go module proxy also serves the hosts' own
// modules at a 2025 pseudo-version; next/ holds a module that builds those, ready to replace this
// one (see its tools.go for what keeps it waiting).
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go"
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
	_ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
)
